// The ordered bootstrap runbook of an environment: the one-shot steps GitOps cannot make healthy by
// itself (DESIGN §6, REFERENCE §8), with exact commands derived from the model.
//
// It is composed, not written here: the trust steps (root CA, seal credentials, Vault init, the
// operator's access, the PKI intermediate) come from src/topology/trust-runbook.ts and the CockroachDB
// SQL from src/topology/cockroachdb.ts, next to the code that decides what the bundle declares; a
// step that becomes declarative disappears there, and the committed reports change with it.
import { INGRESS } from '../lib/names';
import { applicationName, Tier, TIER_LABEL, tierFolder } from '../lib/sync-wave';
import type { CockroachDbStore, Environment } from '../topology';
import { databaseRegions, setupSql, sqlShellCommand } from '../topology/cockroachdb';
import { brokerClientServiceAccount, GSLB_READER_SERVICE_ACCOUNT, prerequisites, RUNBOOK_STEP, SUBMARINER_NAMESPACE, tokenSecretName, type OutOfBandSecret } from '../topology/prerequisites';
import { fileVar, renewNotReadyCommand, trustRunbook } from '../topology/trust-runbook';
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

/** Trust steps that must be done before Argo CD first syncs (the Secrets the bundle only names). */
const BEFORE_FIRST_SYNC = new Set(['root-ca', 'vault-seal-credentials']);

/** Trust steps after which the Vault configuration can be applied: the operators can log in to an initialized Vault. */
const BEFORE_VAULT_CONFIG = 'vault-config-operator-access';

/** The file of the ApplicationSet of an environment's tier, relative to the repository root. */
export function applicationSetFile(env: Pick<Environment, 'name' | 'argocd'>, tier: Tier): string {
  return `${env.argocd.path}/argocd/${tier === Tier.PLATFORM ? '' : `${tierFolder(tier)}/`}${env.name}.yaml`;
}

/** The kubectl context of the cluster that runs Argo CD (the runbook's only cluster it does not name). */
const ARGOCD_CONTEXT = `"\${ARGOCD_CONTEXT:?set ARGOCD_CONTEXT to the kubectl context of the cluster that runs Argo CD}"`;

/** `argocd app wait` over the Applications of one tier of an environment (selected by label, so every cluster's). */
function waitTier(env: Environment, tier: Tier, timeout: number): string {
  return `argocd app wait -l meridian.dev/environment=${env.name},${TIER_LABEL}=${tier} --sync --health --timeout ${timeout}`;
}

/**
 * A later tier's ApplicationSet (src/lib/sync-wave.ts, Tier): applied only now, because before this point
 * its objects could not converge and would hold their waves (or, for certificates, make cert-manager
 * back off for an hour).
 */
function applyTierStep(env: Environment, tier: Tier, title: string, why: string, timeout: number, recovery: readonly string[] = []): RunbookStep {
  return {
    id: `apply-${tier}`,
    title,
    why,
    commands: [
      `kubectl --context ${ARGOCD_CONTEXT} -n ${env.argocd.namespace} apply -f ${applicationSetFile(env, tier)}`,
      waitTier(env, tier, timeout),
      `# an Application not Healthy when the wait times out: argocd app get <application> --refresh names the resource and its message; fix that, then run the wait again`,
      ...recovery,
    ],
    expect: `one Application per cluster, Synced and Healthy: ${env.clusters.map((c) => applicationName(c.name, tier)).join(', ')}`,
  };
}

/** The Argo CD session every later `argocd` command of a runbook needs (bootstrap and day-2 alike). */
export function argocdLoginStep(): RunbookStep {
  return {
    id: 'argocd-login',
    title: 'Log in to Argo CD',
    why: 'Every argocd command below talks to the Argo CD API server and needs a session; --grpc-web works through proxies and ingresses that do not pass HTTP/2 (argo-cd docs, user-guide/commands/argocd_login.md)',
    commands: [
      `argocd login "\${ARGOCD_SERVER:?set ARGOCD_SERVER to the host[:port] of your Argo CD API server}" --grpc-web --sso`,
      '# without SSO: argocd login "$ARGOCD_SERVER" --grpc-web --username admin   (prompts for the password; never put it on the command line)',
    ],
    expect: 'argocd account get-user-info shows loggedIn: true',
  };
}

/** A runbook's steps with the Argo CD login first when any step runs an `argocd` command before one. */
export function withArgocdLogin(steps: readonly RunbookStep[]): RunbookStep[] {
  const first = steps.findIndex((s) => s.commands.some((c) => /^argocd /.test(c.trim())));
  if (first < 0 || steps.slice(0, first + 1).some((s) => s.id === 'argocd-login')) return [...steps];
  return [argocdLoginStep(), ...steps];
}

export function runbook(env: Environment): RunbookStep[] {
  const trust = trustRunbook(env);
  const backup = backupRunbookSteps(env);
  const afterFirstSync = trust.filter((s) => !BEFORE_FIRST_SYNC.has(s.id));
  const split = afterFirstSync.findIndex((s) => s.id === BEFORE_VAULT_CONFIG) + 1;
  const steps: RunbookStep[] = [
    argocdLoginStep(),
    {
      id: 'register-clusters',
      title: 'Register every cluster in Argo CD under its meridian name',
      why: 'Each ApplicationSet sends dist/<cluster> to the Argo CD cluster named <cluster>; Argo CD only deploys to clusters it already knows',
      // --yes skips the confirmation prompt about the argocd-manager ServiceAccount (argo-cd cmd/argocd/commands/cluster.go: BoolVarP(&skipConfirmation, "yes", "y", ...)).
      commands: env.clusters.map((c) => `argocd cluster add ${c.name} --name ${c.name} --yes`),
      expect: `argocd cluster list shows ${env.clusters.map((c) => c.name).join(', ')}`,
    },
    ...trust.filter((s) => BEFORE_FIRST_SYNC.has(s.id)),
    ...backup.beforeFirstSync,
    {
      id: 'apply-applicationsets',
      title: 'Apply the platform ApplicationSet (and the AppProject)',
      why: `From here on Argo CD deploys and heals the platform of every cluster folder, which needs no human step to converge (Vault reports Ready while uninitialized), so a progressive rollout reaches every cluster; the tiers that do need one (${[Tier.VAULT_CONFIG, Tier.VAULT_PKI, Tier.SERVICES].map((t) => `dist/<cluster>/${tierFolder(t)}/`).join(', ')}) get their ApplicationSets from the steps that make them convergent`,
      commands: [`kubectl --context ${ARGOCD_CONTEXT} -n ${env.argocd.namespace} apply -k ${env.argocd.path}/argocd`, waitTier(env, Tier.PLATFORM, 1800)],
      expect: `one Application per cluster, Synced and Healthy: ${env.clusters.map((c) => applicationName(c.name, Tier.PLATFORM)).join(', ')}`,
    },
    submarinerStep(env),
    ...gslbSteps(env),
    ...serviceSecretSteps(env),
    ...afterFirstSync.slice(0, split),
  ];
  if (env.vault) {
    steps.push(
      applyTierStep(
        env,
        Tier.VAULT_CONFIG,
        'Apply the vault-config ApplicationSet: the Vault configuration and the Vault-backed issuers',
        "Vault is initialized and every cluster's vault-config-operator can log in, so the mounts, roles and policies reconcile and the Vault issuers become Ready; applied earlier, they would only wait",
        900,
      ),
    );
  }
  steps.push(...afterFirstSync.slice(split));
  if (env.vault) {
    steps.push(
      applyTierStep(
        env,
        Tier.VAULT_PKI,
        'Apply the vault-pki ApplicationSet: everything that needs a certificate from the Vault PKI',
        'The PKI mount has its signed intermediate, so every Certificate the Vault issuers sign is issued at the first request; requested before, Vault refuses it ("no default issuer") and cert-manager backs off for an hour, then longer',
        1800,
        [
          '# a Certificate that still failed (Ready=False after a request Vault refused): ask cert-manager to issue it again now instead of after its back-off',
          ...env.clusters.map((c) => renewNotReadyCommand(c.name)),
        ],
      ),
    );
  }
  if (env.cockroachdb) steps.push(...cockroachSteps(env, env.cockroachdb));
  steps.push(
    applyTierStep(
      env,
      Tier.SERVICES,
      'Apply the services ApplicationSet',
      'The stores are up and the SQL users exist, so every service starts with what it needs; in an Application of their own, a service that fails never holds a wave of the platform',
      1800,
    ),
  );
  steps.push({
    id: 'wait-healthy',
    title: 'Wait until every Application is Synced and Healthy',
    why: 'The stores are only Ready once they have quorum, and routes and global DNS come last (sync waves)',
    commands: [`argocd app wait -l meridian.dev/environment=${env.name} --sync --health --timeout 1800`],
    ...(env.argocd.rollout === 'one-cluster-at-a-time' ? { expect: `each rollout syncs ${env.clusters.map((c) => c.name).join(', then ')}, each once the one before is Healthy` } : {}),
  });
  steps.push(...backup.afterSync);
  return steps;
}

function cockroachSteps(env: Environment, db: CockroachDbStore): RunbookStep[] {
  // The init Job and the SQL run in the first member cluster (cockroachdb.clusters, placement.ts).
  const first = db.clusters[0]!;
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
    const regions = databaseRegions(env);
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

/** A private scratch folder for credential files: nothing secret is ever an argument of a command. */
const SCRATCH = 'D="$(mktemp -d)"   # private scratch folder for the credential files of this step';
const SCRATCH_END = 'rm -rf "$D"';

/** A long-lived token of a ServiceAccount, revoked by deleting the Secret (its name is meridian's, not generated). */
function tokenSecretCommands(context: string, namespace: string, serviceAccount: string): string[] {
  const secret = tokenSecretName(serviceAccount);
  return [
    `until kubectl --context ${context} -n ${namespace} get serviceaccount ${serviceAccount} >/dev/null 2>&1; do sleep 10; done   # synced by Argo CD`,
    // The token controller fills a Secret of this type for the ServiceAccount its annotation names (the API server requires the annotation at creation).
    `kubectl --context ${context} -n ${namespace} create secret generic ${secret} --type=kubernetes.io/service-account-token --dry-run=client -o yaml | kubectl annotate --local -f - kubernetes.io/service-account.name=${serviceAccount} -o yaml | kubectl --context ${context} -n ${namespace} apply -f -`,
    `until [ -n "$(kubectl --context ${context} -n ${namespace} get secret ${secret} -o jsonpath='{.data.token}')" ]; do sleep 2; done`,
    `kubectl --context ${context} -n ${namespace} get secret ${secret} -o jsonpath='{.data.token}' | base64 -d > "$D/token"`,
    `kubectl --context ${context} -n ${namespace} get secret ${secret} -o jsonpath='{.data.ca\\.crt}' | base64 -d > "$D/ca.crt"`,
  ];
}

/**
 * The Submariner CR names brokerK8sSecret and ceIPSecPSKSecret; this step creates both under exactly
 * those names (subctl's own names are never relied on: \`subctl join\` generates its Secret and writes
 * its own Submariner CR, REFERENCE §9.2). Keys as submariner-operator reads them: ca.crt, token and
 * namespace of the broker client token; psk.
 */
function submarinerStep(env: Environment): RunbookStep {
  const s = env.submariner;
  const commands = [SCRATCH, 'openssl rand -base64 48 > "$D/psk"   # one IPsec pre-shared key for the whole cluster set'];
  for (const c of env.clusters) {
    commands.push(
      `# ${c.name}`,
      ...tokenSecretCommands(s.broker, s.brokerNamespace, brokerClientServiceAccount(c.name)),
      `kubectl --context ${c.name} create namespace ${SUBMARINER_NAMESPACE} --dry-run=client -o yaml | kubectl --context ${c.name} apply -f -`,
      `kubectl --context ${c.name} -n ${SUBMARINER_NAMESPACE} create secret generic ${s.brokerSecret} --from-file=token="$D/token" --from-file=ca.crt="$D/ca.crt" --from-literal=namespace=${s.brokerNamespace}`,
      `kubectl --context ${c.name} -n ${SUBMARINER_NAMESPACE} create secret generic ${s.ipsecPSKSecret} --from-file=psk="$D/psk"`,
    );
  }
  commands.push(SCRATCH_END);
  return {
    id: RUNBOOK_STEP.submariner,
    title: `Create ${s.brokerSecret} and ${s.ipsecPSKSecret} in ${SUBMARINER_NAMESPACE} of every cluster, from the broker client accounts meridian creates on ${s.broker}`,
    why: `The Submariner CR of each cluster names these Secrets; the bundle creates on ${s.broker} one broker ServiceAccount per cluster (bound to the broker client Role), and only its token, which is a secret, is copied here. Do not run \`subctl join\`: it creates another Secret and its own Submariner CR`,
    commands,
    expect: `kubectl --context <cluster> -n ${SUBMARINER_NAMESPACE} get submariner submariner -o jsonpath='{.status.gateways}' lists a connected gateway in every cluster`,
  };
}

function gslbSteps(env: Environment): RunbookStep[] {
  const hub = prerequisites(env).find((p) => p.secrets.some((x) => x.runbookStep === RUNBOOK_STEP.gslb || x.runbookStep === RUNBOOK_STEP.gslbZone));
  if (!hub) return [];
  const steps: RunbookStep[] = [];
  const kubeconfigs = hub.secrets.filter((x) => x.runbookStep === RUNBOOK_STEP.gslb);
  if (kubeconfigs.length > 0) {
    const commands = [SCRATCH];
    for (const secret of kubeconfigs) {
      const endpoint = env.clusters.find((c) => secret.name === `${c.name}${env.globalLoadBalancer!.clusterCredentials!.secretSuffix}`)!;
      commands.push(
        `# ${endpoint.name}`,
        ...tokenSecretCommands(endpoint.name, INGRESS.namespace, GSLB_READER_SERVICE_ACCOUNT),
        `cat > "$D/kubeconfig" <<EOF\napiVersion: v1\nkind: Config\nclusters:\n  - name: ${endpoint.name}\n    cluster:\n      server: ${endpoint.server}\n      certificate-authority-data: $(base64 -w0 < "$D/ca.crt")\nusers:\n  - name: ${GSLB_READER_SERVICE_ACCOUNT}\n    user:\n      token: $(cat "$D/token")\ncontexts:\n  - name: ${endpoint.name}\n    context: { cluster: ${endpoint.name}, user: ${GSLB_READER_SERVICE_ACCOUNT} }\ncurrent-context: ${endpoint.name}\nEOF`,
        `kubectl --context ${hub.cluster} -n ${secret.namespace} create secret generic ${secret.name} --from-file=kubeconfig="$D/kubeconfig"`,
      );
    }
    commands.push(SCRATCH_END);
    steps.push({
      id: RUNBOOK_STEP.gslb,
      title: `Give the global-load-balancer-operator on ${hub.cluster} a kubeconfig Secret for every endpoint cluster, ${hub.cluster} included`,
      why: `Each GlobalDNSRecord endpoint names <cluster>${env.globalLoadBalancer!.clusterCredentials!.secretSuffix} (key kubeconfig); the operator reads the gateway Service and the Infrastructure of that cluster through it. The bundle creates the ServiceAccount ${GSLB_READER_SERVICE_ACCOUNT} with exactly those read rights in every endpoint cluster; this step turns its token into the kubeconfig`,
      commands,
      expect: `kubectl --context ${hub.cluster} -n ${kubeconfigs[0]!.namespace} get globaldnsrecords shows every record with a ReconcileSuccess condition`,
    });
  }
  for (const secret of hub.secrets.filter((x) => x.runbookStep === RUNBOOK_STEP.gslbZone)) {
    steps.push(zoneStep(hub.cluster, secret));
  }
  return steps;
}

/**
 * The Secrets services name through their workload overrides, in every cluster the service runs in.
 * Their values belong to the service's team; the commands show where each key goes.
 */
function serviceSecretSteps(env: Environment): RunbookStep[] {
  const secrets = prerequisites(env).flatMap((p) => p.secrets.filter((x) => x.runbookStep === RUNBOOK_STEP.serviceSecrets));
  if (secrets.length === 0) return [];
  const command = (x: OutOfBandSecret): string =>
    x.keys.includes('.dockerconfigjson')
      ? `kubectl --context ${x.cluster} -n ${x.namespace} create secret generic ${x.name} --type=kubernetes.io/dockerconfigjson --from-file=.dockerconfigjson=${fileVar('.dockerconfigjson', 'a docker config.json for the registry')}`
      : `kubectl --context ${x.cluster} -n ${x.namespace} create secret generic ${x.name} ${x.keys.length > 0 ? x.keys.map((k) => `--from-file=${k}=${fileVar(k)}`).join(' ') : `--from-file=${fileVar('secret', 'a folder holding one file per key the volume mounts')}`}`;
  return [
    {
      id: RUNBOOK_STEP.serviceSecrets,
      title: `Create the Secrets the services name in their workload settings, in every cluster they run in`,
      why: `${[...new Set(secrets.map((x) => `${x.namespace}/${x.name}`))].join(', ')}: named by the environment file (services[].workload), never written by meridian, so the pods stay Pending until they exist`,
      commands: secrets.map(command),
      expect: `kubectl --context <cluster> -n <namespace> get secret <name> finds each one; the service's pods start`,
    },
  ];
}

function zoneStep(hub: string, secret: OutOfBandSecret): RunbookStep {
  return {
    id: RUNBOOK_STEP.gslbZone,
    title: `Give the GlobalDNSZone its Route53 credentials (${secret.namespace}/${secret.name} on ${hub})`,
    why: 'The zone provider writes the global records with them; they are secrets, so meridian only references them',
    commands: [`kubectl --context ${hub} -n ${secret.namespace} create secret generic ${secret.name} ${secret.keys.map((k) => `--from-file=${k}=${fileVar(k)}`).join(' ')}`],
  };
}
