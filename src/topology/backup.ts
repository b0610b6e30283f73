// Backups of both stores, derived from the one model: where each writes, the CockroachDB schedule SQL,
// the Vault role and policy of the snapshot CronJob, the RPO the schedule yields, and the exact
// restore steps. Pure: no cdk8s, no IO.
import { bootstrapMember, isMember } from './placement';
import { sqlShellCommand } from './cockroachdb';
import { authMount, VAULT_SNAPSHOT_POLICY, type VaultPolicy } from './pki';
import { COCKROACHDB_PUBLIC_SERVICE, COCKROACHDB_SQL_PORT, VAULT_SERVICE } from '../lib/names';
import { VAULT_PATHS, vaultLocalServiceURL } from './vault';
import type { Backup, BackupSchedule, Cluster, Environment } from './types';

/** Fixed names of the backup objects. */
export const BACKUP = {
  /** Label of the CockroachDB backup schedule (`SHOW SCHEDULES` shows it). */
  cockroachSchedule: 'meridian_backup',
  cockroachJob: 'cockroachdb-backup-schedule',
  vaultCronJob: 'vault-snapshot',
  /** ServiceAccount of the snapshot CronJob, the only identity the Vault role accepts. */
  vaultServiceAccount: 'vault-snapshot',
  /** Vault role on each cluster's Kubernetes auth mount, and the policy it grants. */
  vaultRole: 'vault-snapshot',
  vaultPolicy: VAULT_SNAPSHOT_POLICY,
  /** Lifetime of the Vault token the CronJob logs in for: one snapshot. */
  vaultTokenTtlSeconds: 300,
  /**
   * Image with the AWS CLI that uploads the snapshot to s3:// (the official image, which runs `aws`;
   * https://hub.docker.com/r/amazon/aws-cli). Only s3:// destinations are accepted by the schema.
   */
  uploadImage: 'amazon/aws-cli:2.17.0',
} as const;

/** Keys the out-of-band credentials Secret holds (the AWS CLI's and CockroachDB's S3 parameters). */
export const BACKUP_CREDENTIAL_KEYS = { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY', region: 'AWS_DEFAULT_REGION' } as const;

/** Where CockroachDB writes its backup collection. */
export function cockroachBackupCollection(backup: Pick<Backup, 'destination'>): string {
  return `${backup.destination}/cockroachdb`;
}

/** Where one cluster's Vault snapshots go (each cluster uploads its own, so losing a region keeps the others'). */
export function vaultSnapshotPrefix(backup: Pick<Backup, 'destination'>, cluster: string): string {
  return `${backup.destination}/vault/${cluster}`;
}

/** `s3://bucket/prefix` -> bucket and key prefix. */
export function s3Location(url: string): { readonly bucket: string; readonly prefix: string } {
  const rest = url.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, prefix: '' } : { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1) };
}

/**
 * The Kubernetes CronJob schedule of the Vault snapshots. Kubernetes accepts the same macros as the
 * CockroachDB schedule (`@hourly`, `@daily`, `@weekly`; kubernetes.io "CronJob" schedule syntax), so
 * both stores run at the same cadence.
 */
export function cronSchedule(schedule: BackupSchedule): string {
  return schedule;
}

/** Seconds between two backups of the schedule. */
export function scheduleIntervalSeconds(schedule: BackupSchedule): number {
  switch (schedule) {
    case '@hourly':
      return 3600;
    case '@daily':
      return 86400;
    case '@weekly':
      return 604800;
  }
}

const INTERVAL_WORDS: Record<BackupSchedule, string> = { '@hourly': '1 hour', '@daily': '24 hours', '@weekly': '7 days' };

/** The worst-case data loss a restore from these backups implies, in words for the report. */
export function backupRpo(backup: Pick<Backup, 'schedule'>): { readonly seconds: number; readonly text: string } {
  return {
    seconds: scheduleIntervalSeconds(backup.schedule),
    text: `${INTERVAL_WORDS[backup.schedule]} (the ${backup.schedule} schedule: a restore loses at most what was written since the last backup that completed, plus the time that backup took)`,
  };
}

/**
 * The SQL the schedule Job runs, with the S3 credentials as shell variables (`$KEY_ID`, `$SECRET`,
 * URL-encoded by the Job at run time): never written into the bundle.
 * `CREATE SCHEDULE IF NOT EXISTS <label> FOR BACKUP INTO <uri> WITH revision_history RECURRING <cron>
 * WITH SCHEDULE OPTIONS first_run = 'now'` (cockroachlabs.com/docs/v22.1/create-schedule-for-backup,
 * "IF NOT EXISTS ... should not be created if the label already exists"; v21.2 manage-a-backup-schedule:
 * without FULL BACKUP a schedule of full backups is created next to the incremental one).
 */
export function cockroachScheduleSql(backup: Backup): string {
  const { bucket, prefix } = s3Location(cockroachBackupCollection(backup));
  const uri = `s3://${bucket}/${prefix}?AWS_ACCESS_KEY_ID=$KEY_ID&AWS_SECRET_ACCESS_KEY=$SECRET`;
  return `CREATE SCHEDULE IF NOT EXISTS ${BACKUP.cockroachSchedule} FOR BACKUP INTO '${uri}' WITH revision_history RECURRING '${backup.schedule}' WITH SCHEDULE OPTIONS first_run = 'now';`;
}

/** The snapshot role may read the Raft snapshot endpoint and nothing else (`vault operator raft snapshot save` is a GET). */
export function vaultSnapshotPolicy(): VaultPolicy {
  return { path: { 'sys/storage/raft/snapshot': { capabilities: ['read'] } } };
}

/** The auth mount path the CronJob of one cluster logs in at. */
export function vaultSnapshotLoginPath(env: Pick<Environment, 'pki'>, cluster: string): string {
  return `auth/${authMount(env.pki, cluster)}/login`;
}

export interface RestoreStep {
  readonly store: 'vault' | 'cockroachdb';
  readonly title: string;
  readonly commands: readonly string[];
}

/**
 * The exact restore procedure per store. CockroachDB: `RESTORE FROM LATEST IN <collection>` restores
 * the latest backup of the collection; with revision history `AS OF SYSTEM TIME` picks an earlier
 * moment (cockroachlabs docs "Take Backups with Revision History and Restore from a Point-in-time").
 * A full-cluster restore needs a cluster without user data. Vault: `vault operator raft snapshot
 * restore -force` replaces the whole Raft state (HashiCorp docs, `operator raft snapshot`); `-force`
 * is needed when the snapshot's keyring differs, as it does after a fresh `operator init`.
 */
export function restoreSteps(env: Environment): RestoreStep[] {
  const backup = env.backup;
  if (!backup) return [];
  const out: RestoreStep[] = [];
  if (env.cockroachdb) {
    const { bucket, prefix } = s3Location(cockroachBackupCollection(backup));
    const shell = sqlShellCommand(env).join(' ');
    const sql = (statement: string): string => `${shell} -e "${statement}"`;
    const uri = `'s3://${bucket}/${prefix}?AWS_ACCESS_KEY_ID=<key id>&AWS_SECRET_ACCESS_KEY=<url-encoded secret>'`;
    out.push({
      store: 'cockroachdb',
      title: 'CockroachDB: restore the whole cluster from the latest backup (into a cluster without user data)',
      commands: [
        sql(`SHOW BACKUPS IN ${uri};`),
        sql(`RESTORE FROM LATEST IN ${uri};`),
        `# a point in time inside the revision history instead: RESTORE FROM LATEST IN ${uri} AS OF SYSTEM TIME '<timestamp>';`,
        `# one database only (it must not exist): RESTORE DATABASE <name> FROM LATEST IN ${uri};`,
      ],
    });
  }
  if (env.vault) {
    const vault = env.vault;
    const first = bootstrapMember(vault);
    out.push({
      store: 'vault',
      title: `Vault: restore the newest snapshot (every member cluster uploads its own; take ${first}'s unless that region is lost)`,
      commands: [
        `aws s3 ls ${vaultSnapshotPrefix(backup, first)}/    # pick the newest vault-<UTC time>.snap`,
        `aws s3 cp ${vaultSnapshotPrefix(backup, first)}/<file> vault.snap`,
        `kubectl --context ${first} -n ${vault.namespace} cp vault.snap vault-0:${VAULT_PATHS.data}/restore.snap`,
        `kubectl --context ${first} -n ${vault.namespace} exec -it vault-0 -- sh -c 'VAULT_TOKEN=<root or sudo token> vault operator raft snapshot restore -force ${VAULT_PATHS.data}/restore.snap && rm ${VAULT_PATHS.data}/restore.snap'`,
        `kubectl --context ${first} -n ${vault.namespace} exec vault-0 -- vault operator raft list-peers    # every pod of every member cluster rejoins`,
      ],
    });
  }
  return out;
}

/** The bucket lifecycle rule that enforces `retention` (neither store deletes its old backups). */
export function retentionCommand(backup: Backup): string {
  const { bucket, prefix } = s3Location(backup.destination);
  const rule = { Rules: [{ ID: 'meridian-retention', Status: 'Enabled', Filter: { Prefix: prefix === '' ? '' : `${prefix}/` }, Expiration: { Days: backup.retentionDays } }] };
  return `aws s3api put-bucket-lifecycle-configuration --bucket ${bucket} --lifecycle-configuration '${JSON.stringify(rule)}'`;
}

/** What one cluster's backup objects need, derived once for the backup chart (src/charts/backup.ts). */
export interface BackupMember {
  readonly credentialsSecret: string;
  /** The Vault snapshot CronJob and its role, in every cluster that runs Vault. */
  readonly vault?: {
    readonly schedule: string;
    /** `s3://.../vault/<cluster>`. */
    readonly destination: string;
    /** This cluster's Kubernetes auth mount, where the snapshot role lives. */
    readonly mount: string;
    readonly loginPath: string;
    /** The local client Service, which the CronJob and the vault-config-operator call. */
    readonly address: string;
    /** Every pod, service and global network of the environment: the object store lies outside all of them. */
    readonly clusterNetworks: readonly string[];
    /** Whether this cluster's operator writes the shared snapshot policy (the bootstrap cluster does, once). */
    readonly writesPolicy: boolean;
  };
  /** The Job that creates the CockroachDB backup schedule, in the bootstrap cluster only. */
  readonly cockroachdb?: { readonly sql: string; readonly host: string };
}

/** The backup facts of `cluster`, or undefined when the environment schedules no backups. */
export function backupMember(env: Environment, cluster: Pick<Cluster, 'name' | 'index'>): BackupMember | undefined {
  const backup = env.backup;
  if (!backup) return undefined;
  // Only member clusters back their store up (placement.ts): the Vault snapshot CronJob where Vault
  // pods run, the CockroachDB schedule Job in the first member cluster.
  const vaultHere = env.vault !== undefined && isMember(env.vault, cluster.name);
  const cockroachHere = env.cockroachdb !== undefined && bootstrapMember(env.cockroachdb) === cluster.name;
  if (!vaultHere && !cockroachHere) return undefined;
  return {
    credentialsSecret: backup.credentialsSecret,
    ...(env.vault && vaultHere
      ? {
          vault: {
            schedule: cronSchedule(backup.schedule),
            destination: vaultSnapshotPrefix(backup, cluster.name),
            mount: authMount(env.pki, cluster.name),
            loginPath: vaultSnapshotLoginPath(env, cluster.name),
            address: vaultLocalServiceURL(env.vault, VAULT_SERVICE),
            clusterNetworks: env.clusters.flatMap((c) => [c.podCIDR, c.serviceCIDR, ...(c.globalCIDR ? [c.globalCIDR] : [])]),
            writesPolicy: bootstrapMember(env.vault) === cluster.name,
          },
        }
      : {}),
    ...(env.cockroachdb && cockroachHere ? { cockroachdb: { sql: cockroachScheduleSql(backup), host: `${COCKROACHDB_PUBLIC_SERVICE}:${COCKROACHDB_SQL_PORT}` } } : {}),
  };
}
