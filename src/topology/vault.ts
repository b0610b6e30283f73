// Everything Vault needs in a cluster, derived once from the model (DESIGN §1, REFERENCE §1.3, §6.3):
// peer addresses, Raft node IDs, the server certificate's SANs, the server configuration as a typed
// object (Vault reads JSON as well as HCL, so it is serialized with JSON.stringify, never templated),
// how the seal gets its credentials, and which networks peers and clients come from. No cdk8s here.
import type { Cluster, Environment, Peer, Seal, VaultStore } from './types';
import type { ClusterView } from './view';
import type { SecretEnv, SecretFile, VaultPodAddressing } from '../lib/vault';
// Shared with the constructs (src/lib/vault.ts).
export { VAULT_PATHS, VAULT_PORTS, type SecretEnv, type SecretFile, type VaultPodAddressing } from '../lib/vault';
import { VAULT_PATHS, VAULT_PORTS } from '../lib/vault';
import { isMultiRegionKey, multiRegionReplica } from '../lib/aws-kms';

/** The StatefulSet (and so the pod name prefix `vault-<ordinal>` the model's peers use). */
export const VAULT_STATEFULSET = 'vault';
/** ServiceAccount of the Vault pods: Kubernetes service registration, and the TokenReview JWT of each cluster's auth mount. */
export const VAULT_SERVICE_ACCOUNT = 'vault';
/** ConfigMap holding the server configuration file. */
export const VAULT_CONFIG_MAP = 'vault-config';
/** Secret that cert-manager writes for the server certificate (tls.crt, tls.key, ca.crt). */
export const VAULT_SERVER_TLS_SECRET = 'vault-tls';
/** Namespaced CA Issuer in the Vault namespace, backed by the out-of-band root CA: it bootstraps Vault's own TLS. */
export const VAULT_BOOTSTRAP_ISSUER = 'vault-bootstrap-ca';

/** The configuration file's key in the ConfigMap. */
export const VAULT_CONFIG_KEY = 'vault.json';

// ---------------------------------------------------------------------------------------------------
// Identities and addresses

/** Raft node ID: every cluster has a `vault-0`, so the ID carries the cluster (REFERENCE §1.3). */
export function vaultNodeId(peer: Pick<Peer, 'pod' | 'cluster'>): string {
  return `${peer.pod}-${peer.cluster}`;
}

/** The clusterset name of a pod: `<pod>.<cluster>.<headless>.<namespace>.svc.clusterset.local`. */
export function vaultPeerHost(vault: Pick<VaultStore, 'headlessService' | 'namespace'>, pod: string, cluster: string): string {
  return `${pod}.${cluster}.${vault.headlessService}.${vault.namespace}.svc.clusterset.local`;
}

export function vaultApiAddr(host: string): string {
  return `https://${host}:${VAULT_PORTS.api}`;
}

export function vaultClusterAddr(host: string): string {
  return `https://${host}:${VAULT_PORTS.cluster}`;
}

export const POD_NAME_REFERENCE = '$(HOSTNAME)';

export function vaultPodAddressing(vault: VaultStore, cluster: string): VaultPodAddressing {
  const host = vaultPeerHost(vault, POD_NAME_REFERENCE, cluster);
  return {
    nodeId: vaultNodeId({ pod: POD_NAME_REFERENCE, cluster }),
    apiAddr: vaultApiAddr(host),
    clusterAddr: vaultClusterAddr(host),
    localAddr: `https://${POD_NAME_REFERENCE}.${vault.headlessService}.${vault.namespace}.svc:${VAULT_PORTS.api}`,
  };
}

/** Names a pod answers to inside its own cluster (headless Service, all suffixes). */
function localPodNames(vault: VaultStore, pod: string): string[] {
  const base = `${pod}.${vault.headlessService}`;
  return [base, `${base}.${vault.namespace}.svc`, `${base}.${vault.namespace}.svc.cluster.local`];
}

/** Names of the client Service. */
export function vaultServiceNames(vault: Pick<VaultStore, 'namespace'>, service: string): string[] {
  return [service, `${service}.${vault.namespace}.svc`, `${service}.${vault.namespace}.svc.cluster.local`];
}

/**
 * SANs of the server certificate, identical in every cluster: every pod's clusterset name in every
 * cluster (cluster_addr, api_addr and every retry_join leader), then the local names of the pods
 * (`vault-<i>` exists in every cluster) and of the client Service.
 */
export function vaultServerDnsNames(vault: VaultStore, clientService: string, remoteClients = false): string[] {
  const ordinals = [...new Set(vault.peers.map((p) => p.pod))];
  // Clients in clusters without Vault pods dial the clusterset name of the client Service (placement.ts).
  const clusterset = remoteClients ? [vaultClustersetServiceHost(vault, clientService)] : [];
  return unique([...vault.peers.map((p) => p.host), ...ordinals.flatMap((pod) => localPodNames(vault, pod)), ...vaultServiceNames(vault, clientService), ...clusterset]);
}

/** The clusterset name of the client Service, exported by the member clusters when some workload cluster runs no Vault pod. */
export function vaultClustersetServiceHost(vault: Pick<VaultStore, 'namespace'>, clientService: string): string {
  return `${clientService}.${vault.namespace}.svc.clusterset.local`;
}

/** Whether the member clusters export the client Service: some workload cluster has no Vault pod and reaches Vault by that name. */
export function vaultHasRemoteClients(env: Pick<Environment, 'clusters'>, vault: Pick<VaultStore, 'clusters'>): boolean {
  return env.clusters.some((c) => c.role === 'workload' && !vault.clusters.includes(c.name));
}

/**
 * Where cert-manager, the vault-config-operator and the services of one cluster reach Vault: the
 * local client Service in a member cluster, the clusterset name (any member cluster's ready pods,
 * Lighthouse) elsewhere.
 */
export function vaultClientURL(vault: Pick<VaultStore, 'namespace' | 'clusters'>, clientService: string, cluster: string): string {
  return vault.clusters.includes(cluster) ? vaultLocalServiceURL(vault, clientService) : `https://${vaultClustersetServiceHost(vault, clientService)}:${VAULT_PORTS.api}`;
}

/** The URL of the local client Service: what cert-manager and the vault-config-operator talk to. */
export function vaultLocalServiceURL(vault: Pick<VaultStore, 'namespace'>, clientService: string): string {
  return `https://${clientService}.${vault.namespace}.svc:${VAULT_PORTS.api}`;
}

// ---------------------------------------------------------------------------------------------------
// Server configuration (JSON)

export interface VaultRetryJoin {
  readonly leader_api_addr: string;
  readonly leader_ca_cert_file: string;
}

export interface VaultTcpListener {
  readonly address: string;
  readonly cluster_address: string;
  readonly tls_cert_file: string;
  readonly tls_key_file: string;
  readonly tls_client_ca_file: string;
  readonly tls_min_version: string;
  /** With monitoring: Prometheus may read /v1/sys/metrics without a token (it carries no secrets). */
  readonly telemetry?: { readonly unauthenticated_metrics_access: boolean };
}

export type VaultSealStanza = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Vault's server configuration in its JSON form (each HCL block becomes an object keyed by its label). */
export interface VaultServerConfig {
  readonly ui: boolean;
  /**
   * Integrated storage memory-maps its BoltDB file, which mlock would pin whole; Vault's guidance for
   * Raft is to disable mlock (and swap on the nodes). It also needs CAP_IPC_LOCK, which the Pod
   * Security "restricted" profile forbids.
   */
  readonly disable_mlock: boolean;
  readonly listener: readonly { readonly tcp: VaultTcpListener }[];
  readonly storage: { readonly raft: { readonly path: string; readonly retry_join: readonly VaultRetryJoin[] } };
  readonly seal: VaultSealStanza;
  readonly service_registration: { readonly kubernetes: { readonly namespace: string } };
  /**
   * With monitoring: metrics in Prometheus format at /v1/sys/metrics?format=prometheus, kept for
   * `prometheus_retention_time`, named without the host name (so every pod reports vault_core_unsealed,
   * not a per-host name).
   */
  readonly telemetry?: { readonly prometheus_retention_time: string; readonly disable_hostname: boolean };
}

export interface VaultServerConfigOptions {
  /** Expose Prometheus metrics (`monitoring: prometheus-operator`). */
  readonly metrics?: boolean;
}

/** One `retry_join` per pod of every cluster, on the clusterset name, trusting the shared root CA. */
export function vaultRetryJoin(vault: VaultStore): VaultRetryJoin[] {
  return vault.peers.map((p) => ({ leader_api_addr: vaultApiAddr(p.host), leader_ca_cert_file: `${VAULT_PATHS.tls}/ca.crt` }));
}

/**
 * The configuration file, identical in every cluster: what differs per pod (node ID, api_addr,
 * cluster_addr) comes from VAULT_RAFT_NODE_ID, VAULT_API_ADDR and VAULT_CLUSTER_ADDR.
 */
export function vaultServerConfig(vault: VaultStore, options: VaultServerConfigOptions = {}, clusterRegion?: string): VaultServerConfig {
  return {
    ui: true,
    disable_mlock: true,
    listener: [
      {
        tcp: {
          address: `[::]:${VAULT_PORTS.api}`,
          cluster_address: `[::]:${VAULT_PORTS.cluster}`,
          tls_cert_file: `${VAULT_PATHS.tls}/tls.crt`,
          tls_key_file: `${VAULT_PATHS.tls}/tls.key`,
          tls_client_ca_file: `${VAULT_PATHS.tls}/ca.crt`,
          tls_min_version: 'tls12',
          // Listener telemetry block (developer.hashicorp.com/vault/docs/configuration/listener/tcp).
          ...(options.metrics ? { telemetry: { unauthenticated_metrics_access: true } } : {}),
        },
      },
    ],
    storage: { raft: { path: VAULT_PATHS.data, retry_join: vaultRetryJoin(vault) } },
    seal: vaultSeal(vault.seal, clusterRegion).stanza,
    service_registration: { kubernetes: { namespace: vault.namespace } },
    // Telemetry stanza (developer.hashicorp.com/vault/docs/configuration/telemetry).
    ...(options.metrics ? { telemetry: { prometheus_retention_time: '24h', disable_hostname: true } } : {}),
  };
}

/** The configuration file's text: deterministic (fixed key order), two-space indented. */
export function renderVaultServerConfig(config: VaultServerConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------
// Seal

export interface VaultSealWiring {
  readonly type: 'awskms' | 'transit' | 'gcpckms' | 'azurekeyvault';
  /** The `seal` block: non-secret settings only. */
  readonly stanza: VaultSealStanza;
  /** Credentials as environment variables from Secrets. */
  readonly env: readonly SecretEnv[];
  /** Credentials as files from Secrets. */
  readonly files: readonly SecretFile[];
  /** Extra egress the seal needs beyond HTTPS (443), e.g. a transit Vault's port. */
  readonly egressPorts: readonly number[];
}

/** The seal block chosen in the topology and how its credentials reach the pod (always by reference). */
export function vaultSeal(seal: Seal, clusterRegion?: string): VaultSealWiring {
  if (seal.awskms) {
    const s = seal.awskms;
    const secret = s.credentialsSecret;
    return {
      type: 'awskms',
      stanza: { awskms: awsKmsSealOf(s, clusterRegion) },
      env: secret
        ? [
            { name: 'AWS_ACCESS_KEY_ID', secret, key: 'AWS_ACCESS_KEY_ID' },
            { name: 'AWS_SECRET_ACCESS_KEY', secret, key: 'AWS_SECRET_ACCESS_KEY' },
          ]
        : [],
      files: [],
      egressPorts: [],
    };
  }
  if (seal.transit) {
    const s = seal.transit;
    const port = new URL(s.address).port;
    return {
      type: 'transit',
      stanza: { transit: { address: s.address, key_name: s.keyName, mount_path: s.mountPath ?? 'transit/' } },
      env: [{ name: 'VAULT_TOKEN', secret: s.tokenSecret, key: 'VAULT_TOKEN' }],
      files: [],
      egressPorts: port === '' ? [] : [Number(port)],
    };
  }
  if (seal.gcpckms) {
    const s = seal.gcpckms;
    const path = `${VAULT_PATHS.seal}/credentials.json`;
    return {
      type: 'gcpckms',
      stanza: { gcpckms: { project: s.project, region: s.region, key_ring: s.keyRing, crypto_key: s.cryptoKey, credentials: path } },
      env: [],
      files: [{ secret: s.credentialsSecret, key: 'credentials.json', path }],
      egressPorts: [],
    };
  }
  if (seal.azurekeyvault) {
    const s = seal.azurekeyvault;
    return {
      type: 'azurekeyvault',
      stanza: { azurekeyvault: { tenant_id: s.tenantId, vault_name: s.vaultName, key_name: s.keyName } },
      env: [
        { name: 'AZURE_CLIENT_ID', secret: s.credentialsSecret, key: 'AZURE_CLIENT_ID' },
        { name: 'AZURE_CLIENT_SECRET', secret: s.credentialsSecret, key: 'AZURE_CLIENT_SECRET' },
      ],
      files: [],
      egressPorts: [],
    };
  }
  throw new Error(`vault seal ${JSON.stringify(Object.keys(seal))} is none of awskms, transit, gcpckms, azurekeyvault`);
}

/**
 * The key a cluster in `clusterRegion` unseals with: its region's entry of `keys`; else, for a
 * multi-Region key, the replica in the cluster's own region (same key ID, the ARN's Region replaced:
 * src/lib/aws-kms.ts); else the one key in `region`. Without a cluster (the runbook), the configured key.
 */
export function awsKmsSealOf(s: NonNullable<Seal['awskms']>, clusterRegion?: string): { region: string; kms_key_id: string } {
  if (clusterRegion === undefined) return { region: s.region, kms_key_id: s.kmsKeyId };
  const own = (s.keys as Record<string, string> | undefined)?.[clusterRegion];
  if (own !== undefined) return { region: clusterRegion, kms_key_id: own };
  if (isMultiRegionKey(s.kmsKeyId)) return { region: clusterRegion, kms_key_id: multiRegionReplica(s.kmsKeyId, clusterRegion) };
  return { region: s.region, kms_key_id: s.kmsKeyId };
}

// Surviving a region, for the seals whose key lives outside AWS. Vault OSS runs one seal, and the
// root key it wraps is replicated by Raft to every member; a joining member even proves itself by
// decrypting the leader's challenge with the seal ("node2 sends decrypted UUID back ... node1 sees
// node2 can be trusted (since it has seal access)", Vault docs concepts/integrated-storage.mdx,
// hashicorp/vault#10865). So every member must reach the same key material: a key per region only works where the provider replicates one key (AWS multi-Region
// keys). Hence no per-region key map for Cloud KMS or Key Vault: their keys per region would be
// different keys, and a member of another region could not unwrap the root key.

/**
 * A Cloud KMS location: `global`, a multi-region (`us`, `europe`, `asia`, `nam4`, `eur4`, ...) or a
 * region (`us-east1`). Key material "is confined to the selected region" (cloud.google.com/kms/docs/
 * locations): a key ring in one region is lost with it, one in `global` or a multi-region location
 * is served from several regions. Regions are `<area>-<direction><n>`, without a dash before the
 * number; multi-region names have no such form.
 */
export function gcpKmsLocationKind(location: string): 'regional' | 'multi-region' {
  return /^[a-z]+-[a-z]+[0-9]+$/.test(location) ? 'regional' : 'multi-region';
}

/** An AWS-style region (`us-east-1`), which Cloud KMS never uses (its regions read `us-east1`). */
export function looksLikeAwsRegion(location: string): boolean {
  return /^[a-z]+(-[a-z]+)+-[0-9]+$/.test(location);
}

export interface SealRegionWarning {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Why the Cloud KMS or Key Vault seal of an environment whose clusters span `regions` does not survive
 * the loss of one region, naming that region; undefined when it does (or for the other seals,
 * warned about in the model).
 * - gcpckms: a key ring in one region.
 * - azurekeyvault: a vault lives in one region. Microsoft replicates most vaults to the paired region
 *   and fails over itself: "You cannot trigger this failover. Initiation can take hours or longer"
 *   and it is "best effort, not ... a guaranteed application recovery time"
 *   (azure.github.io/multi-region-platform, key-vault-across-regions); vaults in Brazil South, West
 *   US 3 and regions without a pair are not replicated across regions at all
 *   (learn.microsoft.com/azure/key-vault/general/disaster-recovery-guidance). Restarted Vault pods
 *   stay sealed until Microsoft acts, so it does not count as surviving.
 */
export function sealRegionWarning(seal: Seal, regions: readonly string[]): SealRegionWarning | undefined {
  if (regions.length < 2) return undefined;
  if (seal.gcpckms) {
    const location = seal.gcpckms.region;
    if (gcpKmsLocationKind(location) !== 'regional') return undefined;
    const others = regions.filter((r) => r !== location);
    return {
      path: ['vault', 'seal', 'gcpckms', 'region'],
      message: `key ring ${seal.gcpckms.keyRing} is in Cloud KMS location ${location}, one region: losing region ${location} leaves every restarted Vault pod sealed${others.length > 0 ? ` in ${others.join(', ')} as well` : ''} (key material stays in its location, cloud.google.com/kms/docs/locations); create the key ring in location global or in a multi-region location that spans ${regions.join(', ')} (us, europe, asia, nam4, ...)`,
    };
  }
  if (seal.azurekeyvault) {
    const s = seal.azurekeyvault;
    const where = s.region === undefined ? 'its region (set vault.seal.azurekeyvault.region to name it)' : `region ${s.region}`;
    const lost = s.region === undefined ? "the Key Vault's region" : `region ${s.region}`;
    return {
      path: s.region === undefined ? ['vault', 'seal', 'azurekeyvault', 'vaultName'] : ['vault', 'seal', 'azurekeyvault', 'region'],
      message: `Key Vault ${s.vaultName} lives in ${where}: losing ${lost} leaves every restarted Vault pod of ${regions.join(', ')} sealed until Microsoft fails the vault over to its paired region, which you cannot trigger and which can take hours (no cross-region copy at all in Brazil South, West US 3 and unpaired regions); use a seal whose key is served from several regions (awskms with a multi-Region key, gcpckms in a multi-region location, a transit Vault outside the environment), or accept that risk`,
    };
  }
  return undefined;
}

/**
 * The region a seal's key depends on, when losing that one region leaves restarted Vault pods sealed
 * in every cluster: an awskms key that is neither multi-Region nor listed per region for every cluster
 * region, a regional Cloud KMS key ring, an Azure Key Vault (see sealRegionWarning). Undefined when the
 * seal survives the loss of any one region, for transit (its own Vault decides) and in one region.
 * Running pods keep serving: open-source Vault needs the seal only to unseal (seal wrapping, which
 * needs it at run time, is Enterprise: developer.hashicorp.com/vault/docs/configuration/seal/gcpckms).
 */
export function sealLossRegion(seal: Seal, regions: readonly string[]): { readonly region: string } | undefined {
  if (regions.length < 2) return undefined;
  if (seal.awskms) {
    const keys = (seal.awskms.keys ?? {}) as Record<string, string>;
    if (isMultiRegionKey(seal.awskms.kmsKeyId) || regions.every((r) => keys[r] !== undefined)) return undefined;
    return { region: seal.awskms.region };
  }
  if (seal.gcpckms) return gcpKmsLocationKind(seal.gcpckms.region) === 'regional' ? { region: seal.gcpckms.region } : undefined;
  if (seal.azurekeyvault) return { region: seal.azurekeyvault.region ?? `the region of Key Vault ${seal.azurekeyvault.vaultName}` };
  return undefined;
}

/** Out-of-band Secrets the Vault pods reference (seal credentials), sorted. */
export function vaultSealSecrets(seal: Seal): string[] {
  const w = vaultSeal(seal);
  return unique([...w.env.map((e) => e.secret), ...w.files.map((f) => f.secret)]);
}

// ---------------------------------------------------------------------------------------------------
// Placement and network

/**
 * Spread of one cluster's pods: one pod per zone is required when the cluster lists at least as many
 * zones as pods; otherwise zones are preferred and separate nodes are required.
 */
export function vaultZoneSpreadRequired(cluster: Pick<Cluster, 'zones'>, replicas: number): boolean {
  return cluster.zones.length >= replicas;
}

/**
 * Where the other clusters' store peers connect from, one CIDR per other cluster: their pod networks, or
 * with globalnet their global CIDRs (each exported headless pod gets a global IP from its cluster's
 * slice, used for its cross-cluster traffic: submariner-io/submariner docs/globalnet.md, REFERENCE §2.3).
 * Never this cluster's own pod CIDR nor its own global CIDR: either block matches every pod of the
 * cluster (its own addresses, or the cluster egress IPs every local pod is translated to) and would void
 * the namespace allowlist; local peers are admitted by pod selector instead (rule MER152).
 */
export function vaultPeerNetworks(env: Pick<Environment, 'clusters' | 'submariner'>, clusterName: string): string[] {
  return env.clusters
    .filter((c) => c.name !== clusterName)
    .map((c) => {
      const cidr = env.submariner.globalnet ? c.globalCIDR : c.podCIDR;
      if (cidr === undefined) throw new Error(`cluster ${c.name} has no global CIDR although globalnet is on`);
      return cidr;
    });
}

/** Ports Vault dials outside its peers: HTTPS (cloud KMS), every cluster's API server (TokenReview), the seal's own. */
export function vaultEgressPorts(env: Pick<Environment, 'clusters'> & { readonly vault: Pick<VaultStore, 'seal'> }): number[] {
  const apiPorts = env.clusters.map((c) => {
    const port = new URL(c.server).port;
    return port === '' ? 443 : Number(port);
  });
  return [...new Set([443, ...apiPorts, ...vaultSeal(env.vault.seal).egressPorts])].sort((a, b) => a - b);
}

/** Namespaces of the services in this cluster that use Vault, sorted. */
export function vaultClientServiceNamespaces(view: Pick<ClusterView, 'localServices'>): string[] {
  return unique(view.localServices.filter((l) => l.service.usesStores.includes('vault')).map((l) => l.service.namespace));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
