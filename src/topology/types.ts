// The resolved, checked model: defaults applied, references resolved, everything sorted.
// Deeply readonly; built only by buildTopology (model.ts). No cdk8s here.
import type { PatchSpec, SealSpec, WorkloadSpec } from './schema';
import type { Platform } from '../lib/platform';

export type Strategy = 'active-active' | 'active-passive';
export type Expose = 'global' | 'clusterset' | 'cluster';
export type StoreKind = 'vault' | 'cockroachdb';
export type GslbProvider = 'global-load-balancer-operator' | 'k8gb' | 'external-dns';

export interface Topology {
  /** Sorted by name. */
  readonly environments: readonly Environment[];
  /** Valid but surprising choices, located like problems (`warning:` lines; `--strict` makes them errors). */
  readonly warnings: readonly import('./problems').Problem[];
}

/** Facts about the committed output that the checks need, read by the IO layer (main.ts). */
export interface CommittedFacts {
  /** Per environment: whether the committed Submariner CRs had globalnet on; absent when nothing is committed. */
  readonly globalnet?: Readonly<Record<string, boolean>>;
}

export interface Environment {
  readonly name: string;
  /** The file it was loaded from, as given to the loader. */
  readonly source: string;
  readonly globalDomain: string;
  readonly strategy: Strategy;
  readonly argocd: ArgoCd;
  /** In file order: the first is the bootstrap cluster. */
  readonly clusters: readonly Cluster[];
  readonly submariner: Submariner;
  readonly pki: Pki;
  readonly vault?: VaultStore;
  readonly cockroachdb?: CockroachDbStore;
  readonly globalLoadBalancer?: GlobalLoadBalancer;
  /** Scheduled backups of the stores, when the file asks for them. */
  readonly backup?: Backup;
  readonly monitoring: Monitoring;
  /** Sorted by name. */
  readonly services: readonly Service[];
  /** Changes to generated objects, in file order, applied before validation. */
  readonly patches: readonly Patch[];
  /** Folders of extra manifests, in file order. */
  readonly extraManifests: readonly ExtraManifests[];
}

/** Where something was written in an environment file. */
export interface SourceLocation {
  readonly source: string;
  readonly line: number;
  readonly col: number;
  /** Field path, e.g. `patches[0]`. */
  readonly path: string;
}

export interface Patch {
  readonly target: PatchSpec['target'];
  /** Only this cluster; every cluster of the environment when absent. */
  readonly cluster?: string;
  readonly type: 'strategic' | 'json6902';
  /** The strategic merge patch object, or the RFC 6902 operations. */
  readonly patch: Readonly<Record<string, unknown>> | readonly Readonly<Record<string, unknown>>[];
  readonly location: SourceLocation;
}

export interface ExtraManifests {
  /** Folder relative to the repository root. */
  readonly path: string;
  /** Only this cluster; every cluster of the environment when absent. */
  readonly cluster?: string;
  readonly location: SourceLocation;
}

export type Rollout = 'one-cluster-at-a-time' | 'all-at-once';
export type Monitoring = 'prometheus-operator' | 'none';
export type BackupSchedule = '@hourly' | '@daily' | '@weekly';

export interface Backup {
  /** `s3://<bucket>[/<prefix>]`, without a trailing slash. */
  readonly destination: string;
  readonly schedule: BackupSchedule;
  /** Days a backup is kept (the bucket lifecycle rule). */
  readonly retentionDays: number;
  readonly credentialsSecret: string;
}

export interface ArgoCd {
  readonly repoURL: string;
  readonly revision: string;
  readonly namespace: string;
  /** Project of the generated Applications: the one the file names, else meridian's own `meridian-<environment>`. */
  readonly project: string;
  /** True when the file names no project: meridian then ships the AppProject `project` (restricted to this environment). */
  readonly ownProject: boolean;
  /** Repository folder holding the cluster folders (default `dist`). */
  readonly path: string;
  /** How a change reaches the clusters: progressive sync one cluster at a time (default), or every cluster at once. */
  readonly rollout: Rollout;
}

export interface Cluster {
  readonly name: string;
  /** Position in the environment file (0 = bootstrap cluster). */
  readonly index: number;
  readonly region: string;
  readonly zones: readonly string[];
  readonly server: string;
  readonly ingressDomain?: string;
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  /** This cluster's globalnet slice, when globalnet is on. */
  readonly globalCIDR?: string;
  /** What the cluster runs (default kubernetes): every platform-specific choice derives from it (platform.ts). */
  readonly platform: Platform;
  /** workload (default) runs stores and services; a hub runs only the broker and/or the GSLB controller. */
  readonly role: ClusterRole;
  /** Namespace the vault-config-operator runs in (default per platform, platform.ts). */
  readonly vaultConfigOperatorNamespace: string;
}

export type { Platform };
export type ClusterRole = 'workload' | 'hub';

export interface Submariner {
  readonly broker: string;
  readonly brokerApiServer: string;
  readonly brokerNamespace: string;
  readonly cableDriver: 'libreswan' | 'wireguard' | 'vxlan';
  readonly natEnabled: boolean;
  /** Resolved: `auto` becomes true iff some CIDRs overlap across clusters. */
  readonly globalnet: boolean;
  readonly globalnetCIDR: string;
  readonly globalnetClusterSize: number;
  readonly brokerSecret: string;
  readonly ipsecPSKSecret: string;
}

export interface Pki {
  readonly rootCASecret: string;
  readonly vaultPKIPath: string;
  readonly vaultRole: string;
  readonly authMountPrefix: string;
}

/** One member of a consensus store, addressed by its clusterset DNS name. */
export interface Peer {
  /** Pod name, e.g. `vault-0`. */
  readonly pod: string;
  readonly ordinal: number;
  readonly cluster: string;
  /** `<pod>.<cluster>.<headless>.<namespace>.svc.clusterset.local` */
  readonly host: string;
}

export interface Quorum {
  readonly voters: number;
  readonly votersPerCluster: Readonly<Record<string, number>>;
  /** floor(voters / 2) + 1 */
  readonly quorum: number;
  /** How many whole clusters can be lost while a majority remains. */
  readonly clustersItCanLose: number;
}

interface StoreBase {
  readonly kind: StoreKind;
  readonly namespace: string;
  readonly replicasPerCluster: number;
  readonly image: string;
  readonly storageGiB: number;
  /** Headless Service that Submariner exports; peers are addressed through it. */
  readonly headlessService: string;
  /**
   * Placement: the member clusters, in cluster order (`<store>.clusters`, default every workload
   * cluster). Everything the store derives (peers, quorum, join lists, SANs, exports, policies,
   * backups, runbook) follows from this one list; other clusters are clients only.
   */
  readonly clusters: readonly string[];
  /** Every member of every member cluster, in cluster order then ordinal. Identical in every cluster. */
  readonly peers: readonly Peer[];
  readonly quorum: Quorum;
}

export type Seal = SealSpec;

export interface VaultStore extends StoreBase {
  readonly kind: 'vault';
  readonly seal: Seal;
}

export interface CockroachDbStore extends StoreBase {
  readonly kind: 'cockroachdb';
  /** `--cache`, in bytes (`<n>MiB`): a percentage in the file is taken of the memory limit. */
  readonly cache: string;
  /** `--max-sql-memory`, in bytes (`<n>MiB`), like `cache`. */
  readonly maxSQLMemory: string;
  /** Node container requests and limits. */
  readonly resources: Resources;
  readonly survivalGoal: 'region' | 'zone';
  readonly databases: readonly string[];
}

export type Store = VaultStore | CockroachDbStore;

export type LoadBalancingPolicy =
  | 'Latency'
  | 'Multivalue'
  | 'Weighted'
  | 'Geolocation'
  | 'Geoproximity'
  | 'Failover'
  | 'Geographic'
  | 'Performance'
  | 'Subnet';

export interface GlobalLoadBalancer {
  readonly provider: GslbProvider;
  readonly hub: string;
  readonly zone?: { readonly name: string; readonly route53ZoneID?: string; readonly credentialsSecret?: string };
  readonly policy: LoadBalancingPolicy;
  readonly ttl: number;
  readonly healthCheck: { readonly periodSeconds: number; readonly failureThreshold: number; readonly timeoutSeconds: number };
  /** Namespace on the hub for the provider's records and the Secrets they name; absent for k8gb (nothing on the hub). */
  readonly namespace?: string;
  /** global-load-balancer-operator only: where the kubeconfig Secret of each controlled cluster lives on the hub. */
  readonly clusterCredentials?: { readonly namespace: string; readonly secretSuffix: string };
}

export interface Autoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCPUUtilizationPercent: number;
}

/** Kubernetes quantities, as written (e.g. cpu `250m`, memory `512Mi`). */
export interface ResourceAmounts {
  readonly cpu: string;
  readonly memory: string;
}

export interface Resources {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

export interface Service {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly port: number;
  readonly healthPath: string;
  /** Total across activeIn: the fixed `replicas`, or with autoscaling the sum of the per-cluster HPA minimums. */
  readonly replicas: number;
  readonly expose: Expose;
  /** Vanity hostname; only for `expose: global`. */
  readonly hostname?: string;
  /** Stores this service uses, sorted. */
  readonly usesStores: readonly StoreKind[];
  /** Other services of the environment this service calls, sorted. */
  readonly usesServices: readonly string[];
  readonly autoscaling?: Autoscaling;
  /** Clusters it runs in, in cluster order. */
  readonly activeIn: readonly string[];
  /** Clusters where it keeps running but does not serve, in cluster order. */
  readonly drainedIn: readonly string[];
  /** activeIn minus drainedIn, in cluster order: the clusters that export it and sit in its GSLB record. */
  readonly servingIn: readonly string[];
  /** Replica share per active cluster (with autoscaling: the HPA minimum there); sums to `replicas`. */
  readonly replicasByCluster: Readonly<Record<string, number>>;
  /** Per-cluster HPA bounds (never below 1), when autoscaling is set. */
  readonly autoscalingByCluster?: Readonly<Record<string, Autoscaling>>;
  /** Container requests and limits, defaults applied; every request is at most its limit. */
  readonly resources: Resources;
  /** Non-secret settings, keys sorted. */
  readonly config: Readonly<Record<string, string>>;
  /** Pod fields the topology does not model, as written (checked by the model). */
  readonly workload?: Workload;
}

export type Workload = WorkloadSpec;
