// The NetworkPolicies of the namespaces meridian creates, derived from the model: every namespace
// starts from default deny (namespaces chart), and the allow policies here admit exactly the traffic
// the topology implies. Pure: charts map these plans onto constructs (constructs/allow-network-policy.ts).
//
// Decisions, with their sources:
// - Kubelet probes need no rule: "traffic to and from the node where a Pod is running is always
//   allowed, regardless of the IP address of the Pod or the node" (kubernetes.io, "Network Policies",
//   kubernetes/website content/en/docs/concepts/services-networking/network-policies.md). OVN-Kubernetes
//   (OpenShift) implements it with an allow ACL for the node's management-port address on every
//   node switch (ovn-org/ovn-kubernetes go-controller/pkg/ovn/policy.go, addAllowACLFromNode), Cilium
//   by `--allow-localhost` (cilium/cilium#754); for Calico only the API's contract was checked. With the
//   sidecar, Istio rewrites HTTP probes to the agent's port 15020, still sent by the kubelet.
// - Egress to a local Service is matched after load balancing (OVN-Kubernetes applies egress ACLs
//   "after LB", policy.go lportEgressAfterLB): the rules name the pods and their container port.
// - Sidecars (istio.io, "Application Requirements", "Ports used by Istio"): the proxy dials istiod on
//   15012 (xDS and CA, TLS) and nothing else of the control plane; 15017 is istiod's webhook port,
//   which the API server calls, never a sidecar. Inbound mTLS arrives on the service's own port:
//   NetworkPolicy is enforced outside the pod, before Istio redirects to 15006 (istio.io "Ambient and
//   Kubernetes NetworkPolicy": "NetworkPolicy is enforced on the host, outside the pod"). 15090 (Envoy
//   Prometheus telemetry) is admitted from the platform's Prometheus when monitoring is on. 15021
//   (health) is for load balancers in front of a gateway, not for sidecars.
// - Remote callers arrive over Submariner with their pod addresses (globalnet: their cluster's global
//   CIDR), and remote clusterset names resolve to the exporting cluster's ClusterIP (globalnet: a
//   global IP of its slice), which the local CNI does not translate: egress names those networks.
//   Never this cluster's own pod or global CIDR (rule MER202): local peers are admitted by selector.
// - No workload meridian runs in these namespaces calls the API server (service pods mount no
//   API token; Vault's TokenReview is in Vault's own policy).
import { selectorLabels } from '../lib/labels';
import { COCKROACHDB_SQL_PORT, INGRESS, VAULT_PORT } from '../lib/names';
import type { NetworkPolicyPlan, PolicyPeer, PolicyPort, PolicyRule } from '../lib/network-policy';
import { GATEWAY_HTTPS_PORT } from '../lib/platform';
import { COCKROACHDB } from './cockroachdb';
import { cmp } from './problems';
import type { Cluster, Environment, Service } from './types';
import { VAULT_STATEFULSET } from './vault';
import type { ClusterView } from './view';

export type { NetworkPolicyPlan, PolicyPeer, PolicyPort, PolicyRule } from '../lib/network-policy';

/** The name of the default-deny policy in every namespace meridian creates (rule MER201). */
export const DEFAULT_DENY_POLICY = 'default-deny';

/** Where Istio's control plane runs (OpenShift Service Mesh 3 and upstream default). */
export const ISTIOD = { namespace: 'istio-system', xdsPort: 15012 } as const;
/** Envoy's Prometheus endpoint on every sidecar and gateway (istio.io "Ports used by Istio"). */
export const ENVOY_METRICS_PORT = 15090;
/** The health port of an Istio gateway, probed by load balancers (istio.io "Ports used by Istio"). */
export const GATEWAY_HEALTH_PORT = 15021;

/**
 * Namespace label OVN-Kubernetes (and OpenShift SDN) match for traffic from the IngressController,
 * whether the router runs on the cluster network or the host network (OpenShift 4.7 release notes,
 * "Network policy supports selecting host network Ingress Controllers": `policy-group.network.openshift.io/ingress=""`).
 */
export const OPENSHIFT_ROUTER_POLICY_GROUP = { 'policy-group.network.openshift.io/ingress': '' } as const;

const tcp = (...ports: number[]): PolicyPort[] => ports.map((port) => ({ port, protocol: 'TCP' }));

/** The pods of a service (constructs/microservice.ts selects them so). */
export function servicePodLabels(service: Pick<Service, 'name'>): Record<string, string> {
  return selectorLabels(service.name, service.name);
}

/** The networks other clusters' pods connect from (their pod CIDRs; with globalnet their global CIDRs), in cluster order. */
export function remoteSourceNetworks(env: Pick<Environment, 'clusters' | 'submariner'>, clusterName: string): string[] {
  return env.clusters.filter((c) => c.name !== clusterName).map((c) => remoteNetwork(env, c, 'source'));
}

/** The addresses other clusters' exported Services answer on (their service CIDRs; with globalnet their global CIDRs), in cluster order. */
export function remoteServiceNetworks(env: Pick<Environment, 'clusters' | 'submariner'>, clusterName: string): string[] {
  return env.clusters.filter((c) => c.name !== clusterName).map((c) => remoteNetwork(env, c, 'service'));
}

/** The Service networks of a store's member clusters other than this one, where its clusterset name resolves. */
export function memberServiceNetworks(env: Pick<Environment, 'clusters' | 'submariner'>, store: { readonly clusters: readonly string[] }, clusterName: string): string[] {
  return env.clusters.filter((c) => c.name !== clusterName && store.clusters.includes(c.name)).map((c) => remoteNetwork(env, c, 'service'));
}

function remoteNetwork(env: Pick<Environment, 'submariner'>, c: Cluster, what: 'source' | 'service'): string {
  if (env.submariner.globalnet) {
    if (c.globalCIDR === undefined) throw new Error(`cluster ${c.name} has no global CIDR although globalnet is on`);
    return c.globalCIDR;
  }
  return what === 'source' ? c.podCIDR : c.serviceCIDR;
}

/** This cluster's own networks, which no ipBlock may cover (rule MER202). */
export function ownNetworks(env: Pick<Environment, 'submariner'>, cluster: Cluster): string[] {
  return [cluster.podCIDR, ...(env.submariner.globalnet && cluster.globalCIDR !== undefined ? [cluster.globalCIDR] : [])];
}

/** DNS as the platform serves it (platform.ts). */
function dnsRule(view: ClusterView): PolicyRule {
  const dns = view.platform.dns;
  return {
    peers: [{ namespace: dns.namespace, ...(dns.podLabels ? { podLabels: dns.podLabels } : {}) }],
    ports: dns.ports.flatMap((port) => (['UDP', 'TCP'] as const).map((protocol) => ({ port, protocol }))),
  };
}

const istiodRule: PolicyRule = { peers: [{ namespace: ISTIOD.namespace }], ports: tcp(ISTIOD.xdsPort) };

/** Every local service the environment's services call, with the local services that call it. */
function consumersOf(view: ClusterView, service: Service): Service[] {
  return view.localServices.map((l) => l.service).filter((c) => c.usesServices.includes(service.name));
}

/**
 * One policy per service active here, selecting its pods, both directions:
 * ingress on its port from the gateway namespace (global services), from the local services that use
 * it, from the other clusters' networks when it is reached across clusters (clusterset or global), and on 15090 from
 * Prometheus when monitoring is on; egress to DNS, istiod, the services it uses (locally where they
 * run here, the other clusters' service networks for clusterset names) and the stores it uses.
 */
export function servicePolicies(view: ClusterView): NetworkPolicyPlan[] {
  const env = view.environment;
  const sidecars = new Set(view.sidecarNamespaces);
  const active = new Set(view.localServices.map((l) => l.service.name));
  return view.localServices.map(({ service }) => {
    const port = tcp(service.port);
    const ingress: PolicyRule[] = [];
    if (service.expose === 'global' && view.hasIngress) ingress.push({ peers: [{ namespace: INGRESS.namespace }], ports: port });
    const consumers = consumersOf(view, service);
    if (consumers.length > 0) {
      ingress.push({ peers: consumers.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name)).map((c) => ({ namespace: c.namespace, podLabels: servicePodLabels(c) })), ports: port });
    }
    // By `expose`, not by the drain: a drained cluster stops exporting (Lighthouse stops answering
    // with it), and its policy stays as it was, so draining and undraining change routing only.
    if (service.expose !== 'cluster' && env.clusters.length > 1) {
      ingress.push({ peers: remoteSourceNetworks(env, view.cluster.name).map((cidr) => ({ cidr })), ports: port });
    }
    if (env.monitoring === 'prometheus-operator' && sidecars.has(service.namespace)) {
      ingress.push({ peers: view.platform.prometheusNamespaces.map((namespace) => ({ namespace })), ports: tcp(ENVOY_METRICS_PORT) });
    }

    const egress: PolicyRule[] = [dnsRule(view)];
    if (sidecars.has(service.namespace)) egress.push(istiodRule);
    const used = service.usesServices.map((n) => view.services.find((s) => s.name === n)).filter((s): s is Service => s !== undefined);
    for (const u of used) {
      if (active.has(u.name)) egress.push({ peers: [{ namespace: u.namespace, podLabels: servicePodLabels(u) }], ports: tcp(u.port) });
      if (u.expose !== 'cluster' && env.clusters.length > 1) egress.push({ peers: remoteServiceNetworks(env, view.cluster.name).map((cidr) => ({ cidr })), ports: tcp(u.port) });
    }
    // A store's pods here are reached by pod selector; in a cluster outside its placement (vault.clusters,
    // cockroachdb.clusters) its clusterset name resolves to a member's Service, so the members' Service networks.
    const storeRule = (store: { readonly namespace: string; readonly clusters: readonly string[] }, podLabels: Record<string, string>, port: number): PolicyRule =>
      store.clusters.includes(view.cluster.name)
        ? { peers: [{ namespace: store.namespace, podLabels }], ports: tcp(port) }
        : { peers: memberServiceNetworks(env, store, view.cluster.name).map((cidr) => ({ cidr })), ports: tcp(port) };
    if (service.usesStores.includes('vault') && env.vault) egress.push(storeRule(env.vault, selectorLabels('vault', VAULT_STATEFULSET), VAULT_PORT));
    if (service.usesStores.includes('cockroachdb') && env.cockroachdb) {
      egress.push(storeRule(env.cockroachdb, selectorLabels(COCKROACHDB.statefulSet, COCKROACHDB.statefulSet), COCKROACHDB_SQL_PORT));
    }
    return { name: service.name, namespace: service.namespace, podLabels: servicePodLabels(service), ingress, egress: mergeRules(egress) };
  });
}

/**
 * The shared gateway's pods (the only pods of the ingress namespace, so the policy selects them all:
 * their labels are Istio's to choose). Ingress on 443 and the load balancers' health port 15021
 * from outside the cluster (any address but this cluster's own pod and global networks: the
 * LoadBalancer Service the GSLB points at), and on OpenShift from the router (the passthrough Routes
 * of per-cluster hosts), matched by its policy group. Egress to DNS, istiod, the global services
 * active here and the other clusters' service networks (a route's clusterset host resolves there
 * when this cluster is drained or its pods are down).
 */
export function gatewayPolicy(view: ClusterView): NetworkPolicyPlan | undefined {
  if (!view.hasIngress) return undefined;
  const env = view.environment;
  const globals = view.localServices.filter((l) => l.service.expose === 'global').map((l) => l.service);
  const outside: PolicyPeer = { cidr: '0.0.0.0/0', except: ownNetworks(env, view.cluster) };
  const ingress: PolicyRule[] = [{ peers: [outside], ports: tcp(GATEWAY_HTTPS_PORT, GATEWAY_HEALTH_PORT) }];
  if (view.platform.perClusterHosts === 'route') ingress.push({ peers: [{ namespaceLabels: OPENSHIFT_ROUTER_POLICY_GROUP }], ports: tcp(GATEWAY_HTTPS_PORT) });
  if (env.monitoring === 'prometheus-operator') ingress.push({ peers: view.platform.prometheusNamespaces.map((namespace) => ({ namespace })), ports: tcp(ENVOY_METRICS_PORT) });
  const egress: PolicyRule[] = [dnsRule(view), istiodRule];
  for (const s of globals) egress.push({ peers: [{ namespace: s.namespace, podLabels: servicePodLabels(s) }], ports: tcp(s.port) });
  if (env.clusters.length > 1) {
    const ports = [...new Set(globals.map((s) => s.port))].sort((a, b) => a - b);
    egress.push({ peers: remoteServiceNetworks(env, view.cluster.name).map((cidr) => ({ cidr })), ports: tcp(...ports) });
  }
  return { name: INGRESS.gateway, namespace: INGRESS.namespace, podLabels: {}, ingress, egress: mergeRules(egress) };
}

/** Rules with the same peers become one rule with the union of their ports. */
function mergeRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const byPeers = new Map<string, { peers: readonly PolicyPeer[]; ports: PolicyPort[] }>();
  for (const r of rules) {
    const key = JSON.stringify(r.peers);
    const entry = byPeers.get(key) ?? { peers: r.peers, ports: [] };
    for (const p of r.ports) if (!entry.ports.some((q) => q.port === p.port && q.protocol === p.protocol)) entry.ports.push(p);
    byPeers.set(key, entry);
  }
  return [...byPeers.values()].map((e) => ({ peers: e.peers, ports: [...e.ports].sort((a, b) => a.port - b.port || cmp(a.protocol, b.protocol)) }));
}

/** The CockroachDB namespace's egress: DNS as the platform serves it, and HTTPS to the backup object store when backups are on. */
export function cockroachDbEgress(view: ClusterView): { readonly dns: ClusterView['platform']['dns']; readonly backupPorts: readonly number[] } {
  return { dns: view.platform.dns, backupPorts: view.backup ? [443] : [] };
}
