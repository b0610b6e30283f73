// Parsed environment files -> one checked, defaulted, sorted Topology.
// Every rule of DESIGN §2 that a schema cannot express lives here; each violation is a located
// Problem, and all of them are reported together.
import { codePoint, CONTROL_CHARACTER, ISTIO_SIDECAR_PORTS, MAX_CONFIGMAP_BYTES, MAX_DNS_NAME, utf8Bytes } from '../lib/limits';
import { carve, overlaps, parseCidr, type Cidr } from './cidr';
import { clustersetAlias, serviceUrlVariable } from './connectivity';
import { sqlUserProblem } from './cockroachdb';
import { defaultOperatorNamespaces } from './platform';
import { checkGlobalLoadBalancer, DEFAULT_KUBECONFIG_SUFFIX, defaultNamespace, defaultPolicy } from './gslb';
import type { ParsedEnvironment } from './parse';
import { platformNamespaces, platformOwner, type PlatformNamespaces } from './platform-namespaces';
import { cmp, formatPath, walkSpec, type PathSegment, type Problem, TopologyError } from './problems';
import type { ClusterSpec, EnvironmentSpec, ServiceSpec } from './schema';
import { cpuMillis, memoryBytes } from './quantity';
import { refuseSecrets } from './secret-check';
import { urlCredential } from '../lib/secrets';
import { arnRegion, isMultiRegionKey, multiRegionReplica } from '../lib/aws-kms';
import { VAULT_SERVICE } from '../lib/names';
import { serviceWiring } from './service-wiring';
import { looksLikeAwsRegion, sealRegionWarning } from './vault';
import { DEFAULT_DENY_POLICY } from './network-policy';
import { checkHubs, clusterRole, hubRefusal, resolvePlacement, workloadClusterNames } from './placement';
import { checkVaultVoters } from './vault-voters';
import { quorumOf, splitEvenly } from './split';
import type {
  Autoscaling,
  Cluster,
  CommittedFacts,
  CockroachDbStore,
  Environment,
  GlobalLoadBalancer,
  Peer,
  Quorum,
  ResourceAmounts,
  Resources,
  Service,
  StoreKind,
  Strategy,
  Topology,
  VaultStore,
  Patch,
  ExtraManifests,
  SourceLocation,
  Workload,
} from './types';

/** Folder names under dist/ that are not clusters. */
export const RESERVED_CLUSTER_NAMES: readonly string[] = ['argocd', 'base', 'common', 'dist', 'global', 'report', 'reports', 'shared'];
/**
 * Smallest pod network that holds one node's pod range at the Kubernetes default: kube-controller-manager
 * allocates a /24 per node (--node-cidr-mask-size, default 24 for IPv4); OpenShift's default hostPrefix is
 * /23, so an OpenShift cluster needs at least a /23 for one node (its installer checks that itself).
 */
export const MIN_POD_CIDR_PREFIX = 24;
/**
 * Smallest service network: 16 addresses. The API server takes the first address for the `kubernetes`
 * Service and cluster DNS conventionally the tenth (e.g. 172.30.0.10), so a /28 is the least that holds
 * both plus a handful of Services; anything smaller cannot hold a working cluster.
 */
export const MIN_SERVICE_CIDR_PREFIX = 28;
const STORE_KINDS: readonly StoreKind[] = ['cockroachdb', 'vault'];
/** Container resources of a service that sets none. */
const DEFAULT_RESOURCES: Resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } };

export function buildTopology(parsed: readonly ParsedEnvironment[], committed: CommittedFacts = {}): Topology {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const locate = (env: ParsedEnvironment, path: readonly PathSegment[], message: string): Problem => {
    const p = env.locate(path);
    return { source: env.source, line: p.line, col: p.col, path: formatPath(path), message };
  };
  const report = (env: ParsedEnvironment, path: readonly PathSegment[], message: string): void => {
    problems.push(locate(env, path, message));
  };

  // Across environments: environment names and cluster names are global (cluster names become dist/<name>).
  const envByName = new Map<string, ParsedEnvironment>();
  const clusterOwner = new Map<string, { env: ParsedEnvironment; index: number }>();
  const serverOwner = new Map<string, { env: ParsedEnvironment; index: number; name: string }>();
  for (const env of parsed) {
    const first = envByName.get(env.spec.name);
    if (first) report(env, ['name'], `environment "${env.spec.name}" is already defined in ${first.source}; environment names must be unique`);
    else envByName.set(env.spec.name, env);
    env.spec.clusters.forEach((c, i) => {
      if (RESERVED_CLUSTER_NAMES.includes(c.name)) {
        report(env, ['clusters', i, 'name'], `"${c.name}" is reserved for a non-cluster folder of dist/; pick another cluster name`);
      }
      const url = serverUrl(c.server);
      if (typeof url === 'string') {
        report(env, ['clusters', i, 'server'], url);
      } else if (url !== undefined) {
        // Argo CD identifies a destination cluster by its server URL (the cluster Secret's `server`):
        // two clusters with one URL are one cluster to it.
        const other = serverOwner.get(url.key);
        if (other) {
          const where = other.env === env ? `clusters[${other.index}] (${other.name})` : `${other.env.source} (cluster ${other.name})`;
          report(env, ['clusters', i, 'server'], `${c.server} is the API server of ${where} already; Argo CD identifies a cluster by its server URL (compared without case, trailing slash or the default port 443), so give each cluster its own`);
        } else {
          serverOwner.set(url.key, { env, index: i, name: c.name });
        }
      }
      const owner = clusterOwner.get(c.name);
      if (owner) {
        const where = owner.env === env ? `clusters[${owner.index}]` : `${owner.env.source} (environment ${owner.env.spec.name})`;
        report(env, ['clusters', i, 'name'], `cluster "${c.name}" is already defined in ${where}; cluster names are unique across all environments because each becomes dist/${c.name}/`);
      } else {
        clusterOwner.set(c.name, { env, index: i });
      }
    });
  }

  const hostnameOwner = new Map<string, string>();
  const environments = parsed.map((env) =>
    buildEnvironment(
      env,
      (path, message) => report(env, path, message),
      hostnameOwner,
      (path, message) => warnings.push(locate(env, path, message)),
      committed.globalnet?.[env.spec.name],
    ),
  );
  if (problems.length > 0) throw new TopologyError(problems);
  return { environments: [...environments].sort((a, b) => cmp(a.name, b.name)), warnings: new TopologyError(warnings).problems };
}

type Report = (path: readonly PathSegment[], message: string) => void;


/** Highest TCP port. */
const MAX_PORT = 65535;

/**
 * An https URL as WHATWG URL parses it (what Node and Argo CD's Go url.Parse both accept for these
 * forms), with the identity Argo CD compares: lower-case host, explicit port unless 443, no trailing slash.
 */
export function serverUrl(text: string): { key: string; port: number } | string | undefined {
  // A URL with credentials in it is refused by refuseSecrets (secret-check.ts), by the kind of
  // material only: nothing here may quote it or report it a second time under another name.
  if (urlCredential(text) !== undefined) return undefined;
  const port = /^https:\/\/(?:\[[^\]]*\]|[^/:]*)(?::([0-9]*))?/.exec(text)?.[1];
  if (port !== undefined && (port === '' || Number(port) < 1 || Number(port) > MAX_PORT)) {
    return `${JSON.stringify(text)} has port ${port === '' ? '(empty)' : port}; a TCP port is 1..${MAX_PORT}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not a valid URL; write https://<host>[:<port>]`;
  }
  const effective = url.port === '' ? 443 : Number(url.port);
  return { key: `https://${url.hostname.toLowerCase()}${effective === 443 ? '' : `:${effective}`}${url.pathname.replace(/\/+$/, '')}`, port: effective };
}

function buildEnvironment(env: ParsedEnvironment, report: Report, hostnameOwner: Map<string, string>, warn: Report, committedGlobalnet: boolean | undefined): Environment {
  const spec = env.spec;
  const clusterNames = spec.clusters.map((c) => c.name);
  const strategy = spec.strategy ?? 'active-active';
  const resolves = (name: string, path: readonly PathSegment[], what: string): void => {
    if (!clusterNames.includes(name)) report(path, `${what} "${name}" is not a cluster of this environment; choose one of ${clusterNames.join(', ')}`);
  };

  refuseSecrets(spec, report);
  refuseControlCharacters(spec, report);
  const platform = platformNamespaces(spec);

  // Argo CD resolves the Application path inside the repository; it refuses one that leaves it.
  const argoPath = spec.argocd.path;
  if (argoPath !== undefined) {
    const segments = argoPath.replace(/\/+$/, '').split('/');
    const bad = argoPath.startsWith('/')
      ? 'is absolute'
      : segments.includes('..')
        ? 'has a ".." segment'
        : segments.includes('.')
          ? 'has a "." segment'
          : segments.includes('')
            ? 'has an empty segment ("//")'
            : undefined;
    if (bad) report(['argocd', 'path'], `${JSON.stringify(argoPath)} ${bad}; write a folder relative to the repository root, e.g. dist or deploy/dist`);
  }

  const brokerPort = Number(/:([0-9]+)$/.exec(spec.submariner.brokerApiServer)?.[1]);
  if (!(brokerPort >= 1 && brokerPort <= MAX_PORT)) {
    report(['submariner', 'brokerApiServer'], `port ${brokerPort} of ${spec.submariner.brokerApiServer} is not a TCP port (1..${MAX_PORT})`);
  }
  if (spec.vault?.seal.transit) {
    const url = serverUrl(spec.vault.seal.transit.address);
    if (typeof url === 'string') report(['vault', 'seal', 'transit', 'address'], url);
    else if (url !== undefined && servedByOwnVault(new URL(spec.vault.seal.transit.address).hostname, spec.vault.namespace ?? 'vault')) {
      report(['vault', 'seal', 'transit', 'address'], `${new URL(spec.vault.seal.transit.address).hostname} is this environment's own Vault: a Vault that must be unsealed cannot serve its own seal (every pod stays sealed after a full restart); point the transit seal at a separate Vault`);
    }
  }
  const gcpckms = spec.vault && 'gcpckms' in spec.vault.seal ? spec.vault.seal.gcpckms : undefined;
  if (gcpckms && looksLikeAwsRegion(gcpckms.region)) {
    report(['vault', 'seal', 'gcpckms', 'region'], `${gcpckms.region} is not a Cloud KMS location (GCP regions have no dash before their number, e.g. us-east1: cloud.google.com/kms/docs/locations); give the key ring's location: global, a multi-region such as us or europe, or a region`);
  }
  const awskms = spec.vault && 'awskms' in spec.vault.seal ? spec.vault.seal.awskms : undefined;
  const clusterRegions = new Set(spec.clusters.map((c) => c.region));
  for (const region of Object.keys((awskms?.keys ?? {}) as Record<string, string>).sort()) {
    const at = ['vault', 'seal', 'awskms', 'keys', region];
    if (!clusterRegions.has(region)) {
      report(at, `no cluster runs in region ${region}; list a key for each region of the clusters (${[...clusterRegions].join(', ')})`);
      continue;
    }
    // Every Raft member reads the same root key, which Vault stores wrapped by the seal key, and "Vault
    // absolutely requires the original KMS key to unseal" (hashicorp/vault#20337): members in different
    // regions can only use different key IDs if they are replicas of one multi-Region key (same key
    // material, hashicorp/vault#6046), never independent keys.
    const key = (awskms!.keys as Record<string, string>)[region]!;
    if (!isMultiRegionKey(awskms!.kmsKeyId) || multiRegionReplica(awskms!.kmsKeyId, region) !== multiRegionReplica(key, region) || (arnRegion(key) ?? region) !== region) {
      report(at, `${key} is not the replica in ${region} of ${awskms!.kmsKeyId}: every Vault member unwraps the same root key, so a cluster can only unseal with the key that wrapped it (an independent key per region leaves that region's pods sealed); list the replica of one multi-Region key (an mrk- key ID) here, or omit keys: each cluster already uses the replica in its own region`);
    }
  }

  for (const kind of STORE_KINDS) {
    const block = spec[kind];
    if (!block) continue;
    const ns = block.namespace ?? kind;
    const owner = platformOwner(platform, ns);
    if (owner) report(block.namespace === undefined ? [kind] : [kind, 'namespace'], `namespace "${ns}" belongs to ${owner}; give ${kind} a namespace of its own`);
  }

  // References.
  resolves(spec.submariner.broker, ['submariner', 'broker'], 'broker');
  checkHubs(spec, report, warn);
  if (spec.globalLoadBalancer?.hub !== undefined) resolves(spec.globalLoadBalancer.hub, ['globalLoadBalancer', 'hub'], 'hub');

  // Strategy and quorum.
  const stores = STORE_KINDS.filter((k) => spec[k] !== undefined);
  if (strategy === 'active-passive' && spec.clusters.length !== 2) {
    report(['clusters'], `strategy active-passive needs exactly two clusters (one primary, one warm standby), found ${spec.clusters.length}; use active-active for three or more`);
  }
  const placement: Partial<Record<StoreKind, string[]>> = {};
  for (const kind of stores) {
    const members = resolvePlacement(spec, kind, report);
    placement[kind] = members;
    const replicas = spec[kind]!.replicasPerCluster ?? 3;
    const n = replicas * members.length;
    const q = Math.floor(n / 2) + 1;
    if (strategy === 'active-passive') {
      report([kind], `${kind} is a consensus store and cannot run active-passive: with ${members.length} cluster(s) x ${replicas} voters = ${n}, losing the largest cluster leaves ${n - replicas} < quorum ${q}; remove it or use active-active with three or more clusters`);
    } else if (spec[kind]!.clusters === undefined && (members.length < 3 || n - replicas < q)) {
      report([kind], `${kind} must survive the loss of any one cluster: ${members.length} cluster(s) x ${replicas} voters = ${n}, quorum ${q}, and losing one cluster leaves ${n - replicas} (needs N - max_per_cluster >= floor(N/2)+1); add clusters until there are at least three`);
    }
  }
  if (spec.vault) checkVaultVoters(spec, placement.vault ?? [], report);

  const clusters = buildClusters(spec, report);
  const submariner = resolveSubmariner(spec, clusters, report, warn, committedGlobalnet);
  warnAboutStores(spec, placement.vault ?? [], warn);
  const withGlobal = clusters.map((c) => ({ ...c, globalCIDR: submariner.globalCIDRs[c.name] }));

  // CockroachDB region survival needs three regions.
  if (spec.cockroachdb && (spec.cockroachdb.survivalGoal ?? 'region') === 'region') {
    const members = placement.cockroachdb ?? [];
    const regions = [...new Set(spec.clusters.filter((c) => members.includes(c.name)).map((c) => c.region))];
    if (regions.length < 3) {
      report(['cockroachdb', 'survivalGoal'], `survivalGoal region needs at least three distinct regions (CockroachDB places 5 voting replicas across regions and refuses SURVIVE REGION FAILURE with fewer), found ${regions.length} (${regions.join(', ')}); add clusters in other regions or set survivalGoal: zone`);
    }
  }

  if (spec.backup && !spec.vault && !spec.cockroachdb) {
    report(['backup'], 'backup schedules backups of vault and cockroachdb, and this environment runs neither; remove the backup block');
  }

  const services = buildServices(spec, stores, platform, report, hostnameOwner);
  const vault = spec.vault ? vaultStore(spec, placement.vault ?? []) : undefined;
  const cockroachdb = spec.cockroachdb ? cockroachStore(spec, placement.cockroachdb ?? [], report) : undefined;
  checkWiring(spec, { ...(vault ? { vault } : {}), ...(cockroachdb ? { cockroachdb } : {}), services }, report);
  if (!spec.globalLoadBalancer) {
    (spec.services ?? []).forEach((s, i) => {
      if (s.expose === 'global') {
        report(['services', i, 'expose'], `expose: global publishes ${s.hostname ?? `${s.name}.${spec.globalDomain}`} through the global load balancer, and this environment has no globalLoadBalancer block, so the name would never resolve; add globalLoadBalancer or use expose: clusterset`);
      }
    });
  }
  const glb = resolveGlobalLoadBalancer(spec, strategy, clusters, services, report);
  const where = (path: readonly PathSegment[]): SourceLocation => ({ source: env.source, ...env.locate(path), path: formatPath(path) });
  const patches = (spec.patches ?? []).map((p, i): Patch => {
    if (p.cluster !== undefined && !clusterNames.includes(p.cluster)) report(['patches', i, 'cluster'], `cluster "${p.cluster}" is not a cluster of this environment; choose from ${clusterNames.join(', ')}`);
    if ((p.strategic === undefined) === (p.json6902 === undefined)) report(['patches', i], 'set exactly one of strategic (a strategic merge patch) or json6902 (a list of RFC 6902 operations)');
    (p.json6902 ?? []).forEach((op, k) => {
      if ((op.op === 'move' || op.op === 'copy') && op.from === undefined) report(['patches', i, 'json6902', k], `op ${op.op} needs from`);
      if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) report(['patches', i, 'json6902', k], `op ${op.op} needs value`);
    });
    return {
      target: p.target,
      ...(p.cluster !== undefined ? { cluster: p.cluster } : {}),
      type: p.strategic !== undefined ? 'strategic' : 'json6902',
      patch: (p.strategic ?? p.json6902 ?? {}) as Patch['patch'],
      location: where(['patches', i]),
    };
  });
  const extraManifests = (spec.extraManifests ?? []).map((x, i): ExtraManifests => {
    if (x.cluster !== undefined && !clusterNames.includes(x.cluster)) report(['extraManifests', i, 'cluster'], `cluster "${x.cluster}" is not a cluster of this environment; choose from ${clusterNames.join(', ')}`);
    if (x.path.split('/').includes('..')) report(['extraManifests', i, 'path'], 'the folder must be inside the repository: no ".." segments');
    return { path: x.path.replace(/\/+$/, ''), ...(x.cluster !== undefined ? { cluster: x.cluster } : {}), location: where(['extraManifests', i, 'path']) };
  });

  const built: Environment = {
    name: spec.name,
    source: env.source,
    globalDomain: spec.globalDomain,
    strategy,
    argocd: {
      repoURL: spec.argocd.repoURL,
      revision: spec.argocd.revision ?? 'main',
      namespace: spec.argocd.namespace ?? 'argocd',
      project: spec.argocd.project ?? `meridian-${spec.name}`,
      ownProject: spec.argocd.project === undefined,
      path: (spec.argocd.path ?? 'dist').replace(/\/+$/, ''),
      rollout: spec.argocd.rollout ?? 'one-cluster-at-a-time',
    },
    clusters: withGlobal,
    submariner: {
      broker: spec.submariner.broker,
      brokerApiServer: spec.submariner.brokerApiServer,
      brokerNamespace: spec.submariner.brokerNamespace ?? 'submariner-k8s-broker',
      cableDriver: spec.submariner.cableDriver ?? 'libreswan',
      natEnabled: spec.submariner.natEnabled ?? false,
      globalnet: submariner.enabled,
      globalnetCIDR: spec.submariner.globalnetCIDR ?? '242.0.0.0/8',
      globalnetClusterSize: spec.submariner.globalnetClusterSize ?? 65536,
      brokerSecret: spec.submariner.brokerSecret,
      ipsecPSKSecret: spec.submariner.ipsecPSKSecret,
    },
    pki: {
      rootCASecret: spec.pki.rootCASecret,
      vaultPKIPath: spec.pki.vaultPKIPath ?? 'pki',
      vaultRole: spec.pki.vaultRole ?? 'cert-manager',
      authMountPrefix: spec.pki.authMountPrefix ?? 'kubernetes-',
    },
    ...(vault ? { vault } : {}),
    ...(cockroachdb ? { cockroachdb } : {}),
    ...(glb ? { globalLoadBalancer: glb } : {}),
    ...(spec.backup
      ? {
          backup: {
            destination: spec.backup.destination.replace(/\/+$/, ''),
            schedule: spec.backup.schedule ?? '@hourly',
            retentionDays: Number((spec.backup.retention ?? '7d').slice(0, -1)),
            credentialsSecret: spec.backup.credentialsSecret,
          },
        }
      : {}),
    monitoring: spec.monitoring ?? 'none',
    services,
    patches,
    extraManifests,
  };
  checkWorkloadWiring(built, spec, report);
  return built;
}

/** Checks workload overrides that the schema cannot: one volume source each, unique names, reserved names. */
function checkWorkload(s: ServiceSpec, at: readonly PathSegment[], report: Report): Workload {
  const w = s.workload!;
  const unique = (items: readonly { name: string }[] | undefined, field: string, what: string): void => {
    const seen = new Map<string, number>();
    (items ?? []).forEach((it, k) => {
      const first = seen.get(it.name);
      if (first !== undefined) report([...at, field, k, 'name'], `${what} "${it.name}" is already defined at ${field}[${first}]`);
      else seen.set(it.name, k);
    });
  };
  unique(w.env, 'env', 'environment variable');
  unique(w.volumes, 'volumes', 'volume');
  unique(w.ports, 'ports', 'port');
  const mountPaths = new Map<string, number>();
  (w.volumes ?? []).forEach((v, k) => {
    const sources = (['secret', 'configMap', 'emptyDir', 'persistentVolumeClaim'] as const).filter((x) => v[x] !== undefined);
    if (sources.length !== 1) report([...at, 'volumes', k], `volume "${v.name}" needs exactly one of secret, configMap, emptyDir, persistentVolumeClaim (found ${sources.length === 0 ? 'none' : sources.join(', ')})`);
    if (v.name === 'tmp' || v.mountPath === '/tmp') report([...at, 'volumes', k, v.name === 'tmp' ? 'name' : 'mountPath'], 'the volume "tmp" at /tmp is meridian\'s writable /tmp (the root filesystem is read-only); use another name and path');
    const first = mountPaths.get(v.mountPath);
    if (first !== undefined) report([...at, 'volumes', k, 'mountPath'], `${v.mountPath} is already mounted by volumes[${first}]`);
    else mountPaths.set(v.mountPath, k);
  });
  (w.ports ?? []).forEach((p, k) => {
    if (p.name === 'http') report([...at, 'ports', k, 'name'], 'the port name "http" is the service\'s own port; choose another name');
    if (p.port === s.port) report([...at, 'ports', k, 'port'], `port ${p.port} is the service's own port; extra ports need other numbers`);
  });
  return w;
}

/** The auth mount argument of serviceWiring where only the variable names and mounts are compared. */
const WIRING_NAMES_ONLY = '';

/** Workload overrides must not take the names meridian's wiring uses (store and service URLs, certificate mounts). */
function checkWorkloadWiring(env: Environment, spec: EnvironmentSpec, report: Report): void {
  for (const service of env.services) {
    if (!service.workload) continue;
    const i = (spec.services ?? []).findIndex((s) => s.name === service.name);
    const wiring = serviceWiring(env, service, WIRING_NAMES_ONLY);
    (service.workload.env ?? []).forEach((v, k) => {
      if (wiring.env.some((e) => e.name === v.name)) report(['services', i, 'workload', 'env', k, 'name'], `${v.name} is set by meridian from uses (${[...service.usesStores, ...service.usesServices].join(', ')}); choose another name`);
    });
    (service.workload.volumes ?? []).forEach((v, k) => {
      const taken = [...wiring.mounts, ...(wiring.vaultToken ? [wiring.vaultToken] : [])].find((m) => m.volume === v.name || m.mountPath === v.mountPath);
      if (taken) report(['services', i, 'workload', 'volumes', k], `volume ${taken.volume} at ${taken.mountPath} is mounted by meridian for uses; choose another name and path`);
    });
  }
}

function buildClusters(spec: EnvironmentSpec, report: Report): Cluster[] {
  return spec.clusters.map((c: ClusterSpec, index) => {
    for (const zone of c.zones ?? []) {
      if (!zone.startsWith(c.region)) {
        report(['clusters', index, 'zones'], `zone "${zone}" is not in region ${c.region}; zones of a cluster start with its region name (e.g. ${c.region}a)`);
        break;
      }
    }
    return {
      name: c.name,
      index,
      region: c.region,
      zones: [...(c.zones ?? [])].sort(),
      server: c.server.replace(/\/$/, ''),
      ...(c.ingressDomain ? { ingressDomain: c.ingressDomain } : {}),
      podCIDR: c.podCIDR,
      serviceCIDR: c.serviceCIDR,
      platform: c.platform ?? 'kubernetes',
      role: clusterRole(c),
      vaultConfigOperatorNamespace: c.operatorNamespaces?.vaultConfigOperator ?? defaultOperatorNamespaces(c.platform ?? 'kubernetes').vaultConfigOperator,
    };
  });
}

/** CIDR validity, overlaps, and the globalnet decision with one slice per cluster. */
function resolveSubmariner(
  spec: EnvironmentSpec,
  clusters: readonly Cluster[],
  report: Report,
  warn: Report,
  committedGlobalnet: boolean | undefined,
): { enabled: boolean; globalCIDRs: Record<string, string | undefined> } {
  const nets: { cluster: number; field: 'podCIDR' | 'serviceCIDR'; cidr: Cidr }[] = [];
  clusters.forEach((c, i) => {
    for (const field of ['podCIDR', 'serviceCIDR'] as const) {
      const parsed = parseCidr(c[field]);
      if (typeof parsed === 'string') {
        report(['clusters', i, field], parsed);
        continue;
      }
      const min = field === 'podCIDR' ? MIN_POD_CIDR_PREFIX : MIN_SERVICE_CIDR_PREFIX;
      if (parsed.prefix > min) {
        const why =
          field === 'podCIDR'
            ? `a pod network must hold at least one node's pod range, a /${MIN_POD_CIDR_PREFIX} at the Kubernetes default (kube-controller-manager --node-cidr-mask-size), a /23 on OpenShift (hostPrefix)`
            : `a service network needs the kubernetes Service (first address), cluster DNS (conventionally the tenth) and room for Services`;
        report(['clusters', i, field], `${parsed.text} is too small: ${why}; use a /${min} or larger`);
      }
      nets.push({ cluster: i, field, cidr: parsed });
    }
  });
  let crossOverlap = false;
  let firstOverlap: { at: PathSegment[]; text: string } | undefined;
  for (let a = 0; a < nets.length; a++) {
    for (let b = a + 1; b < nets.length; b++) {
      const x = nets[a]!;
      const y = nets[b]!;
      if (!overlaps(x.cidr, y.cidr)) continue;
      const nx = clusters[x.cluster]!.name;
      const ny = clusters[y.cluster]!.name;
      if (x.cluster === y.cluster) {
        report(['clusters', y.cluster, y.field], `${nx} ${y.field} ${y.cidr.text} overlaps its own ${x.field} ${x.cidr.text}; pod and service networks of a cluster must be disjoint`);
      } else if (spec.submariner.globalnet === false) {
        report(['clusters', y.cluster, y.field], `${ny} ${y.field} ${y.cidr.text} overlaps ${nx} ${x.field} ${x.cidr.text}; Submariner routes these networks between clusters, so pick disjoint ranges or set submariner.globalnet: true (or auto)`);
      } else {
        crossOverlap = true;
        firstOverlap ??= { at: ['clusters', y.cluster, y.field], text: `${ny} ${y.field} ${y.cidr.text} overlaps ${nx} ${x.field} ${x.cidr.text}` };
      }
    }
  }
  const mode = spec.submariner.globalnet ?? 'auto';
  const enabled = mode === true || (mode === 'auto' && crossOverlap);
  if (mode === 'auto' && crossOverlap && firstOverlap) {
    const where: PathSegment[] = spec.submariner.globalnet === undefined ? ['submariner'] : ['submariner', 'globalnet'];
    if (committedGlobalnet === false) {
      // A CIDR typo must not silently re-address a running fleet: the committed bundle has globalnet off.
      report(where, `globalnet: auto would switch globalnet on because ${firstOverlap.text}, but the committed output runs with globalnet off; that moves every cross-cluster address and NetworkPolicy to the globalnet range. Fix the CIDR, or set globalnet: true to migrate on purpose`);
    } else {
      warn(where, `globalnet: auto switches globalnet on because ${firstOverlap.text}: cross-cluster traffic uses addresses from ${spec.submariner.globalnetCIDR ?? '242.0.0.0/8'} and NetworkPolicies allow those; set globalnet: true to make it explicit, or fix the CIDR`);
    }
  }
  const globalCIDRs: Record<string, string | undefined> = {};
  if (enabled) {
    const supernet = parseCidr(spec.submariner.globalnetCIDR ?? '242.0.0.0/8');
    const blockSize = spec.submariner.globalnetClusterSize ?? 65536;
    if (typeof supernet === 'string') {
      report(['submariner', 'globalnetCIDR'], supernet);
    } else {
      for (const n of nets) {
        if (overlaps(n.cidr, supernet)) {
          report(['submariner', 'globalnetCIDR'], `globalnet supernet ${supernet.text} overlaps ${clusters[n.cluster]!.name} ${n.field} ${n.cidr.text}; choose a supernet outside every cluster network`);
          break;
        }
      }
      clusters.forEach((c, i) => {
        globalCIDRs[c.name] = carve(supernet, blockSize, i);
      });
      if (clusters.some((c) => globalCIDRs[c.name] === undefined)) {
        report(['submariner', 'globalnetClusterSize'], `${clusters.length} clusters x ${blockSize} addresses do not fit in ${supernet.text}; use a larger globalnetCIDR or a smaller globalnetClusterSize`);
      }
    }
  }
  return { enabled, globalCIDRs };
}

/** Valid store layouts that cost more than they look: an even Vault voter count, a seal key in one region. */
/** Vault's headless peer Service. */
const VAULT_HEADLESS_SERVICE_NAME = 'vault-internal';

/**
 * Whether a host name is one of this environment's Vault Services: `vault` or `vault-internal` (with
 * pod names in front) in the Vault namespace, short, cluster-local or clusterset-local.
 */
function servedByOwnVault(hostname: string, namespace: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const services = [VAULT_SERVICE, VAULT_HEADLESS_SERVICE_NAME];
  return services.some((svc) => new RegExp(`^([a-z0-9-]+\\.){0,2}${svc}\\.${namespace}(\\.svc(\\.cluster\\.local|\\.clusterset\\.local)?)?$`).test(host));
}

function warnAboutStores(spec: EnvironmentSpec, members: readonly string[], warn: Report): void {
  const v = spec.vault;
  if (!v) return;
  const voters = (v.replicasPerCluster ?? 3) * members.length;
  if (voters % 2 === 0) {
    const q = Math.floor(voters / 2) + 1;
    warn(v.replicasPerCluster === undefined ? ['vault'] : ['vault', 'replicasPerCluster'], `${voters} Vault voters (even): quorum ${q} tolerates ${voters - q} failures, as many as ${voters - 1} voters would, while every write waits for one more acknowledgement; use an odd total`);
  }
  const regions = [...new Set(spec.clusters.filter((c) => members.includes(c.name)).map((c) => c.region))];
  const sealRisk = sealRegionWarning(v.seal, regions);
  if (sealRisk) warn([...sealRisk.path], sealRisk.message);
  const kms = 'awskms' in v.seal ? v.seal.awskms : undefined;
  if (kms && regions.length > 1) {
    // A multi-Region key (mrk-) has a replica with the same key ID in every region it is replicated to
    // (docs.aws.amazon.com/kms/latest/developerguide/mrk-how-it-works.html); a single-Region key or an
    // alias lives in one region only.
    const keys = (kms.keys ?? {}) as Record<string, string>;
    const dependent = regions.filter((r) => keys[r] === undefined && !isMultiRegionKey(kms.kmsKeyId));
    if (dependent.length > 0) {
      const at = dependent.filter((r) => r !== kms.region);
      warn(['vault', 'seal', 'awskms', 'kmsKeyId'], `${kms.kmsKeyId} is a single-Region key or an alias in ${kms.region}: losing region ${kms.region} leaves every restarted Vault pod sealed${at.length > 0 ? ` in ${at.join(', ')} as well` : ''} (REFERENCE §9.4); use a multi-Region key (an mrk- key ID) replicated to ${regions.join(', ')}: each cluster then unseals with the replica in its own region`);
    }
  }
}

function storePeers(spec: EnvironmentSpec, members: readonly string[], pod: string, headless: string, namespace: string, replicas: number): Peer[] {
  return spec.clusters.filter((c) => members.includes(c.name)).flatMap((c) =>
    Array.from({ length: replicas }, (_, ordinal) => ({
      pod: `${pod}-${ordinal}`,
      ordinal,
      cluster: c.name,
      host: `${pod}-${ordinal}.${c.name}.${headless}.${namespace}.svc.clusterset.local`,
    })),
  );
}

function storeQuorum(spec: EnvironmentSpec, members: readonly string[], replicas: number): Quorum {
  const votersPerCluster = Object.fromEntries(spec.clusters.filter((c) => members.includes(c.name)).map((c) => [c.name, replicas]));
  return { ...quorumOf(votersPerCluster), votersPerCluster };
}

/** The fields every consensus store shares, from its block and its defaults; peers are addressed through the headless Service. */
function storeBase<K extends StoreKind>(
  spec: EnvironmentSpec,
  members: readonly string[],
  kind: K,
  block: { readonly namespace?: string; readonly replicasPerCluster?: number; readonly image: string; readonly storageGiB?: number },
  defaults: { readonly pod: string; readonly headlessService: string; readonly storageGiB: number },
) {
  const namespace = block.namespace ?? kind;
  const replicas = block.replicasPerCluster ?? 3;
  return {
    kind,
    namespace,
    replicasPerCluster: replicas,
    image: block.image,
    storageGiB: block.storageGiB ?? defaults.storageGiB,
    headlessService: defaults.headlessService,
    clusters: spec.clusters.filter((c) => members.includes(c.name)).map((c) => c.name),
    peers: storePeers(spec, members, defaults.pod, defaults.headlessService, namespace, replicas),
    quorum: storeQuorum(spec, members, replicas),
  };
}

function vaultStore(spec: EnvironmentSpec, members: readonly string[]): VaultStore {
  const v = spec.vault!;
  return { ...storeBase(spec, members, 'vault', v, { pod: 'vault', headlessService: VAULT_HEADLESS_SERVICE_NAME, storageGiB: 10 }), seal: v.seal };
}

/**
 * CockroachDB node resources: requests equal to limits unless both are given, as Cockroach Labs
 * recommends identical values (cockroachlabs.com/docs/stable/configure-cockroachdb-operator); the
 * default 2 vCPU with 4 GiB per vCPU follows the production checklist
 * (cockroachlabs.com/docs/stable/recommended-production-settings).
 */
const COCKROACHDB_DEFAULT_RESOURCES: ResourceAmounts = { cpu: '2', memory: '8Gi' };
/** (2 x --max-sql-memory) + --cache must stay within 80% of the memory (production checklist, "Cache and SQL memory size"). */
const COCKROACHDB_MEMORY_SHARE = 0.8;

function cockroachResources(c: NonNullable<EnvironmentSpec['cockroachdb']>, report: Report): Resources {
  const pick = (resource: keyof ResourceAmounts, measure: (q: string) => number): { request: string; limit: string } => {
    const request = c.resources?.requests?.[resource];
    const limit = c.resources?.limits?.[resource];
    if (request !== undefined && limit !== undefined && measure(request) > measure(limit)) {
      report(['cockroachdb', 'resources', 'requests', resource], `${resource} request ${request} is above its limit ${limit}; the API server refuses such a container, so lower the request or raise the limit`);
    }
    const value = request ?? limit ?? COCKROACHDB_DEFAULT_RESOURCES[resource];
    return { request: request ?? value, limit: limit ?? value };
  };
  const cpu = pick('cpu', cpuMillis);
  const memory = pick('memory', memoryBytes);
  return { requests: { cpu: cpu.request, memory: memory.request }, limits: { cpu: cpu.limit, memory: memory.limit } };
}

const SIZE_FACTORS: Readonly<Record<string, number>> = { '': 1, K: 1e3, KB: 1e3, M: 1e6, MB: 1e6, G: 1e9, GB: 1e9, T: 1e12, TB: 1e12, Ki: 2 ** 10, KiB: 2 ** 10, Mi: 2 ** 20, MiB: 2 ** 20, Gi: 2 ** 30, GiB: 2 ** 30, Ti: 2 ** 40, TiB: 2 ** 40 };

/** A `cache`/`maxSQLMemory` value in bytes: a percentage of the memory limit, or a size as CockroachDB reads it. */
function sizeBytes(value: string, limitBytes: number): number {
  if (value.endsWith('%')) return (Number(value.slice(0, -1)) / 100) * limitBytes;
  const m = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)$/.exec(value)!;
  return Number(m[1]) * SIZE_FACTORS[m[2]!]!;
}

/** Whole MiB, the unit the flags are written in (`cockroach start --cache=2048MiB`). */
const mib = (bytes: number): string => `${Math.floor(bytes / 2 ** 20)}MiB`;

function cockroachStore(spec: EnvironmentSpec, members: readonly string[], report: Report): CockroachDbStore {
  const c = spec.cockroachdb!;
  const resources = cockroachResources(c, report);
  const limit = memoryBytes(resources.limits.memory);
  const cache = sizeBytes(c.cache ?? '25%', limit);
  const sql = sizeBytes(c.maxSQLMemory ?? '25%', limit);
  if (2 * sql + cache > COCKROACHDB_MEMORY_SHARE * limit) {
    report(['cockroachdb', c.maxSQLMemory !== undefined ? 'maxSQLMemory' : c.cache !== undefined ? 'cache' : 'resources'], `2 x maxSQLMemory (${mib(sql)}) + cache (${mib(cache)}) exceeds 80% of the memory limit ${resources.limits.memory}; CockroachDB's production checklist keeps it within 80% so the process is not OOM-killed; lower cache or maxSQLMemory, or raise the memory limit`);
  }
  return {
    ...storeBase(spec, members, 'cockroachdb', c, { pod: 'cockroachdb', headlessService: 'cockroachdb', storageGiB: 100 }),
    cache: mib(cache),
    maxSQLMemory: mib(sql),
    resources,
    survivalGoal: c.survivalGoal ?? 'region',
    databases: [...(c.databases ?? [])].sort(),
  };
}

function resolveGlobalLoadBalancer(
  spec: EnvironmentSpec,
  strategy: Strategy,
  clusters: readonly Cluster[],
  services: readonly Service[],
  report: Report,
): GlobalLoadBalancer | undefined {
  const g = spec.globalLoadBalancer;
  if (!g) return undefined;
  const provider = g.provider ?? 'global-load-balancer-operator';
  const policy = g.policy ?? defaultPolicy(provider, strategy);
  const strategyRefusesPolicy = strategy === 'active-passive' && policy !== 'Failover';
  if (strategyRefusesPolicy) {
    report(['globalLoadBalancer', 'policy'], `active-passive environments send traffic to the first cluster and fail over to the second: policy must be Failover, found ${policy}`);
  }
  const healthCheck = {
    periodSeconds: g.healthCheck?.periodSeconds ?? 10,
    failureThreshold: g.healthCheck?.failureThreshold ?? 3,
    timeoutSeconds: g.healthCheck?.timeoutSeconds ?? 1,
  };
  if (provider !== 'global-load-balancer-operator' && g.healthCheck !== undefined) {
    // k8gb publishes a cluster while its ingress backend has ready endpoints and runs no HTTP probe
    // (Gslb status serviceHealth, k8gb-io/k8gb api/v1beta1/gslb_types.go); external-dns publishes
    // what it is told and checks nothing (REFERENCE §1.6). A healthCheck would change only the report.
    const how = provider === 'k8gb' ? 'k8gb sends no HTTP probe: it drops a cluster whose gateway has no ready pods' : 'external-dns runs no health checks: a dead region leaves DNS only when it is drained';
    report(['globalLoadBalancer', 'healthCheck'], `healthCheck only applies to provider global-load-balancer-operator (Route53 health checks); ${how}, so these settings would change nothing; remove healthCheck`);
  } else if (healthCheck.failureThreshold < 2) {
    report(['globalLoadBalancer', 'healthCheck', 'failureThreshold'], `failureThreshold ${healthCheck.failureThreshold} declares a cluster down after one failed check; a single lost probe must not fail over a region, use 2 or more`);
  }
  if (provider === 'global-load-balancer-operator' && healthCheck.timeoutSeconds >= healthCheck.periodSeconds) {
    report(['globalLoadBalancer', 'healthCheck', 'timeoutSeconds'], `timeoutSeconds ${healthCheck.timeoutSeconds} must be shorter than periodSeconds ${healthCheck.periodSeconds}`);
  }
  if (provider === 'global-load-balancer-operator' && !g.zone?.route53ZoneID) {
    report(['globalLoadBalancer', g.zone ? 'zone' : 'provider'], 'the global-load-balancer-operator provider needs zone.name and zone.route53ZoneID (the hosted zone of globalDomain)');
  }
  const namespace = g.namespace ?? defaultNamespace(provider);
  const glb: GlobalLoadBalancer = {
    provider,
    hub: g.hub ?? spec.clusters[0]!.name,
    ...(g.zone ? { zone: { ...g.zone } } : {}),
    policy,
    ttl: g.ttl ?? 30,
    healthCheck,
    ...(namespace !== undefined && provider !== 'k8gb' ? { namespace } : {}),
    ...(provider === 'global-load-balancer-operator'
      ? { clusterCredentials: { namespace: g.clusterCredentials?.namespace ?? namespace!, secretSuffix: g.clusterCredentials?.secretSuffix ?? DEFAULT_KUBECONFIG_SUFFIX } }
      : {}),
  };
  checkGlobalLoadBalancer(spec, glb, clusters, services, strategyRefusesPolicy, report);
  return glb;
}

function buildServices(spec: EnvironmentSpec, stores: readonly StoreKind[], platform: PlatformNamespaces, report: Report, hostnameOwner: Map<string, string>): Service[] {
  const clusterNames = spec.clusters.map((c) => c.name);
  const serviceSpecs = spec.services ?? [];
  const serviceNames = serviceSpecs.map((s) => s.name);
  const storeNamespaces = new Map<string, string>();
  if (spec.vault) storeNamespaces.set(spec.vault.namespace ?? 'vault', 'vault');
  if (spec.cockroachdb) storeNamespaces.set(spec.cockroachdb.namespace ?? 'cockroachdb', 'cockroachdb');
  const seen = new Map<string, number>();

  const out = serviceSpecs.map((s: ServiceSpec, i): Service => {
    const at = (...rest: PathSegment[]): PathSegment[] => ['services', i, ...rest];
    const dup = seen.get(s.name);
    if (dup !== undefined) report(at('name'), `service "${s.name}" is already defined at services[${dup}]; service names are unique per environment`);
    else seen.set(s.name, i);
    if ((STORE_KINDS as readonly string[]).includes(s.name)) {
      report(at('name'), `"${s.name}" is the name of a store a service can use; a service named like it is confused with the store in uses and in its Service, certificate and SQL user names, so rename the service`);
    }
    if (s.name === DEFAULT_DENY_POLICY) {
      report(at('name'), `"${s.name}" is the name of the NetworkPolicy that isolates every namespace meridian creates, and a service's own policy carries the service's name; rename the service`);
    }
    const aliased = serviceNames.find((other) => other !== s.name && clustersetAlias({ name: other }) === s.name);
    if (aliased !== undefined) {
      report(at('name'), `"${s.name}" is the name meridian gives the clusterset alias of service "${aliased}" (its ExternalName Service, ServiceEntry and DestinationRule); rename the service`);
    }
    if (ISTIO_SIDECAR_PORTS.includes(s.port)) {
      report(at('port'), `port ${s.port} is reserved by the Istio sidecar (${ISTIO_SIDECAR_PORTS.join(', ')}); listen on another port`);
    }
    const owner = storeNamespaces.get(s.namespace);
    const platformComponent = platformOwner(platform, s.namespace);
    if (platformComponent) {
      report(at('namespace'), `namespace "${s.namespace}" belongs to ${platformComponent}; run services in a namespace of their own`);
    } else if (owner) {
      report(at('namespace'), `namespace "${s.namespace}" is the ${owner} namespace; its default-deny NetworkPolicy would isolate the service, so use another namespace`);
    }

    // Services run on workload clusters only: a hub hosts the control plane and nothing else (placement.ts).
    const activeIn = s.activeIn ?? workloadClusterNames(spec);
    activeIn.forEach((c, k) => {
      const hub = hubRefusal(spec, c, 'service');
      if (!clusterNames.includes(c)) report(at('activeIn', k), `cluster "${c}" is not a cluster of this environment; choose from ${clusterNames.join(', ')}`);
      else if (hub) report(at('activeIn', k), hub);
    });
    const drainedIn = s.drainedIn ?? [];
    drainedIn.forEach((c, k) => {
      const hub = hubRefusal(spec, c, 'service');
      if (!clusterNames.includes(c)) report(at('drainedIn', k), `cluster "${c}" is not a cluster of this environment; choose from ${clusterNames.join(', ')}`);
      else if (hub) report(at('drainedIn', k), hub);
      else if (!activeIn.includes(c)) report(at('drainedIn', k), `service "${s.name}" is not active in ${c}, so it cannot be drained there; add ${c} to activeIn or remove it here`);
    });
    const ordered = (names: readonly string[]): string[] => clusterNames.filter((c) => names.includes(c));
    const active = ordered(activeIn);
    const drained = ordered(drainedIn);
    const serving = active.filter((c) => !drained.includes(c));
    if (active.length > 0 && serving.length === 0) {
      report(at('drainedIn'), `service "${s.name}" is drained in every cluster it is active in (${active.join(', ')}), so nothing would serve it; undrain at least one cluster`);
    }
    if (s.replicas !== undefined && s.autoscaling !== undefined) {
      report(at('replicas'), `replicas has no effect with autoscaling: each cluster's HorizontalPodAutoscaler owns the replica count between its share of minReplicas and maxReplicas; remove replicas`);
    } else if (s.replicas === undefined && s.autoscaling === undefined) {
      report(at('name'), `service "${s.name}" sets neither replicas nor autoscaling; set replicas (a fixed total split over its clusters) or autoscaling (minReplicas, maxReplicas)`);
    }
    if (s.replicas !== undefined && s.replicas < active.length) {
      report(at('replicas'), `${s.replicas} replica(s) cannot cover ${active.length} active clusters (${active.join(', ')}); set replicas to at least ${active.length} or narrow activeIn`);
    }

    const usesStores: StoreKind[] = [];
    const usesServices: string[] = [];
    (s.uses ?? []).forEach((u, k) => {
      if ((STORE_KINDS as readonly string[]).includes(u)) {
        if (!stores.includes(u as StoreKind)) report(at('uses', k), `service uses ${u}, but the environment has no ${u} block; add it or remove "${u}" from uses`);
        else usesStores.push(u as StoreKind);
        const sqlProblem = u === 'cockroachdb' ? sqlUserProblem(s) : undefined;
        if (sqlProblem) report(at('uses', k), sqlProblem);
      } else if (u === s.name) {
        report(at('uses', k), 'a service cannot use itself');
      } else if (!serviceNames.includes(u)) {
        report(at('uses', k), `"${u}" is neither a store (${STORE_KINDS.join(', ')}) nor a service of this environment (${serviceNames.join(', ') || 'none'})`);
      } else {
        usesServices.push(u);
      }
    });

    const expose = s.expose ?? 'cluster';
    let hostname: string | undefined;
    if (expose === 'global') {
      hostname = s.hostname ?? `${s.name}.${spec.globalDomain}`;
      if (hostname.length > MAX_DNS_NAME) {
        report(at('name'), `the hostname ${s.name}.<globalDomain> is ${hostname.length} characters, above the DNS limit of ${MAX_DNS_NAME}; shorten the service name or globalDomain, or set hostname`);
      }
      spec.clusters.forEach((c, k) => {
        if (c.ingressDomain === undefined) return;
        const local = `${s.name}.${c.ingressDomain}`;
        if (local.length > MAX_DNS_NAME) {
          report(['clusters', k, 'ingressDomain'], `the cluster hostname of service "${s.name}", ${s.name}.<ingressDomain>, is ${local.length} characters, above the DNS limit of ${MAX_DNS_NAME}; shorten ingressDomain or the service name`);
        }
      });
      const other = hostnameOwner.get(hostname);
      if (other) report(at(s.hostname ? 'hostname' : 'name'), `hostname ${hostname} is already served by ${other}; each global hostname belongs to one service`);
      else hostnameOwner.set(hostname, `service ${s.name} of environment ${spec.name}`);
    } else if (s.hostname !== undefined) {
      report(at('hostname'), `hostname only applies to expose: global (this service is expose: ${expose}); remove it or expose the service globally`);
    }

    let autoscaling: Autoscaling | undefined;
    let autoscalingByCluster: Record<string, Autoscaling> | undefined;
    if (s.autoscaling) {
      const a = s.autoscaling;
      if (a.minReplicas > a.maxReplicas) report(at('autoscaling', 'minReplicas'), `minReplicas ${a.minReplicas} is above maxReplicas ${a.maxReplicas}`);
      autoscaling = { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, targetCPUUtilizationPercent: a.targetCPUUtilizationPercent ?? 80 };
      const mins = splitEvenly(a.minReplicas, active);
      const maxs = splitEvenly(a.maxReplicas, active);
      autoscalingByCluster = Object.fromEntries(
        active.map((c) => {
          const min = Math.max(1, mins[c]!);
          return [c, { minReplicas: min, maxReplicas: Math.max(min, maxs[c]!), targetCPUUtilizationPercent: autoscaling!.targetCPUUtilizationPercent }];
        }),
      );
    }

    const config: Record<string, string> = {};
    let configBytes = 0;
    for (const key of Object.keys(s.config ?? {}).sort()) {
      const value = String(s.config![key]);
      const control = CONTROL_CHARACTER.exec(value);
      if (control) {
        report(at('config', key), `holds the control character ${codePoint(control[0])} at position ${control.index + 1}; environment variables cannot carry NUL and the other control characters break the manifests and the shells that read them (tab and newline are allowed), so remove it`);
      }
      configBytes += utf8Bytes(value);
      config[key] = value;
    }
    if (configBytes > MAX_CONFIGMAP_BYTES) {
      report(at('config'), `config values add up to ${configBytes} bytes (UTF-8); the API server refuses a ConfigMap whose values exceed ${MAX_CONFIGMAP_BYTES} bytes (1 MiB), so move large values into a file the image ships or a volume`);
    }

    const resources = resolveResources(s.resources, (resource, message) => report(at('resources', 'requests', resource), message));

    return {
      name: s.name,
      namespace: s.namespace,
      image: s.image,
      port: s.port,
      healthPath: s.healthPath,
      // With autoscaling, what always runs: the HPAs' per-cluster minimums.
      replicas: autoscalingByCluster ? Object.values(autoscalingByCluster).reduce((a, x) => a + x.minReplicas, 0) : (s.replicas ?? active.length),
      expose,
      ...(hostname ? { hostname } : {}),
      usesStores: usesStores.sort(),
      usesServices: usesServices.sort(),
      ...(autoscaling ? { autoscaling, autoscalingByCluster } : {}),
      activeIn: active,
      drainedIn: drained,
      servingIn: serving,
      replicasByCluster: autoscalingByCluster ? Object.fromEntries(Object.entries(autoscalingByCluster).map(([c, a]) => [c, a.minReplicas])) : splitEvenly(s.replicas ?? active.length, active),
      resources,
      config,
      ...(s.workload ? { workload: checkWorkload(s, at('workload'), report) } : {}),
    };
  });

  // A service exposed only inside its cluster is reachable by a caller only where both run.
  out.forEach((consumer, i) => {
    (serviceSpecs[i]!.uses ?? []).forEach((u, k) => {
      const used = out.find((o) => o.name === u);
      if (!used || used.expose !== 'cluster') return;
      const missing = consumer.activeIn.filter((c) => !used.activeIn.includes(c));
      if (missing.length > 0) {
        report(['services', i, 'uses', k], `service "${consumer.name}" runs in ${missing.join(', ')}, where "${u}" does not run, and "${u}" is expose: cluster (reachable only inside a cluster that runs it); expose "${u}" as clusterset or run it in ${missing.join(', ')}`);
      }
    });
  });
  return out.sort((a, b) => cmp(a.name, b.name));
}

/**
 * Requests and limits with the defaults applied per field. A default limit below an explicit request
 * is raised to the request (and a default request above an explicit limit lowered to it): only two
 * explicit values that contradict each other are an error, as the API server would refuse them.
 */
function resolveResources(spec: ServiceSpec['resources'], report: (resource: keyof ResourceAmounts, message: string) => void): Resources {
  const pick = (resource: keyof ResourceAmounts, measure: (q: string) => number): { request: string; limit: string } => {
    const request = spec?.requests?.[resource];
    const limit = spec?.limits?.[resource];
    if (request !== undefined && limit !== undefined) {
      if (measure(request) > measure(limit)) report(resource, `${resource} request ${request} is above its limit ${limit}; the API server refuses such a container, so lower the request or raise the limit`);
      return { request, limit };
    }
    if (request !== undefined) {
      const fallback = DEFAULT_RESOURCES.limits[resource];
      return { request, limit: measure(request) > measure(fallback) ? request : fallback };
    }
    if (limit !== undefined) {
      const fallback = DEFAULT_RESOURCES.requests[resource];
      return { request: measure(fallback) > measure(limit) ? limit : fallback, limit };
    }
    return { request: DEFAULT_RESOURCES.requests[resource], limit: DEFAULT_RESOURCES.limits[resource] };
  };
  const cpu = pick('cpu', cpuMillis);
  const memory = pick('memory', memoryBytes);
  return { requests: { cpu: cpu.request, memory: memory.request }, limits: { cpu: cpu.limit, memory: memory.limit } };
}

/**
 * What a service's pods are given (service-wiring.ts) against what the file asks for: a used service
 * whose URL variable is a store variable, and a `config` key that names a wired variable (the
 * container's `env` wins over the ConfigMap's `envFrom`, so the setting would be silently lost).
 */
function checkWiring(spec: EnvironmentSpec, env: Parameters<typeof serviceWiring>[0], report: Report): void {
  const specs = spec.services ?? [];
  for (const service of env.services) {
    const i = specs.findIndex((s) => s.name === service.name);
    if (i < 0) continue;
    const storeVars = serviceWiring(env, { ...service, usesServices: [] }, WIRING_NAMES_ONLY).env.map((v) => v.name);
    let clash = false;
    (specs[i]!.uses ?? []).forEach((u, k) => {
      if (!service.usesServices.includes(u)) return;
      const variable = serviceUrlVariable({ name: u });
      if (storeVars.includes(variable)) {
        clash = true;
        report(['services', i, 'uses', k], `the URL of service "${u}" would be passed as ${variable}, which already carries this service's store connection; rename service "${u}"`);
      }
    });
    if (clash) continue;
    const wired = new Set(serviceWiring(env, service, WIRING_NAMES_ONLY).env.map((v) => v.name));
    for (const key of Object.keys(specs[i]!.config ?? {})) {
      if (wired.has(key)) report(['services', i, 'config', key], `meridian sets ${key} for what this service uses (it wires ${[...wired].sort().join(', ')}), and the container's own variables win over the ConfigMap, so this value would be ignored; remove it or rename the key`);
    }
  }
}

/**
 * Control characters in any field but `config` (checked there with tab and newline allowed): the
 * patterns of free-form fields (repoURL, revision, addresses) admit them, and no consumer takes them.
 */
function refuseControlCharacters(spec: EnvironmentSpec, report: Report): void {
  walkSpec(spec, {
    // config values are checked where they are read, with tab and newline allowed
    enter: (path) => !(path.length === 3 && path[0] === 'services' && path[2] === 'config'),
    string: (path, value) => {
      const c = /[\u0000-\u001f\u007f-\u009f]/.exec(value);
      if (c) report(path, `holds the control character ${codePoint(c[0])} at position ${c.index + 1}; remove it`);
    },
  });
}
