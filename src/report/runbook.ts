// The ordered bootstrap runbook of an environment: the one-shot steps GitOps cannot make healthy by
// itself (DESIGN §6, REFERENCE §8), with exact commands derived from the model.
//
// It is composed, not written here: the trust steps (root CA, seal credentials, Vault init, the
// operator's access, the PKI intermediate) come from src/topology/trust-runbook.ts and the CockroachDB
// SQL from src/topology/cockroachdb.ts, next to the code that decides what the bundle declares; a
// step that becomes declarative disappears there, and the committed reports change with it.
import type { CockroachDbStore, Environment } from '../topology';
import { setupSql, sqlShellCommand } from '../topology/cockroachdb';
import { trustRunbook } from '../topology/trust-runbook';
import { backupRunbookSteps } from './operations';

export interface RunbookStep {
  /** Stable identifier (kebab-case). */
  readonly id: string;
  readonly title: string;
  /** Why the step is manual and what it achieves. */
  readonly why: string;
  /** Shell commands, in order, exactly as to run them. */
  readonly commands: readonly string[];
  /** What success looks like. */
  readonly expect?: string;
}

/** The runbook addresses each cluster through a kubectl context named like the cluster (REFERENCE §1.2). */
export const CONTEXT_CONVENTION = 'every command addresses a cluster through the kubectl context named like it (`--context <cluster>`)';

/** Where Submariner's components run and read their Secrets (REFERENCE §2.5); the Submariner install owns it. */
const SUBMARINER_NAMESPACE = 'submariner-operator';

/** Trust steps that must be done before Argo CD first syncs (the Secrets the bundle only names). */
const BEFORE_FIRST_SYNC = new Set(['root-ca', 'vault-seal-credentials']);

export function runbook(env: Environment): RunbookStep[] {
  const trust = trustRunbook(env);
  const backup = backupRunbookSteps(env);
  const steps: RunbookStep[] = [
    {
      id: 'register-clusters',
      title: 'Register every cluster in Argo CD under its meridian name',
      why: 'Each ApplicationSet sends dist/<cluster> to the Argo CD cluster named <cluster>; Argo CD only deploys to clusters it already knows',
      commands: env.clusters.map((c) => `argocd cluster add ${c.name} --name ${c.name}`),
      expect: `argocd cluster list shows ${env.clusters.map((c) => c.name).join(', ')}`,
    },
    ...trust.filter((s) => BEFORE_FIRST_SYNC.has(s.id)),
    ...backup.beforeFirstSync,
    {
      id: 'submariner-secrets',
      title: 'Check the Submariner Secrets in every cluster',
      why: `The Submariner CR names ${env.submariner.brokerSecret} and ${env.submariner.ipsecPSKSecret} but the bundle never holds their values: \`subctl join\` (or ACM) creates them`,
      commands: env.clusters.map((c) => `kubectl --context ${c.name} -n ${SUBMARINER_NAMESPACE} get secret ${env.submariner.brokerSecret} ${env.submariner.ipsecPSKSecret}`),
      expect: 'both Secrets exist in every cluster',
    },
    {
      id: 'apply-applicationsets',
      title: 'Apply the ApplicationSets',
      why: 'From here on Argo CD deploys and heals every cluster folder; the remaining steps are the one-shot actions no manifest can perform',
      commands: [`kubectl apply -k ${env.argocd.path}/argocd    # against the cluster that runs Argo CD, namespace ${env.argocd.namespace}`],
      expect: `one Application per cluster: ${env.clusters.map((c) => `meridian-${c.name}`).join(', ')}`,
    },
    ...trust.filter((s) => !BEFORE_FIRST_SYNC.has(s.id)),
  ];
  if (env.cockroachdb) steps.push(...cockroachSteps(env, env.cockroachdb));
  steps.push({
    id: 'wait-healthy',
    title: 'Wait until every Application is Synced and Healthy',
    why: 'The stores are only Ready once they have quorum, and routes and global DNS come last (sync waves)',
    commands: [`argocd app wait -l meridian.dev/environment=${env.name} --sync --health --timeout 1800`],
    ...(env.argocd.rollout === 'one-cluster-at-a-time' ? { expect: `the rollout syncs ${env.clusters.map((c) => c.name).join(', then ')}, each once the one before is Healthy` } : {}),
  });
  steps.push(...backup.afterSync);
  return steps;
}

function cockroachSteps(env: Environment, db: CockroachDbStore): RunbookStep[] {
  const first = env.clusters[0]!.name;
  const shell = sqlShellCommand(env);
  const sql = setupSql(env);
  const steps: RunbookStep[] = [
    {
      id: 'cockroachdb-init',
      title: `Check that CockroachDB was initialized (the init Job in ${first})`,
      why: `\`cockroach init\` must run exactly once for the whole cluster; the bundle runs it as an idempotent Argo CD Sync-hook Job in ${first} only, so there is nothing to type, only to verify`,
      commands: [shell.map((arg) => (arg === 'sql' ? 'node status' : arg)).join(' ')],
      expect: `${db.quorum.voters} nodes, all is_live = true, ${Object.entries(db.quorum.votersPerCluster).map(([c, n]) => `${n} in ${c}`).join(', ')}`,
    },
  ];
  if (sql.length > 0) {
    const regions = [...new Set(env.clusters.map((c) => c.region))];
    steps.push({
      id: 'cockroachdb-sql',
      title: 'Create the databases, make them multi-region, and create the SQL users of the services',
      why: [
        'Nodes start with --locality=region=<region>, but a database only spreads its replicas by region once it is told its regions',
        db.survivalGoal === 'region' ? `; SURVIVE REGION FAILURE places voting replicas in at least 3 regions (${regions.length} here) so a whole region can fail` : '',
        '. Services authenticate with client certificates whose common name is their SQL user, so the users must exist before they connect. Every statement is idempotent',
      ].join(''),
      commands: [`${shell.join(' ')} <<'SQL'\n${sql.join('\n')}\nSQL`],
      expect: `SHOW REGIONS FROM DATABASE lists ${regions.join(', ')} with ${regions[0]!} primary`,
    });
  }
  return steps;
}
