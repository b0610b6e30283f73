// Everything one cluster's charts need, precomputed from the model: charts never search the topology.
import type { Cluster, CockroachDbStore, Environment, GlobalLoadBalancer, Service, Topology, VaultStore } from './types';

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
  /** Namespaces that must exist here, sorted: every service namespace (consumers need them for discovery) and the stores'. */
  readonly namespaces: readonly string[];
  /** Namespaces whose workloads join the mesh (`istio-discovery: enabled`), sorted. */
  readonly meshNamespaces: readonly string[];
  readonly vault?: VaultStore;
  readonly cockroachdb?: CockroachDbStore;
  readonly globalLoadBalancer?: GlobalLoadBalancer;
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
  const meshNamespaces = unique(environment.services.map((s) => s.namespace));
  const storeNamespaces = [environment.vault?.namespace, environment.cockroachdb?.namespace].filter((n): n is string => n !== undefined);
  return {
    environment,
    cluster,
    clusters: environment.clusters,
    isBootstrap: cluster.index === 0,
    isBroker: environment.submariner.broker === cluster.name,
    isHub: environment.globalLoadBalancer?.hub === cluster.name,
    localServices,
    services: environment.services,
    namespaces: unique([...meshNamespaces, ...storeNamespaces]),
    meshNamespaces,
    ...(environment.vault ? { vault: environment.vault } : {}),
    ...(environment.cockroachdb ? { cockroachdb: environment.cockroachdb } : {}),
    ...(environment.globalLoadBalancer ? { globalLoadBalancer: environment.globalLoadBalancer } : {}),
  };
}

/** One view per cluster of every environment, in environment then file order. */
export function clusterViews(topology: Topology): ClusterView[] {
  return topology.environments.flatMap((env) => env.clusters.map((c) => clusterView(env, c.name)));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
