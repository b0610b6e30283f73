// Everything one cluster's charts need, precomputed from the model: charts never search the topology.
import { CERT_MANAGER, INGRESS, VAULT_SERVICE } from '../lib/names';
import { bootstrapMember, isMember, remoteClientNetworks } from './placement';
import { backupMember, type BackupMember } from './backup';
import { localSqlClients, peerSourceCIDRs, startArgs } from './cockroachdb';
import { cockroachPodSecurity, platformProfile, vaultPodSecurity, type DnsEgress, type PlatformProfile, type PodSecurity } from './platform';
import type { Cluster, CockroachDbStore, Environment, GlobalLoadBalancer, Service, Topology, VaultStore } from './types';
import {
  renderVaultServerConfig,
  vaultClientServiceNamespaces,
  vaultEgressPorts,
  vaultPeerNetworks,
  vaultPodAddressing,
  vaultSeal,
  vaultServerConfig,
  vaultClientURL,
  vaultZoneSpreadRequired,
  type VaultPodAddressing,
  type VaultSealWiring,
} from './vault';

/** A service as one cluster sees it. */
export interface LocalService {
  readonly service: Service;
  /** This cluster's replica share. */
  readonly replicas: number;
  /** Drained here: pods stay warm, the cluster stops serving it (no export, route to the clusterset, out of the GSLB). */
  readonly drained: boolean;
  /** This cluster's HPA bounds, when the service autoscales. */
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCPUUtilizationPercent: number };
}

/** This cluster's share of the Vault Raft group: everything its chart needs, derived once. */
export interface VaultMember {
  readonly store: VaultStore;
  /** The server configuration file's text (identical in every cluster). */
  readonly serverConfig: string;
  readonly seal: VaultSealWiring;
  readonly addressing: VaultPodAddressing;
  /** One pod per zone is required (enough zones), else zones are preferred. */
  readonly zoneSpreadRequired: boolean;
  /** Namespaces whose pods may call the API port: local service consumers, cert-manager, the vault-config-operator. */
  readonly clientNamespaces: readonly string[];
  readonly peerNetworks: readonly string[];
  /** Networks of the workload clusters without Vault pods, admitted on the API port only (placement.ts). */
  readonly remoteClientNetworks: readonly string[];
  readonly egressPorts: readonly number[];
  readonly podSecurity: PodSecurity;
  /** The DNS Vault's restricted egress must admit. */
  readonly dns: DnsEgress;
}

/** This cluster's CockroachDB nodes: what their chart needs, derived once. */
export interface CockroachDbMember {
  readonly store: CockroachDbStore;
  readonly startArgs: readonly string[];
  readonly peerCIDRs: readonly string[];
  /** Networks of the workload clusters without CockroachDB nodes, admitted on the SQL port only (placement.ts). */
  readonly remoteClientCIDRs: readonly string[];
  /** The first member cluster: it runs the init Job. */
  readonly runsInit: boolean;
  /** Local services that connect as SQL clients, sorted by name. */
  readonly sqlClients: readonly Service[];
  readonly podSecurity: PodSecurity;
}

export interface ClusterView {
  readonly environment: Environment;
  readonly cluster: Cluster;
  /** Every cluster of the environment, in file order. */
  readonly clusters: readonly Cluster[];
  /** The first cluster: bootstraps one-shot work (CockroachDB init, Vault init in the runbook). */
  readonly isBootstrap: boolean;
  readonly isBroker: boolean;
  /** Runs the GSLB controller. */
  readonly isHub: boolean;
  /** Services active in this cluster, sorted by name. */
  readonly localServices: readonly LocalService[];
  /** Every service of the environment (consumers here may reach those active elsewhere), sorted by name. */
  readonly services: readonly Service[];
  /**
   * Namespaces that must exist here, sorted: every service namespace (consumers need them for discovery),
   * the stores', the ingress namespace where a global service runs here, and the broker namespace on the
   * broker cluster (it holds only the Broker and the records clusters sync, never a pod).
   */
  readonly namespaces: readonly string[];
  /**
   * Namespaces istiod watches (`istio-discovery: enabled`), sorted: every service namespace, and the
   * ingress namespace where the Gateway runs (with Istio's enhanced resource scoping, on by default,
   * istiod ignores a Gateway in a namespace its discoverySelectors do not match).
   */
  readonly meshNamespaces: readonly string[];
  /** Namespaces whose workloads carry sidecars and take only mutual TLS (every service namespace), sorted. */
  readonly sidecarNamespaces: readonly string[];
  /** This cluster runs the shared ingress Gateway: some global service is active here. */
  readonly hasIngress: boolean;
  readonly vault?: VaultStore;
  readonly cockroachdb?: CockroachDbStore;
  readonly globalLoadBalancer?: GlobalLoadBalancer;
  /** Every platform-specific choice for this cluster (platform.ts). */
  readonly platform: PlatformProfile;
  /**
   * Where cert-manager, the vault-config-operator and the services here reach Vault: the local
   * Service where Vault pods run, its clusterset name elsewhere. Absent on a hub and without vault.
   */
  readonly vaultURL?: string;
  /** Present only in Vault's member clusters (`vault.clusters`). */
  readonly vaultMember?: VaultMember;
  /** Present only in CockroachDB's member clusters (`cockroachdb.clusters`). */
  readonly cockroachdbMember?: CockroachDbMember;
  /** Scheduled backups of this cluster's stores (`backup`). */
  readonly backup?: BackupMember;
}

export function clusterView(environment: Environment, clusterName: string): ClusterView {
  const cluster = environment.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new Error(`cluster "${clusterName}" is not part of environment ${environment.name}`);
  const localServices = environment.services
    .filter((s) => s.activeIn.includes(cluster.name))
    .map((service): LocalService => {
      const autoscaling = service.autoscalingByCluster?.[cluster.name];
      return {
        service,
        replicas: service.replicasByCluster[cluster.name] ?? 0,
        drained: service.drainedIn.includes(cluster.name),
        ...(autoscaling ? { autoscaling } : {}),
      };
    });
  // A hub runs no service and calls none: it needs none of their namespaces (placement.ts).
  const serviceNamespaces = cluster.role === 'hub' ? [] : unique(environment.services.map((s) => s.namespace));
  // Vault's namespace exists in every workload cluster (it holds the cluster's auth mount
  // configuration and the vault-config-operator's login even where no Vault pod runs);
  // CockroachDB's only where its nodes run. A hub holds neither.
  const workload = cluster.role === 'workload';
  const storeNamespaces = [
    workload ? environment.vault?.namespace : undefined,
    environment.cockroachdb && isMember(environment.cockroachdb, cluster.name) ? environment.cockroachdb.namespace : undefined,
  ].filter((n): n is string => n !== undefined);
  const hasIngress = localServices.some((l) => l.service.expose === 'global');
  const isBroker = environment.submariner.broker === cluster.name;
  const ingressNamespaces = hasIngress ? [INGRESS.namespace] : [];
  const brokerNamespaces = isBroker ? [environment.submariner.brokerNamespace] : [];
  const platform = platformProfile(cluster);
  return {
    environment,
    cluster,
    clusters: environment.clusters,
    isBootstrap: cluster.index === 0,
    isBroker,
    isHub: environment.globalLoadBalancer?.hub === cluster.name,
    localServices,
    services: environment.services,
    namespaces: unique([...serviceNamespaces, ...storeNamespaces, ...ingressNamespaces, ...brokerNamespaces]),
    meshNamespaces: unique([...serviceNamespaces, ...ingressNamespaces]),
    sidecarNamespaces: serviceNamespaces,
    hasIngress,
    // A hub runs nothing of the stores, not even their clients' plumbing (placement.ts).
    ...(environment.vault && workload ? { vault: environment.vault } : {}),
    ...(environment.cockroachdb && workload ? { cockroachdb: environment.cockroachdb } : {}),
    ...(environment.vault && workload ? { vaultURL: vaultClientURL(environment.vault, VAULT_SERVICE, cluster.name) } : {}),
    ...(environment.globalLoadBalancer ? { globalLoadBalancer: environment.globalLoadBalancer } : {}),
    platform,
    ...(environment.vault && isMember(environment.vault, cluster.name) ? { vaultMember: vaultMember(environment, environment.vault, cluster, localServices, platform) } : {}),
    ...(environment.cockroachdb && isMember(environment.cockroachdb, cluster.name) ? { cockroachdbMember: cockroachdbMember(environment, environment.cockroachdb, cluster) } : {}),
    ...(environment.backup && backupMember(environment, cluster) ? { backup: backupMember(environment, cluster)! } : {}),
  };
}

function vaultMember(env: Environment, vault: VaultStore, cluster: Cluster, localServices: readonly LocalService[], platform: PlatformProfile): VaultMember {
  return {
    store: vault,
    serverConfig: renderVaultServerConfig(vaultServerConfig(vault, { metrics: env.monitoring === 'prometheus-operator' }, cluster.region)),
    seal: vaultSeal(vault.seal, cluster.region),
    addressing: vaultPodAddressing(vault, cluster.name),
    zoneSpreadRequired: vaultZoneSpreadRequired(cluster, vault.replicasPerCluster),
    clientNamespaces: unique([...vaultClientServiceNamespaces({ localServices }), CERT_MANAGER.namespace, platform.vaultConfigOperatorNamespace]),
    peerNetworks: vaultPeerNetworks({ clusters: memberClusters(env, vault), submariner: env.submariner }, cluster.name),
    remoteClientNetworks: remoteClientNetworks(env, vault),
    egressPorts: vaultEgressPorts({ clusters: env.clusters, vault }),
    podSecurity: vaultPodSecurity(cluster.platform),
    dns: platform.dns,
  };
}

function cockroachdbMember(env: Environment, store: CockroachDbStore, cluster: Cluster): CockroachDbMember {
  return {
    store,
    startArgs: startArgs(env, cluster.name),
    peerCIDRs: peerSourceCIDRs({ clusters: memberClusters(env, store), submariner: env.submariner }, cluster.name),
    remoteClientCIDRs: remoteClientNetworks(env, store),
    runsInit: bootstrapMember(store) === cluster.name,
    sqlClients: localSqlClients(env, cluster.name),
    podSecurity: cockroachPodSecurity(cluster.platform),
  };
}

/** One view per cluster of every environment, in environment then file order. */
export function clusterViews(topology: Topology): ClusterView[] {
  return topology.environments.flatMap((env) => env.clusters.map((c) => clusterView(env, c.name)));
}

/** The store's member clusters, in cluster order. */
function memberClusters(env: Environment, store: { readonly clusters: readonly string[] }): Cluster[] {
  return env.clusters.filter((c) => store.clusters.includes(c.name));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
