// Day-2 runbooks: the ordered, exact steps for the changes after the bootstrap that no manifest can
// carry out by itself: adding a cluster, removing one, and upgrading a store's image one cluster at a
// time. `meridian report` prints the store upgrades and the removal (shown for the last cluster), and
// `meridian diff` prints the runbook a pull request needs for the very clusters it adds or removes.
//
// Upstream commands (verified):
// - `vault operator raft remove-peer <server_id>`, `list-peers`, `autopilot state` (hashicorp/vault
//   command/operator_raft_remove_peer.go; developer.hashicorp.com/vault/docs/commands/operator/raft); the
//   server id is the pod's VAULT_RAFT_NODE_ID, `<pod>-<cluster>` (src/constructs/vault-cluster.ts).
// - `cockroach node status --ranges` (ranges_underreplicated / ranges_unavailable must be 0 before a node
//   restarts), `cockroach node decommission <ids>` (hangs when no other nodes can take the replicas),
//   `cluster.preserve_downgrade_option` for a new major version (cockroachlabs.com/docs/stable/cockroach-node,
//   /docs/v19.1/remove-nodes, /docs/v20.2/upgrade-cockroach-version).
// - `ALTER DATABASE ... ADD REGION` / `DROP REGION` (REFERENCE §6, §9.5: drop the region before its nodes go).
// - vault-config-operator objects delete their Vault path when they are deleted, unless their finalizer is
//   gone first (redhat-cop/vault-config-operator controllers/vaultresourcecontroller/
//   vaultengineresourcereconciler.go: the clean-up runs only while the object has the finalizer); removing
//   `metadata.finalizers` by a merge patch lets the object go and leaves Vault alone. `vault auth disable`
//   and `vault policy delete` remove an auth mount and a policy (developer.hashicorp.com/vault/docs/commands).
// - `subctl join broker-info.subm --kubecontext=<c> --clusterid=<c>`, `subctl uninstall` (REFERENCE §1.2, §2).
// - A StatefulSet rolls only the pods whose ordinal is >= spec.updateStrategy.rollingUpdate.partition
//   (kubernetes.io/docs/concepts/workloads/controllers/statefulset/#partitions); Argo CD applies with
//   server-side apply (ServerSideApply=true in the ApplicationSet), so a partition set by kubectl, a field
//   the bundle does not set, stays with its own field manager (kubernetes.io/docs/reference/using-api/
//   server-side-apply/: an apply changes only the fields its manager sets). Argo CD's progressive syncs
//   (RollingSync) would stage whole clusters instead, but are Beta and turn automated sync off (REFERENCE §9.6).
import type { Cluster, Environment, Store } from '../topology';
import { COCKROACHDB, databaseRegions, sqlShellCommand } from '../topology/cockroachdb';
import { bootstrapMember, remoteClientClusters } from '../topology/placement';
import { authMount, configOperatorPolicyName, localNamespacedVaultIssuers } from '../topology/pki';
import { adminLoginCommands, adminRoleCommands, operatorAccessCommands, REVIEWER_TOKEN, reviewerRotationCommands } from '../topology/trust-runbook';
import { VAULT_STATEFULSET } from '../topology/vault';
import { clusterView } from '../topology/view';
import { VAULT_ISSUER } from '../lib/names';
import { ROLLOUT_LABEL, Tier, TIER_LABEL } from '../lib/sync-wave';
import { runbook, withArgocdLogin, type RunbookStep } from './runbook';
import { envFile } from './source';

export interface Day2Runbook {
  /** `add-cluster-cluster4`, `remove-cluster-cluster3`, `upgrade-vault`. */
  readonly id: string;
  readonly title: string;
  /** When it applies. */
  readonly when: string;
  readonly steps: readonly RunbookStep[];
}

const SUBMARINER_NAMESPACE = 'submariner-operator';

/** The runbooks the report carries: every store's image upgrade, and the removal of a cluster (shown for the last one). */
export function day2Runbooks(env: Environment): Day2Runbook[] {
  const out = stores(env).map((s) => upgradeStoreRunbook(env, s));
  if (env.vault) out.push(rotateReviewerTokensRunbook(env, env.vault));
  const last = env.clusters.at(-1);
  if (last && env.clusters.length > 1) out.push({ ...removeClusterRunbook(env, last.name), title: `Remove a cluster (shown for ${last.name}; the same steps with another cluster's name for any other)` });
  return out;
}

function stores(env: Environment): Store[] {
  return [env.vault, env.cockroachdb].filter((s): s is Store => s !== undefined);
}

/**
 * Where the administrator logs in and SQL runs: the first cluster that is not the one being added or
 * removed, among the store's members when a store is given (placement: only they run its pods).
 */
function anchor(env: Environment, except: string, store?: Store): Cluster {
  const candidates = env.clusters.filter((c) => store === undefined || store.clusters.includes(c.name));
  return candidates.find((c) => c.name !== except) ?? candidates[0] ?? env.clusters[0]!;
}

/** The stores with pods in `cluster` (placement, `<store>.clusters`). */
function storesIn(env: Environment, cluster: string): Store[] {
  return stores(env).filter((s) => s.clusters.includes(cluster));
}

/**
 * Stores whose pods a change to `cluster` restarts, with the member clusters to hold and roll: those
 * it is a member of (every other member's peer list changes), and those it is the only client
 * cluster of (placement.ts: its arrival or departure exports or withdraws the client Service and
 * adds or drops its clusterset name in every member's certificate).
 */
function storesTouched(env: Environment, cluster: string): { store: Store; roll: string[] }[] {
  return stores(env).flatMap((s) => {
    if (s.clusters.includes(cluster)) return [{ store: s, roll: otherMembers(s, cluster) }];
    const clients = remoteClientClusters(env, s).map((c) => c.name);
    return clients.length === 1 && clients[0] === cluster ? [{ store: s, roll: [...s.clusters] }] : [];
  });
}

/** The store's member clusters other than `cluster`, in cluster order. */
function otherMembers(store: Store, cluster: string): string[] {
  return store.clusters.filter((c) => c !== cluster);
}

function voters(s: Store): string {
  return `${s.quorum.voters} voters (${Object.entries(s.quorum.votersPerCluster).map(([c, n]) => `${n} in ${c}`).join(', ')}), quorum ${s.quorum.quorum}, survives the loss of ${s.quorum.clustersItCanLose} cluster(s)`;
}

/** `kubectl exec` into the first CockroachDB pod of a cluster, running `cockroach <args>` with the node's certificates. */
function cockroach(env: Environment, cluster: string, args: string): string {
  return `kubectl --context ${cluster} -n ${env.cockroachdb!.namespace} exec ${COCKROACHDB.statefulSet}-0 -- ${COCKROACHDB.binary} ${args} --certs-dir=${COCKROACHDB.certsDir} --host=localhost:${COCKROACHDB.grpcPort}`;
}

function sql(env: Environment, statements: readonly string[]): string {
  return `${sqlShellCommand(env).join(' ')} <<'SQL'\n${statements.join('\n')}\nSQL`;
}

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Adding `cluster` (present in `env`, the environment after the change). */
export function addClusterRunbook(env: Environment, cluster: string): Day2Runbook {
  const c = env.clusters.find((x) => x.name === cluster)!;
  const ctx = `--context ${cluster}`;
  const members = storesIn(env, cluster);
  const touched = storesTouched(env, cluster);
  const bootstrap = runbook(env);
  const only = (id: string): string[] => (bootstrap.find((s) => s.id === id)?.commands ?? []).filter((cmd) => cmd.includes(`--context ${cluster} `));
  const steps: RunbookStep[] = [
    {
      id: 'register',
      title: `Register ${cluster} in Argo CD under its meridian name`,
      why: `The ApplicationSets create meridian-${cluster} and the Applications of its tiers as soon as dist/${cluster} is merged, and Argo CD can only deploy to a cluster it knows`,
      // --yes: no prompt about the argocd-manager ServiceAccount (as in the bootstrap's register-clusters step).
      commands: [`argocd cluster add ${cluster} --name ${cluster} --yes`],
    },
    {
      id: 'secrets',
      title: `Create the Secrets the bundle only names, in ${cluster}, before the merge`,
      why: 'The root CA and the seal credentials must exist before the first sync of the new cluster, as at the bootstrap',
      commands: [...only('root-ca'), ...only('vault-seal-credentials')],
    },
    {
      id: 'submariner-join',
      title: `Join ${cluster} to the Submariner broker on ${env.submariner.broker}`,
      why: 'Peers and clusterset names of the new cluster are only reachable once it has tunnels to every other cluster; the stores of the other clusters will list its pods',
      commands: [
        `subctl join broker-info.subm --kubecontext=${cluster} --clusterid=${cluster} --cable-driver=${env.submariner.cableDriver}`,
        `kubectl ${ctx} -n ${SUBMARINER_NAMESPACE} get secret ${env.submariner.brokerSecret} ${env.submariner.ipsecPSKSecret}`,
        `subctl show connections --kubecontext=${cluster}`,
      ],
      expect: `a connected tunnel to every other cluster (${env.clusters.filter((x) => x.name !== cluster).map((x) => x.name).join(', ')})`,
    },
    ...touched.map((t) => holdStep(t.store, t.roll, t.store.clusters.includes(cluster) ? 'the longer peer list' : 'the certificate with the clusterset name')),
    {
      id: 'merge',
      title: 'Merge the change; Argo CD syncs the new cluster, and the existing store pods stay on their revision',
      why: 'The new pods start with the full peer list and join the running stores (Vault through retry_join and auto-unseal, CockroachDB through --join); the existing members need no restart to admit them',
      commands: [
        // Every tier's Application of the new cluster (they share the cluster label); the later tiers wait, Progressing, for the steps below.
        `argocd app wait -l ${ROLLOUT_LABEL}=${cluster},${TIER_LABEL}=${Tier.PLATFORM} --sync --timeout 1800`,
        ...members.map((s) => `kubectl ${ctx} -n ${s.namespace} rollout status statefulset/${s.kind === 'vault' ? VAULT_STATEFULSET : COCKROACHDB.statefulSet} --timeout=20m`),
      ],
    },
  ];
  const vault = env.vault;
  // Every workload cluster has its auth mount, member of Vault or not; a hub has nothing of Vault.
  if (vault && c.role === 'workload') {
    const at = anchor(env, cluster, vault);
    steps.push({
      id: 'vault-access',
      title: `Create ${cluster}'s auth mount and roles in Vault, logged in as the administrator through ${at.name}`,
      why: `The root token was revoked at the bootstrap; the administrator role it left behind may create the new mount. ${cluster}'s vault-config-operator and cert-manager log in through that mount, so its ClusterIssuer stays not Ready until this is done`,
      commands: [
        ...adminLoginCommands(env, vault, at.name),
        ...operatorAccessCommands(env, vault, c),
        ...adminRoleCommands(env, vault, cluster),
        `kubectl ${ctx} wait clusterissuer/vault-issuer --for=condition=Ready --timeout=10m`,
        ...localNamespacedVaultIssuers(clusterView(env, cluster)).map((i) => `kubectl ${ctx} -n ${i.namespace} wait issuer/${i.name} --for=condition=Ready --timeout=10m`),
      ],
    });
  }
  if (vault && vault.clusters.includes(cluster)) {
    steps.push({
      id: 'vault-membership',
      title: `Check that the Vault pods of ${cluster} joined the Raft cluster`,
      why: 'A pod that could not reach a leader stays uninitialized and is no voter; the quorum below only holds once every pod is in the peer set',
      commands: ['vault operator raft list-peers', 'vault operator raft autopilot state', 'kill %1   # ends the port-forward'],
      expect: `${voters(vault)}, autopilot Healthy: true`,
    });
  }
  const db = env.cockroachdb;
  if (db && db.clusters.includes(cluster)) {
    const at = anchor(env, cluster, db);
    const regionIsNew = env.clusters.filter((x) => db.clusters.includes(x.name) && x.region === c.region).length === 1;
    steps.push({
      id: 'cockroachdb-membership',
      title: `Check that the CockroachDB nodes of ${cluster} joined${regionIsNew && db.databases.length > 0 ? `, then add region ${c.region} to the databases` : ''}`,
      why: regionIsNew
        ? `Nodes in a new region hold replicas of a multi-region database only once the database lists the region (ALTER DATABASE ... ADD REGION); ${db.survivalGoal === 'region' ? 'with SURVIVE REGION FAILURE the voting replicas then spread to it' : 'with ZONE survival the region gets non-voting replicas'}`
        : `${c.region} is already a region of the databases: the new nodes take replicas without SQL`,
      commands: [cockroach(env, at.name, 'node status'), ...(regionIsNew && db.databases.length > 0 ? [sql(env, db.databases.map((d) => `ALTER DATABASE ${quote(d)} ADD REGION IF NOT EXISTS ${quote(c.region)};`))] : [])],
      expect: `${voters(db)}; all is_live = true`,
    });
  }
  for (const t of touched) steps.push(...rollSteps(env, t.store, t.roll));
  steps.push({
    id: 'wait-healthy',
    title: 'Wait until every Application is Synced and Healthy',
    why: 'Routes and global DNS records of the new cluster come last (sync waves)',
    commands: [`argocd app wait -l meridian.dev/environment=${env.name} --sync --health --timeout 1800`],
  });
  return { id: `add-cluster-${cluster}`, title: `Add cluster ${cluster}`, when: `${cluster} is added to ${envFile(env)}`, steps: withArgocdLogin(steps) };
}

/**
 * Rotating the reviewer JWT of every cluster's auth mount (src/topology/trust-runbook.ts): the tokens
 * do not expire, so this is for a suspected leak, a re-created `vault` ServiceAccount, or a policy of
 * regular rotation. Each cluster's mount is rewritten as the administrator logged in through another
 * cluster's mount, so a broken reviewer token of that cluster cannot lock the administrator out.
 */
export function rotateReviewerTokensRunbook(env: Environment, vault: NonNullable<Environment['vault']>): Day2Runbook {
  return {
    id: 'rotate-reviewer-tokens',
    title: 'Rotate the reviewer tokens of the Kubernetes auth mounts',
    when: `when a reviewer token (Secret ${vault.namespace}/${REVIEWER_TOKEN.secret} of a cluster) may have leaked, after ServiceAccount ${REVIEWER_TOKEN.serviceAccount} was re-created, or on your rotation schedule; they do not expire by themselves`,
    steps: env.clusters.map((c) => {
      const at = anchor(env, c.name);
      return {
        id: `rotate-${c.name}`,
        title: `Give ${c.name}'s auth mount a new reviewer token, logged in as the administrator through ${at.name}`,
        why: `A second token Secret reviews the logins while the usual one is deleted (which invalidates its token) and created again, so ${c.name}'s logins never fail in between`,
        commands: [...adminLoginCommands(env, vault, at.name), ...reviewerRotationCommands(env, vault, c), `kubectl --context ${c.name} wait clusterissuer/${VAULT_ISSUER} --for=condition=Ready --timeout=10m`, 'vault token revoke -self && kill %1   # ends the port-forward'],
      };
    }),
  };
}

/** Removing `cluster` (present in `env`, the environment before the change). */
export function removeClusterRunbook(env: Environment, cluster: string): Day2Runbook {
  const c = env.clusters.find((x) => x.name === cluster)!;
  const ctx = `--context ${cluster}`;
  const members = storesIn(env, cluster);
  const touched = storesTouched(env, cluster);
  const global = env.services.filter((s) => s.expose === 'global' && s.servingIn.includes(cluster));
  const steps: RunbookStep[] = [];
  if (global.length > 0 && env.globalLoadBalancer) {
    steps.push({
      id: 'gslb-out',
      title: `Take ${cluster} out of the global DNS first: drain it for ${global.map((s) => s.name).join(', ')} and merge that alone`,
      why: `Clients must stop resolving ${cluster} before anything in it stops; a first pull request adds ${cluster} to drainedIn of each global service (its pods stay warm), and this is checked on the GSLB hub ${env.globalLoadBalancer.hub}`,
      commands: global.map((s) => `kubectl --context ${env.globalLoadBalancer!.hub} get globaldnsrecords.redhatcop.redhat.io -A -o jsonpath='{range .items[?(@.metadata.name=="${s.name}")]}{.spec.endpoints[*].clusterName}{"\\n"}{end}'`),
      expect: `no record lists ${cluster}; then wait the DNS TTL (${env.globalLoadBalancer.ttl} s) before the next step`,
    });
  }
  const db = env.cockroachdb;
  if (db && db.clusters.includes(cluster)) {
    const at = anchor(env, cluster, db);
    // The database regions are the member clusters' regions (placement.ts).
    const rest = env.clusters.filter((x) => x.name !== cluster && db.clusters.includes(x.name));
    const regionGoes = rest.every((x) => x.region !== c.region);
    const primary = databaseRegions(env)[0]!;
    const statements = regionGoes
      ? db.databases.flatMap((d) => [
          ...(c.region === primary ? [`ALTER DATABASE ${quote(d)} SET PRIMARY REGION ${quote(rest[0]!.region)};`] : []),
          // REGION survival needs at least 3 database regions (REFERENCE §9.5)
          ...(db.survivalGoal === 'region' && new Set(rest.map((x) => x.region)).size < 3 ? [`ALTER DATABASE ${quote(d)} SURVIVE ZONE FAILURE;`] : []),
          `ALTER DATABASE ${quote(d)} DROP REGION IF EXISTS ${quote(c.region)};`,
        ])
      : [];
    if (statements.length > 0) {
      steps.push({
        id: 'cockroachdb-drop-region',
        title: `Drop region ${c.region} from the databases while its nodes still run`,
        why: 'A database region must go before the nodes that hold its replicas (REFERENCE §9.5); otherwise the decommission cannot move them',
        commands: [sql(env, statements)],
        expect: `SHOW REGIONS FROM DATABASE no longer lists ${c.region}`,
      });
    }
    steps.push({
      id: 'cockroachdb-decommission',
      title: `Decommission the ${db.quorum.votersPerCluster[cluster] ?? 0} CockroachDB nodes of ${cluster}`,
      why: `Decommissioning moves every replica off the nodes while they run; it hangs if the other nodes cannot take them (${rest.length} clusters remain)`,
      commands: [
        `ids=$(${cockroach(env, at.name, 'node status --format=tsv')} | awk -F'\\t' '$2 ~ /^${COCKROACHDB.statefulSet}-[0-9]+\\.${cluster}\\./ {print $1}')`,
        `${cockroach(env, at.name, 'node decommission $ids')}`,
        `${cockroach(env, at.name, 'node status --ranges')}`,
      ],
      expect: `the nodes of ${cluster} report membership decommissioned; ranges_underreplicated and ranges_unavailable are 0 on the others`,
    });
  }
  steps.push({
    id: 'argocd-out',
    title: `Stop Argo CD from healing ${cluster}, then stop its store pods`,
    why: `Without the cluster registration its Application can no longer sync or self-heal; the ApplicationSet keeps the objects in place when the Application goes (preserveResourcesOnDeletion), so the store pods are stopped by hand`,
    // -y/--yes: no confirmation prompt (argo-cd docs/user-guide/commands/argocd_cluster_rm.md).
    commands: [`argocd cluster rm ${cluster} --yes`, ...members.map((s) => `kubectl ${ctx} -n ${s.namespace} delete statefulset ${s.kind === 'vault' ? VAULT_STATEFULSET : COCKROACHDB.statefulSet} --wait`)],
  });
  const vault = env.vault;
  if (vault && vault.clusters.includes(cluster)) {
    const at = anchor(env, cluster, vault);
    const n = vault.quorum.votersPerCluster[cluster] ?? 0;
    steps.push({
      id: 'vault-remove-peers',
      title: `Remove the ${n} Vault voters of ${cluster} from Raft, logged in as the administrator through ${at.name}`,
      why: `Stopped voters still count towards the quorum until they are removed: with ${n} of ${vault.quorum.voters} gone, one more failure elsewhere could lose it`,
      commands: [
        ...adminLoginCommands(env, vault, at.name),
        ...Array.from({ length: n }, (_, i) => `vault operator raft remove-peer ${VAULT_STATEFULSET}-${i}-${cluster}`),
        'vault operator raft list-peers',
        'kill %1   # ends the port-forward',
      ],
      expect: `${vault.quorum.voters - n} voters, none in ${cluster}`,
    });
  }
  if (vault && c.role === 'workload') steps.push(releaseVaultConfigStep(env, vault, c, anchor(env, cluster, vault).name));
  steps.push(
    {
      id: 'submariner-out',
      title: `Remove Submariner from ${cluster}`,
      why: 'Its tunnels and exported names must go before the cluster is forgotten, or the other clusters keep routes to it',
      commands: [`subctl uninstall --kubecontext=${cluster} --yes`],
    },
    ...touched.map((t) => holdStep(t.store, t.roll, t.store.clusters.includes(cluster) ? 'the shorter peer list' : 'the certificate without the clusterset name')),
    {
      id: 'folder',
      title: `Remove ${cluster} from ${envFile(env)}, run \`meridian synth\`, and merge: dist/${cluster} goes`,
      why: 'Only now do the peer lists, SANs and policies of the remaining clusters stop naming it',
      commands: [`argocd app wait -l meridian.dev/environment=${env.name} --sync --timeout 1800`],
    },
    ...touched.flatMap((t) => rollSteps(env, t.store, t.roll)),
  );
  return { id: `remove-cluster-${cluster}`, title: `Remove cluster ${cluster}`, when: `${cluster} is removed from ${envFile(env)}`, steps: withArgocdLogin(steps) };
}

/**
 * The vault-config-operator resources of a cluster folder (src/charts/pki.ts, src/charts/backup.ts), by
 * their API resource names: every one of them deletes its Vault path when it is deleted with its finalizer.
 */
const VAULT_CONFIG_RESOURCES = ['authenginemounts', 'secretenginemounts', 'kubernetesauthengineconfigs', 'kubernetesauthengineroles', 'pkisecretengineroles', 'policies'].map((r) => `${r}.redhatcop.redhat.io`).join(',');

/**
 * Deliberate removal of what the bundle protects from pruning (Prune=false,Delete=false on the mounts):
 * the cluster's vault-config objects lose their finalizers before they are deleted, so neither this step
 * nor the cluster's teardown unmounts anything in Vault (the first cluster's `pki` mount holds every
 * cluster's intermediate key; the next cluster of the file declares it and the operator there adopts it).
 * Only then is the cluster's own auth mount disabled in Vault, by hand, through another cluster.
 */
function releaseVaultConfigStep(env: Environment, vault: NonNullable<Environment['vault']>, c: Cluster, at: string): RunbookStep {
  const ctx = `kubectl --context ${c.name} -n ${vault.namespace}`;
  const mount = authMount(env.pki, c.name);
  // The first Vault member cluster declares the shared PKI mount (src/charts/pki.ts).
  const first = bootstrapMember(vault) === c.name;
  return {
    id: 'vault-config-release',
    title: `Release ${c.name}'s vault-config-operator objects without touching Vault, then disable its auth mount ${mount} deliberately`,
    why: `Argo CD never prunes or deletes the Vault mounts (Prune=false,Delete=false), and deleting them with their finalizer would make the operator unmount them in Vault${first ? `: ${c.name} declares the shared ${env.pki.vaultPKIPath} mount, whose loss destroys the intermediate key of every cluster` : ''}`,
    commands: [
      `for o in $(${ctx} get ${VAULT_CONFIG_RESOURCES} -o name); do ${ctx} patch "$o" --type=merge -p '{"metadata":{"finalizers":null}}'; done`,
      `${ctx} delete ${VAULT_CONFIG_RESOURCES} --all`,
      ...adminLoginCommands(env, vault, at),
      `vault auth disable ${mount}`,
      `vault policy delete ${configOperatorPolicyName(c.name)}`,
      'vault auth list',
      'kill %1   # ends the port-forward',
    ],
    expect: `vault auth list no longer shows ${mount}/, and the other clusters' mounts are still there`,
  };
}

const statefulSetOf = (store: Store): string => (store.kind === 'vault' ? VAULT_STATEFULSET : COCKROACHDB.statefulSet);

/** Before a merge that changes a store's pod template in these clusters: hold every pod on its current revision. */
function holdStep(store: Store, clusters: readonly string[], what: string): RunbookStep {
  const per = store.replicasPerCluster;
  return {
    id: `hold-${store.kind}`,
    title: `Before the merge, hold the ${store.kind} pods of ${clusters.join(', ')} at their current revision`,
    why: `With the partition at ${per} (the replicas per cluster) a StatefulSet keeps every pod on its old revision when ${what} arrives, so Argo CD syncing every cluster at once restarts nothing`,
    commands: clusters.map((c) => `kubectl --context ${c} -n ${store.namespace} patch statefulset ${statefulSetOf(store)} --type=merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":${per}}}}}'`),
  };
}

/** After the merge: release the pods of one cluster at a time, with the store's checks before the next. */
function rollSteps(env: Environment, store: Store, clusters: readonly string[]): RunbookStep[] {
  const name = statefulSetOf(store);
  const ns = store.namespace;
  const per = store.replicasPerCluster;
  return clusters.map((c, i) => ({
    id: `roll-${store.kind}-${c}`,
    title: `Roll ${store.kind} in ${c} (${i + 1} of ${clusters.length}), then check the store before the next cluster`,
    why: `Only ${per} of ${store.quorum.voters} voters restart, one pod at a time; the next cluster waits until every member is back`,
    commands: [
      `kubectl --context ${c} -n ${ns} patch statefulset ${name} --type=merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'`,
      `kubectl --context ${c} -n ${ns} rollout status statefulset/${name} --timeout=20m`,
      // Vault's Kubernetes service registration labels every pod vault-sealed / vault-active (REFERENCE §9.4)
      store.kind === 'vault' ? `kubectl --context ${c} -n ${ns} get pods -l app.kubernetes.io/name=${name} -L vault-sealed,vault-active,vault-version` : cockroach(env, c, 'node status --ranges'),
    ],
    expect:
      store.kind === 'vault'
        ? `all ${per} pods ready with vault-sealed=false and the new revision (vault-version shows the image's version)`
        : `every node is_live = true; ranges_underreplicated and ranges_unavailable 0 on every node`,
  }));
}

/** A store's new image, one cluster at a time, with the checks between clusters. */
export function upgradeStoreRunbook(env: Environment, store: Store, image?: string): Day2Runbook {
  // Only the member clusters run the store's pods (placement.ts).
  const clusters = [...store.clusters];
  const major = /:v?(\d+\.\d+)\./.exec(store.image)?.[1];
  const steps: RunbookStep[] = [holdStep(store, clusters, 'the new image')];
  if (store.kind === 'cockroachdb' && major) {
    steps.push({
      id: 'preserve-downgrade',
      title: `For a new major version only: keep the cluster version at ${major} until every node runs the new one`,
      why: 'Until the upgrade is finalized the nodes can still be rolled back; a patch release needs no finalization',
      commands: [sql(env, [`SET CLUSTER SETTING cluster.preserve_downgrade_option = '${major}';`])],
    });
  }
  steps.push({
    id: 'merge',
    title: `Merge the image change${image ? ` (${image})` : ''} and wait until every Application is Synced`,
    why: 'The new template is in place everywhere, no pod has restarted yet',
    commands: [`argocd app wait -l meridian.dev/environment=${env.name} --sync --timeout 1800`],
  });
  steps.push(...rollSteps(env, store, clusters));
  if (store.kind === 'cockroachdb' && major) {
    steps.push({
      id: 'finalize',
      title: 'For a new major version only: finalize the upgrade once every node runs it',
      why: "Finalizing enables the new version's features and makes the upgrade permanent",
      commands: [sql(env, ['RESET CLUSTER SETTING cluster.preserve_downgrade_option;'])],
    });
  }
  return { id: `upgrade-${store.kind}`, title: `Upgrade the ${store.kind} image`, when: `${store.kind}.image changes in ${envFile(env)}`, steps: withArgocdLogin(steps) };
}

/** The runbooks a change from `before` to `after` (one environment) needs: clusters added and removed, store images changed. */
export function runbooksForChange(before: Environment | undefined, after: Environment | undefined): Day2Runbook[] {
  if (!before || !after) return [];
  const had = new Set(before.clusters.map((c) => c.name));
  const has = new Set(after.clusters.map((c) => c.name));
  const out: Day2Runbook[] = [];
  for (const c of after.clusters) if (!had.has(c.name)) out.push(addClusterRunbook(after, c.name));
  for (const c of before.clusters) if (!has.has(c.name)) out.push(removeClusterRunbook(before, c.name));
  for (const s of stores(after)) {
    const old = stores(before).find((x) => x.kind === s.kind);
    if (old && old.image !== s.image) out.push(upgradeStoreRunbook(before, old, s.image));
  }
  return out;
}

/** Markdown of day-2 runbooks (`####` per runbook, numbered steps). */
export function day2Markdown(runbooks: readonly Day2Runbook[], level = '###'): string[] {
  const out: string[] = [];
  for (const r of runbooks) {
    out.push(`${level} ${r.title}`, '', `When: ${r.when}.`, '');
    r.steps.forEach((step, i) => {
      out.push(`${i + 1}. **${step.title}.** ${step.why}.`, '', '   ```sh', ...step.commands.flatMap((c) => c.split('\n').map((l) => `   ${l}`)), '   ```', '');
      if (step.expect) out.push(`   Expect: ${step.expect}.`, '');
    });
  }
  return out;
}
