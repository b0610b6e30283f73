// The operating side of the report: how a change reaches the clusters, what the backups give (RPO,
// retention, exact restore steps), what the alerts mean and what to do when one fires; and the
// runbook steps backups need. Derived from the model only.
import { bootstrapMember } from '../topology/placement';
import type { Environment } from '../topology';
import { alertRunbookRef, clusterAlerts } from '../topology/alerts';
import { BACKUP, BACKUP_CREDENTIAL_KEYS, backupRpo, cockroachBackupCollection, restoreSteps, retentionCommand, vaultSnapshotPrefix, type RestoreStep } from '../topology/backup';
import { sqlShellCommand } from '../topology/cockroachdb';
import { rolloutSteps } from '../topology/rollout';
import { clusterView } from '../topology/view';
import { RUNBOOK_STEP } from '../topology/prerequisites';
import { fileVar } from '../topology/trust-runbook';
import { ROLLOUT_LABEL } from '../lib/sync-wave';
import type { RunbookStep } from './runbook';

export interface RolloutReport {
  readonly mode: 'one-cluster-at-a-time' | 'all-at-once';
  /** Clusters of each step, in order (one-cluster-at-a-time). */
  readonly steps: readonly (readonly string[])[];
  readonly prerequisites: readonly string[];
}

export interface BackupReport {
  readonly destination: string;
  readonly schedule: string;
  readonly rpoSeconds: number;
  readonly rpo: string;
  readonly retentionDays: number;
  readonly targets: readonly { readonly store: 'vault' | 'cockroachdb'; readonly where: string; readonly how: string }[];
  readonly restore: readonly RestoreStep[];
}

export interface AlertReport {
  readonly name: string;
  readonly component: string;
  readonly severity: string;
  readonly expr: string;
  readonly summary: string;
  readonly response: string;
  readonly runbook: string;
}

export interface OperationsReport {
  readonly rollout: RolloutReport;
  readonly backup?: BackupReport;
  /** Alerts as the bootstrap cluster carries them (every cluster has the same set with its own numbers and context). */
  readonly alerts?: readonly AlertReport[];
}

/** Argo CD's progressive sync prerequisites (argoproj/argo-cd docs/operator-manual/applicationset/Progressive-Syncs.md). */
export const PROGRESSIVE_SYNC_PREREQUISITES: readonly string[] = [
  'Argo CD with ApplicationSet progressive syncs (the pinned ApplicationSet CRD is v3.5.1; the feature is Beta)',
  'the ApplicationSet controller started with --enable-progressive-syncs (or ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS=true, or applicationsetcontroller.enable.progressive.syncs: "true" in argocd-cmd-params-cm); without it the Applications have no automated sync and nothing syncs by itself',
  'RollingSync turns automated sync off and syncs each Application itself with the Application\'s own sync options and retry; it does not prune (run argocd app sync --prune for a change that removes objects)',
  'sync waves and hooks work inside each Application as before: a step is done when its Application is Healthy, which includes its Sync hooks (the CockroachDB init and backup schedule Jobs)',
];

export function operationsReport(env: Environment): OperationsReport {
  const rollout: RolloutReport =
    env.argocd.rollout === 'one-cluster-at-a-time'
      ? { mode: 'one-cluster-at-a-time', steps: rolloutSteps(env.clusters), prerequisites: PROGRESSIVE_SYNC_PREREQUISITES }
      : { mode: 'all-at-once', steps: [], prerequisites: [] };
  const backup = env.backup;
  const out: { rollout: RolloutReport; backup?: BackupReport; alerts?: AlertReport[] } = { rollout };
  if (backup && (env.vault || env.cockroachdb)) {
    const rpo = backupRpo(backup);
    out.backup = {
      destination: backup.destination,
      schedule: backup.schedule,
      rpoSeconds: rpo.seconds,
      rpo: rpo.text,
      retentionDays: backup.retentionDays,
      targets: [
        ...(env.cockroachdb
          ? [{ store: 'cockroachdb' as const, where: cockroachBackupCollection(backup), how: `backup schedule ${BACKUP.cockroachSchedule} (incremental ${backup.schedule} with revision history, full backups on the default cadence CockroachDB picks), created by the Job ${BACKUP.cockroachJob} in ${bootstrapMember(env.cockroachdb)}` }]
          : []),
        ...(env.vault
          ? env.vault.clusters.map((c) => ({ store: 'vault' as const, where: `${vaultSnapshotPrefix(backup, c)}/`, how: `CronJob ${BACKUP.vaultCronJob} in ${c} (${backup.schedule}): vault operator raft snapshot save as role ${BACKUP.vaultRole}, then aws s3 cp` }))
          : []),
      ],
      restore: restoreSteps(env),
    };
  }
  if (env.monitoring === 'prometheus-operator') {
    // The first cluster's alerts, and the store alerts from the first member cluster of each store
    // (store alerts exist only where the store runs, placement.ts); each alert once.
    const shown = [...new Set([env.clusters[0]!.name, ...[env.vault, env.cockroachdb].flatMap((st) => (st ? [bootstrapMember(st)] : []))])];
    const seen = new Set<string>();
    out.alerts = shown.flatMap((name) => clusterAlerts(clusterView(env, name))).flatMap((g) =>
      g.alerts.filter((a) => !seen.has(a.name) && seen.add(a.name)).map((a) => ({ name: a.name, component: g.component, severity: a.severity, expr: a.expr, summary: a.summary, response: a.response, runbook: alertRunbookRef(env.name, a.name) })),
    );
  }
  return out;
}

/** Runbook steps backups need: the credentials before the first sync, the retention rule, and a check. */
export function backupRunbookSteps(env: Environment): { readonly beforeFirstSync: RunbookStep[]; readonly afterSync: RunbookStep[] } {
  const backup = env.backup;
  if (!backup || (!env.vault && !env.cockroachdb)) return { beforeFirstSync: [], afterSync: [] };
  const namespaces = [env.vault?.namespace, env.cockroachdb?.namespace].filter((n): n is string => n !== undefined);
  const k = BACKUP_CREDENTIAL_KEYS;
  const beforeFirstSync: RunbookStep[] = [
    {
      id: RUNBOOK_STEP.backup,
      title: `Create the backup credentials Secret ${backup.credentialsSecret}`,
      why: `The backup Jobs read ${k.accessKeyId} and ${k.secretAccessKey} (and optionally ${k.region}) of an identity that may write to ${backup.destination}; the bundle only names the Secret, and the CockroachDB schedule Job (a Sync hook) waits for it`,
      // Only in the clusters that run the store (placement.ts).
      commands: env.clusters.flatMap((c) =>
        namespaces.filter((ns) => [env.vault, env.cockroachdb].some((st) => st !== undefined && st.namespace === ns && st.clusters.includes(c.name))).map((ns) => `kubectl --context ${c.name} -n ${ns} create secret generic ${backup.credentialsSecret} --from-file=${k.accessKeyId}=${fileVar(k.accessKeyId, 'the file holding the key id')} --from-file=${k.secretAccessKey}=${fileVar(k.secretAccessKey, 'the file holding the secret key')} --from-literal=${k.region}="\${BUCKET_REGION:?set BUCKET_REGION to the region of the bucket}"`),
      ),
      expect: `the Secret exists in ${namespaces.join(' and ')} of every cluster`,
    },
  ];
  const afterSync: RunbookStep[] = [
    {
      id: 'backup-retention',
      title: `Keep backups for ${backup.retentionDays} day(s): the bucket lifecycle rule`,
      why: 'Neither the CockroachDB schedule nor the snapshot CronJob deletes old backups; an S3 lifecycle rule on the destination prefix expires them',
      commands: [retentionCommand(backup)],
      expect: 'aws s3api get-bucket-lifecycle-configuration shows the rule meridian-retention',
    },
  ];
  if (env.cockroachdb) {
    const shell = sqlShellCommand(env).join(' ');
    afterSync.push({
      id: 'backup-schedule-check',
      title: 'Check the CockroachDB backup schedule',
      why: `The Job ${BACKUP.cockroachJob} creates the schedule ${BACKUP.cockroachSchedule} once (IF NOT EXISTS); a changed backup.schedule or destination only takes effect after the old schedule is dropped and the Application re-synced`,
      commands: [
        `${shell} -e "SHOW SCHEDULES;"`,
        `# to change it: ${shell} -e "DROP SCHEDULES WITH x AS (SHOW SCHEDULES) SELECT id FROM x WHERE label = '${BACKUP.cockroachSchedule}';" && argocd app sync -l ${ROLLOUT_LABEL}=${bootstrapMember(env.cockroachdb)}`,
      ],
      expect: `the schedules labelled ${BACKUP.cockroachSchedule} (an incremental one and the full one CockroachDB adds; only the full one where incremental backups are not licensed) are active`,
    });
  }
  return { beforeFirstSync, afterSync };
}
