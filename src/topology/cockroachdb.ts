// CockroachDB facts derived from the one model: the start command as an array of flags, the
// addresses peers and clients use, the certificate SANs that must cover them, the locality, and
// the SQL the runbook runs once the cluster is up. Pure: no cdk8s, no IO.
import { COCKROACHDB_PUBLIC_SERVICE, sqlUser } from '../lib/names';
import { cmp } from './problems';
import { vaultPeerNetworks } from './vault';
import type { Cluster, CockroachDbStore, Environment, Service } from './types';

// The deployment's fixed facts live in src/lib (constructs use them too, and speak Kubernetes, not the topology).
export { COCKROACHDB, NODE_CERT_FILES, ROOT_CLIENT_CERT_FILES } from '../lib/cockroachdb';
import { COCKROACHDB } from '../lib/cockroachdb';

/** `<pod>.<cluster>.<headless>.<namespace>.svc.clusterset.local` with the pod name left to the container runtime. */
export function advertiseHost(store: CockroachDbStore, cluster: string): string {
  return clustersetPodHost(store, `$(${COCKROACHDB.podNameVariable})`, cluster);
}

/** The clusterset name of one pod (Lighthouse, REFERENCE §2.1). */
export function clustersetPodHost(store: CockroachDbStore, pod: string, cluster: string): string {
  return `${pod}.${cluster}.${store.headlessService}.${store.namespace}.svc.clusterset.local`;
}

/** Every node of every cluster, `host:port`, sorted: the same `--join` in every cluster. */
export function joinAddresses(store: CockroachDbStore): string[] {
  return store.peers.map((p) => `${p.host}:${COCKROACHDB.grpcPort}`).sort(cmp);
}

/**
 * The node's locality. The region is the cluster's. A zone tier is added only when every cluster
 * of the environment declares exactly one zone: then every node's zone is known when the bundle is
 * written. With several zones per cluster a pod's zone is only known once it is scheduled, which
 * would take a node-reading init container with cluster-wide RBAC; and a tier that only some
 * nodes carry would make localities inconsistent, which CockroachDB's replica placement does not
 * expect. Anti-affinity still spreads a cluster's nodes over its zones.
 */
export function locality(env: Pick<Environment, 'clusters' | 'cockroachdb'>, cluster: Cluster): string {
  const tiers = [`region=${cluster.region}`];
  // The nodes' localities must agree: judged over the member clusters only (placement.ts).
  const members = env.clusters.filter((c) => env.cockroachdb === undefined || env.cockroachdb.clusters.includes(c.name));
  if (members.every((c) => c.zones.length === 1)) tiers.push(`zone=${cluster.zones[0]}`);
  return tiers.join(',');
}

/**
 * `cockroach start` arguments for the nodes of one cluster, each flag built from the model.
 * `$(POD_NAME)` is expanded by the kubelet from the container's environment (no shell involved).
 */
export function startArgs(env: Environment, clusterName: string): string[] {
  const store = requireStore(env);
  const cluster = requireCluster(env, clusterName);
  const flags: [string, string][] = [
    ['join', joinAddresses(store).join(',')],
    ['advertise-addr', `${advertiseHost(store, cluster.name)}:${COCKROACHDB.grpcPort}`],
    ['listen-addr', `:${COCKROACHDB.grpcPort}`],
    ['http-addr', `:${COCKROACHDB.httpPort}`],
    ['locality', locality(env, cluster)],
    ['certs-dir', COCKROACHDB.certsDir],
    ['store', `path=${COCKROACHDB.dataDir}`],
    ['cache', store.cache],
    ['max-sql-memory', store.maxSQLMemory],
    // Everything from INFO up also goes to stderr (kubectl logs); the files in the store stay.
    ['log', JSON.stringify({ sinks: { stderr: { filter: 'INFO' } } })],
  ];
  return ['start', ...flags.map(([name, value]) => `--${name}=${value}`)];
}

/** The clusterset name of the public Service, exported by member clusters when some workload cluster runs no node. */
export function cockroachClustersetPublicHost(store: Pick<CockroachDbStore, 'namespace'>): string {
  return `${COCKROACHDB_PUBLIC_SERVICE}.${store.namespace}.svc.clusterset.local`;
}

/** The SQL host a cluster's clients dial: the local public Service in a member cluster, its clusterset name elsewhere. */
export function cockroachSqlHost(store: Pick<CockroachDbStore, 'namespace' | 'clusters'>, cluster: string): string {
  return store.clusters.includes(cluster) ? `${COCKROACHDB_PUBLIC_SERVICE}.${store.namespace}.svc.cluster.local` : cockroachClustersetPublicHost(store);
}

/** The names one cluster's pods answer to inside that cluster, per ordinal. */
export function localPodHosts(store: CockroachDbStore): string[] {
  return Array.from({ length: store.replicasPerCluster }, (_, i) => `${COCKROACHDB.statefulSet}-${i}.${store.headlessService}.${store.namespace}.svc.cluster.local`);
}

/** `<name>`, `<name>.<ns>`, `<name>.<ns>.svc`, `<name>.<ns>.svc.cluster.local`. */
function serviceNames(name: string, namespace: string): string[] {
  return [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

/**
 * SANs of the node certificate: every name a peer or a client dials. Every pod's clusterset name
 * in every cluster (peers, `--advertise-addr`), the local pod and headless names (init Job), the
 * public Service in all its forms (SQL clients with verify-full), the exported headless name, and
 * localhost (the runbook's `cockroach sql` inside a pod). Identical in every cluster, sorted.
 */
export function nodeCertificateDnsNames(store: CockroachDbStore, remoteClients = false): string[] {
  const ns = store.namespace;
  const local = Array.from({ length: store.replicasPerCluster }, (_, i) => `${COCKROACHDB.statefulSet}-${i}.${store.headlessService}.${ns}`);
  const names = [
    ...store.peers.map((p) => p.host),
    ...local,
    ...local.map((n) => `${n}.svc`),
    ...localPodHosts(store),
    ...serviceNames(store.headlessService, ns),
    `${store.headlessService}.${ns}.svc.clusterset.local`,
    ...serviceNames(COCKROACHDB_PUBLIC_SERVICE, ns),
    // SQL clients in clusters without nodes (cockroachdb.clusters) dial the exported public Service.
    ...(remoteClients ? [cockroachClustersetPublicHost(store)] : []),
    'localhost',
  ];
  return [...new Set(names)].sort(cmp);
}

/** Where the init Job sends `cockroach init`: every node of its own cluster, by local name, in ordinal order. */
export function initHosts(store: CockroachDbStore): string[] {
  return localPodHosts(store).map((h) => `${h}:${COCKROACHDB.grpcPort}`);
}

/** Services with a SQL user of their own, sorted by name. */
export function sqlClients(env: Pick<Environment, 'services'>): Service[] {
  return env.services.filter((s) => s.usesStores.includes('cockroachdb'));
}

/** Users, roles and databases CockroachDB owns: a service taking one as its SQL user would gain its rights. */
const RESERVED_SQL_NAMES = ['admin', 'current_user', 'defaultdb', 'node', 'none', 'postgres', 'public', 'root', 'session_user', 'system'];

/**
 * Why a service name cannot be a SQL user (its client certificate CN and its database), or
 * undefined when it can. CockroachDB user names start with a letter or underscore; reserved
 * names would hand the service another identity (`root`, `node`) or a system database.
 */
export function sqlUserProblem(service: Pick<Service, 'name'>): string | undefined {
  const user = sqlUser(service);
  if (!/^[a-z_]/.test(user)) return `SQL user "${user}" (from service "${service.name}") must start with a letter: CockroachDB refuses user names that start with a digit; rename the service or remove cockroachdb from uses`;
  if (RESERVED_SQL_NAMES.includes(user) || user.startsWith('pg_') || user.startsWith('crdb_internal')) {
    return `SQL user "${user}" (from service "${service.name}") is reserved by CockroachDB; a client certificate with that name would act as it, so rename the service`;
  }
  return undefined;
}

/** Client services with pods in this cluster: they get a client certificate and NetworkPolicy access here. */
export function localSqlClients(env: Pick<Environment, 'services'>, clusterName: string): Service[] {
  return sqlClients(env).filter((s) => s.activeIn.includes(clusterName));
}

/**
 * Source ranges peer nodes of the other clusters connect from: without globalnet their pod CIDRs
 * (Submariner routes pod addresses unchanged), with globalnet their global CIDRs. Never this
 * cluster's own range: local nodes are admitted by pod selector, and the own pod or global CIDR
 * would admit every local pod (rule MER152; the same ranges as Vault's, vaultPeerNetworks).
 */
export function peerSourceCIDRs(env: Pick<Environment, 'clusters' | 'submariner'>, clusterName: string): string[] {
  return vaultPeerNetworks(env, clusterName);
}

/**
 * Databases the runbook creates and makes multi-region: the ones the topology lists plus one per
 * client service, named after its SQL user and owned by it. Sorted, unique.
 */
export function runbookDatabases(env: Environment): string[] {
  const store = requireStore(env);
  return [...new Set([...store.databases, ...sqlClients(env).map((s) => sqlUser(s))])].sort(cmp);
}

/** Distinct regions in cluster order: the first is the bootstrap cluster's, the primary region. */
export function databaseRegions(env: Pick<Environment, 'clusters' | 'cockroachdb'>): string[] {
  // Regions with nodes: a database region without nodes could hold no replica.
  return [...new Set(env.clusters.filter((c) => env.cockroachdb === undefined || env.cockroachdb.clusters.includes(c.name)).map((c) => c.region))];
}

/**
 * The SQL the runbook runs once after initialization, in order, idempotent (IF NOT EXISTS, and
 * ALTERs that converge): databases with their regions and survival goal, then one SQL user per
 * client service (its certificate CN) owning its database. Region names are the nodes'
 * `--locality` regions, so every region has nodes.
 */
export function setupSql(env: Environment): string[] {
  const store = requireStore(env);
  const [primary, ...others] = databaseRegions(env);
  const out: string[] = [];
  for (const db of runbookDatabases(env)) {
    const d = ident(db);
    out.push(`CREATE DATABASE IF NOT EXISTS ${d};`);
    out.push(`ALTER DATABASE ${d} SET PRIMARY REGION ${ident(primary!)};`);
    for (const region of others) out.push(`ALTER DATABASE ${d} ADD REGION IF NOT EXISTS ${ident(region)};`);
    out.push(`ALTER DATABASE ${d} SURVIVE ${store.survivalGoal === 'region' ? 'REGION' : 'ZONE'} FAILURE;`);
  }
  for (const service of sqlClients(env)) {
    const user = ident(sqlUser(service));
    out.push(`CREATE USER IF NOT EXISTS ${user};`);
    out.push(`GRANT ALL ON DATABASE ${user} TO ${user};`);
    out.push(`GRANT ALL ON SCHEMA ${user}.public TO ${user};`);
  }
  return out;
}

/**
 * How the runbook runs `setupSql`: `kubectl exec` into the first node of the first member cluster,
 * whose certs-dir holds the root client certificate, against localhost (a SAN of the node
 * certificate). The SQL is passed on stdin, one statement per line.
 */
export function sqlShellCommand(env: Environment): string[] {
  const store = requireStore(env);
  // The first member cluster: it runs the init Job (placement.ts bootstrapMember).
  const bootstrap = store.clusters[0]!;
  return [
    'kubectl',
    `--context=${bootstrap}`,
    `--namespace=${store.namespace}`,
    'exec',
    '-i',
    `${COCKROACHDB.statefulSet}-0`,
    '--',
    COCKROACHDB.binary,
    'sql',
    `--certs-dir=${COCKROACHDB.certsDir}`,
    `--host=localhost:${COCKROACHDB.grpcPort}`,
  ];
}

/** A SQL identifier, always quoted (service names may be keywords). */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function requireStore(env: Pick<Environment, 'name' | 'cockroachdb'>): CockroachDbStore {
  if (!env.cockroachdb) throw new Error(`environment ${env.name} has no cockroachdb block`);
  return env.cockroachdb;
}

function requireCluster(env: Pick<Environment, 'name' | 'clusters'>, name: string): Cluster {
  const cluster = env.clusters.find((c) => c.name === name);
  if (!cluster) throw new Error(`cluster "${name}" is not part of environment ${env.name}`);
  return cluster;
}
