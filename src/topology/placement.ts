// Store placement (DESIGN §2 `vault.clusters`, `cockroachdb.clusters`, `clusters[].role`): which
// clusters run a store's pods. The one member list every derived object follows (peers, quorum,
// join lists, SANs, exports, NetworkPolicies, backups, monitoring, runbook, survival), checked here
// at the field's location. Pure: no cdk8s, no IO.
import type { PathSegment } from './problems';
import type { ClusterSpec, EnvironmentSpec } from './schema';
import type { ClusterRole, StoreKind } from './types';

/** Fewest member clusters of a consensus store: with fewer, losing one cluster can lose the majority (REFERENCE §6.1). */
export const MIN_STORE_CLUSTERS = 3;

type Report = (path: readonly PathSegment[], message: string) => void;

export function clusterRole(c: Pick<ClusterSpec, 'role'>): ClusterRole {
  return c.role ?? 'workload';
}

/** Workload clusters in file order: where stores and services go by default. */
export function workloadClusterNames(spec: Pick<EnvironmentSpec, 'clusters'>): string[] {
  return spec.clusters.filter((c) => clusterRole(c) === 'workload').map((c) => c.name);
}

/** A cluster the file lists in a placement field, when it is a hub: the reason it cannot host what the field places. */
export function hubRefusal(spec: Pick<EnvironmentSpec, 'clusters'>, name: string, what: string): string | undefined {
  const c = spec.clusters.find((x) => x.name === name);
  if (!c || clusterRole(c) !== 'hub') return undefined;
  return `cluster "${name}" has role hub: a hub runs only the Submariner broker and the GSLB controller and hosts no ${what}; choose a workload cluster (${workloadClusterNames(spec).join(', ') || 'none'}) or set role: workload on ${name}`;
}

/**
 * The member clusters of a store, in cluster order. The file's list is refused (located at the
 * entry, or at the field for its length) when it names an unknown cluster, a cluster twice, a hub,
 * two clusters of one region (a region lost would take two members: choosing a subset is choosing
 * one member per region), or fewer than three clusters. Without a list: every workload cluster (the
 * quorum check in model.ts then covers what that default survives).
 */
export function resolvePlacement(spec: EnvironmentSpec, kind: StoreKind, report: Report): string[] {
  const block = spec[kind];
  const names = spec.clusters.map((c) => c.name);
  if (block?.clusters === undefined) return workloadClusterNames(spec);
  const listed = block.clusters;
  const seen = new Map<string, number>();
  const regionOf = new Map<string, { name: string; index: number }>();
  let refused = 0;
  const refuse = (at: readonly PathSegment[], message: string): void => {
    refused += 1;
    report(at, message);
  };
  listed.forEach((name, k) => {
    const at: PathSegment[] = [kind, 'clusters', k];
    const cluster = spec.clusters.find((c) => c.name === name);
    if (!cluster) {
      refuse(at, `cluster "${name}" is not a cluster of this environment; choose from ${names.join(', ')}`);
      return;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      refuse(at, `cluster "${name}" is already listed at ${kind}.clusters[${first}]; list each cluster once`);
      return;
    }
    seen.set(name, k);
    const hub = hubRefusal(spec, name, 'store');
    if (hub) {
      refuse(at, hub);
      return;
    }
    const other = regionOf.get(cluster.region);
    if (other) {
      refuse(at, `${name} and ${other.name} (${kind}.clusters[${other.index}]) are both in region ${cluster.region}: losing that region would take two of the store's clusters at once; place ${kind} on one cluster per region`);
      return;
    }
    regionOf.set(cluster.region, { name, index: k });
  });
  const distinct = [...seen.keys()].filter((n) => names.includes(n));
  // An entry refused above already says what to change; the count is judged on a list without errors.
  if (refused === 0 && distinct.length < MIN_STORE_CLUSTERS) {
    report([kind, 'clusters'], `${kind} is placed on ${distinct.length} cluster(s) (${distinct.join(', ') || 'none'}); a consensus store needs at least ${MIN_STORE_CLUSTERS} clusters in distinct regions so that losing one leaves a majority; list at least ${MIN_STORE_CLUSTERS}`);
  }
  return names.filter((n) => seen.has(n));
}

/** Whether a cluster runs pods of the store (is one of its members). */
export function isMember(store: { readonly clusters: readonly string[] } | undefined, cluster: string): boolean {
  return store !== undefined && store.clusters.includes(cluster);
}

/** The first member cluster: where the store's one-shot work runs (CockroachDB init and SQL, Vault init). */
export function bootstrapMember(store: { readonly kind: StoreKind; readonly clusters: readonly string[] }): string {
  const first = store.clusters[0];
  if (first === undefined) throw new Error(`${store.kind} has no member cluster`);
  return first;
}

/**
 * Workload clusters that run none of the store's pods but reach it by its clusterset name: their
 * services (and, for Vault, their cert-manager and vault-config-operator) are the store's remote
 * clients. Hubs are left out: nothing of a store runs or calls from there. In cluster order.
 */
export function remoteClientClusters<C extends { readonly name: string; readonly role: ClusterRole }>(env: { readonly clusters: readonly C[] }, store: { readonly clusters: readonly string[] }): C[] {
  return env.clusters.filter((c) => c.role === 'workload' && !store.clusters.includes(c.name));
}

/**
 * Source ranges the remote clients connect from, one per remote client cluster: their pod CIDRs, or
 * with globalnet their global CIDRs (the same translation as the peers', vault.ts vaultPeerNetworks).
 * A NetworkPolicy cannot select a namespace of another cluster, so the whole cluster network is
 * admitted, for the client port only; the store still authenticates every client (TLS client
 * certificates for CockroachDB, Vault tokens), so a network admitted is not an identity granted.
 */
export function remoteClientNetworks(
  env: { readonly clusters: readonly { readonly name: string; readonly role: ClusterRole; readonly podCIDR: string; readonly globalCIDR?: string }[]; readonly submariner: { readonly globalnet: boolean } },
  store: { readonly clusters: readonly string[] },
): string[] {
  return remoteClientClusters(env, store).map((c) => {
    const cidr = env.submariner.globalnet ? c.globalCIDR : c.podCIDR;
    if (cidr === undefined) throw new Error(`cluster ${c.name} has no global CIDR although globalnet is on`);
    return cidr;
  });
}

/**
 * Hub clusters (`clusters[].role: hub`): at least one workload cluster must remain, and a hub that
 * runs neither the Submariner broker nor the GSLB controller gets a warning (it would run nothing
 * but its own Submariner join).
 */
export function checkHubs(spec: EnvironmentSpec, report: Report, warn: Report): void {
  const hubs = spec.clusters.map((c, i) => ({ c, i })).filter(({ c }) => clusterRole(c) === 'hub');
  if (hubs.length === 0) return;
  if (hubs.length === spec.clusters.length) {
    report(['clusters', hubs[0]!.i, 'role'], `every cluster has role hub, so nothing could run the services and stores; set role: workload (the default) on the clusters that run them`);
    return;
  }
  const gslbHub = spec.globalLoadBalancer !== undefined && (spec.globalLoadBalancer.provider ?? 'global-load-balancer-operator') !== 'k8gb' ? (spec.globalLoadBalancer.hub ?? spec.clusters[0]!.name) : undefined;
  for (const { c, i } of hubs) {
    if (c.name !== spec.submariner.broker && c.name !== gslbHub) {
      warn(['clusters', i, 'role'], `cluster "${c.name}" has role hub but runs neither the Submariner broker (submariner.broker: ${spec.submariner.broker}) nor the GSLB controller${gslbHub ? ` (globalLoadBalancer.hub: ${gslbHub})` : ''}, so it runs nothing but its Submariner join; name it in submariner.broker or globalLoadBalancer.hub, or set role: workload`);
    }
  }
}
