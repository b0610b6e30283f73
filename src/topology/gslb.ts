// Global load balancing derived from the model: which clusters answer each global hostname, what each
// provider can express, and the objects each cluster holds. Pure; the gslb chart maps these onto constructs.
//
// Providers (REFERENCE §1.6):
//   global-load-balancer-operator  runs on the hub and writes Route53 traffic policies with health checks.
//     Its Route53 implementation builds Latency, Multivalue and Geoproximity policies only (any other
//     policy is refused by the controller at runtime), Route53 checks every 10 or 30 seconds and
//     accepts 1..10 failures.
//   k8gb  runs in every cluster; each cluster publishes its own gateway while it is healthy. It offers
//     roundRobin (our Multivalue) and failover (our Failover); it tells clusters apart by geo tag,
//     and meridian uses the region as the tag.
//   external-dns  has no health checks: it publishes what it is told. meridian writes Route53 routing
//     records through it (one record per serving cluster, told apart by set identifier), pointing at
//     the cluster-specific name <service>.<ingressDomain>; only drains steer traffic away.
import type { PathSegment } from './problems';
import type { EnvironmentSpec } from './schema';
import type { Cluster, GlobalLoadBalancer, GslbProvider, LoadBalancingPolicy, Service, Strategy } from './types';

/** The policies each provider implements, and why the others are refused. */
export const PROVIDER_POLICIES: Readonly<Record<GslbProvider, { readonly policies: readonly LoadBalancingPolicy[]; readonly why: string }>> = {
  'global-load-balancer-operator': {
    policies: ['Latency', 'Multivalue', 'Geoproximity'],
    why: 'its Route53 provider builds traffic policies for Latency, Multivalue and Geoproximity only',
  },
  k8gb: { policies: ['Multivalue', 'Failover'], why: 'k8gb strategies are roundRobin (Multivalue) and failover (Failover)' },
  'external-dns': {
    policies: ['Latency', 'Weighted'],
    why: 'without health checks a Failover record never fails over, Route53 multivalue answers cannot be CNAMEs, and the topology has no locations for geo policies',
  },
};

/** Namespace on the hub for the records and their Secrets, per provider (k8gb writes nothing on the hub). */
const DEFAULT_NAMESPACE: Readonly<Record<GslbProvider, string | undefined>> = {
  'global-load-balancer-operator': 'global-load-balancer-operator',
  k8gb: undefined,
  'external-dns': 'external-dns',
};

/** Route53 health checks run every 10 or 30 seconds and declare an endpoint down after 1..10 failures. */
const ROUTE53_PERIODS: readonly number[] = [10, 30];
const ROUTE53_MAX_FAILURES = 10;

export const DEFAULT_KUBECONFIG_SUFFIX = '-kubeconfig';

/** Failover for active-passive; otherwise Latency, or Multivalue where the provider has no latency routing (k8gb). */
export function defaultPolicy(provider: GslbProvider, strategy: Strategy): LoadBalancingPolicy {
  if (strategy === 'active-passive') return 'Failover';
  return provider === 'k8gb' ? 'Multivalue' : 'Latency';
}

export function defaultNamespace(provider: GslbProvider): string | undefined {
  return DEFAULT_NAMESPACE[provider];
}

type Report = (path: readonly PathSegment[], message: string) => void;

/**
 * Provider-specific rules the schema cannot express. `policyReported` is true when the strategy rule
 * already refused the policy, so the same field is not reported twice.
 */
export function checkGlobalLoadBalancer(
  spec: EnvironmentSpec,
  glb: GlobalLoadBalancer,
  clusters: readonly Cluster[],
  services: readonly Service[],
  policyReported: boolean,
  report: Report,
): void {
  const g = spec.globalLoadBalancer;
  const { provider, policy } = glb;
  const supported = PROVIDER_POLICIES[provider];
  if (!policyReported && !supported.policies.includes(policy)) {
    const where = g?.policy === undefined ? 'provider' : 'policy';
    const defaulted = g?.policy === undefined ? ` (the default for ${spec.strategy ?? 'active-active'} environments)` : '';
    const alternative = policy === 'Failover' ? '; k8gb implements Failover' : '';
    report(['globalLoadBalancer', where], `provider ${provider} cannot implement policy ${policy}${defaulted}: ${supported.why}; use ${supported.policies.join(', ')}${alternative}`);
  }

  (spec.services ?? []).forEach((s, i) => {
    const hostname = services.find((x) => x.name === s.name)?.hostname;
    if (hostname !== undefined && !hostname.endsWith(`.${spec.globalDomain}`)) {
      report(['services', i, s.hostname === undefined ? 'name' : 'hostname'], `hostname ${hostname} is outside globalDomain ${spec.globalDomain}, the zone the global load balancer answers for; use a name under ${spec.globalDomain}`);
    }
  });

  if (provider === 'global-load-balancer-operator') {
    const hc = glb.healthCheck;
    if (!ROUTE53_PERIODS.includes(hc.periodSeconds)) {
      report(['globalLoadBalancer', 'healthCheck', 'periodSeconds'], `Route53 health checks run every ${ROUTE53_PERIODS.join(' or ')} seconds, found ${hc.periodSeconds}`);
    }
    if (hc.failureThreshold > ROUTE53_MAX_FAILURES) {
      report(['globalLoadBalancer', 'healthCheck', 'failureThreshold'], `Route53 health checks accept at most ${ROUTE53_MAX_FAILURES} failures, found ${hc.failureThreshold}`);
    }
    // The operator reads every endpoint cluster's config.openshift.io Infrastructure "cluster" and fails
    // the endpoint without it (redhat-cop/global-load-balancer-operator
    // controllers/globaldnsrecord/endpointstatus.go, getEndPointStatus).
    const serving = new Set(services.flatMap((s) => (s.hostname === undefined ? [] : s.servingIn)));
    for (const c of clusters) {
      if (serving.has(c.name) && c.platform !== 'openshift') {
        report(['clusters', c.index, 'platform'], `the global-load-balancer-operator reads each endpoint cluster's OpenShift Infrastructure object, and ${c.name} serves global hostnames on platform ${c.platform}; set platform: openshift if it runs OpenShift, or use provider k8gb or external-dns`);
      }
    }
  } else if (g?.clusterCredentials !== undefined) {
    report(['globalLoadBalancer', 'clusterCredentials'], `clusterCredentials only applies to provider global-load-balancer-operator (this environment uses ${provider}); remove it`);
  }

  if (provider === 'k8gb') {
    if (g?.namespace !== undefined) {
      report(['globalLoadBalancer', 'namespace'], 'k8gb writes nothing on the hub (each Gslb sits beside the ingress gateway it publishes), so namespace does not apply; remove it');
    }
    const byRegion = new Map<string, Cluster>();
    for (const c of clusters) {
      const first = byRegion.get(c.region);
      if (first) {
        report(['clusters', c.index, 'region'], `k8gb tells clusters apart by geo tag and meridian uses the region as the tag: ${c.name} has the same region ${c.region} as ${first.name}; use distinct regions or another provider`);
      } else {
        byRegion.set(c.region, c);
      }
    }
  }

  if (provider === 'external-dns') {
    const missing = new Map<string, Service>();
    for (const s of services) {
      if (s.hostname === undefined) continue;
      for (const name of s.servingIn) if (!missing.has(name)) missing.set(name, s);
    }
    for (const c of clusters) {
      const s = missing.get(c.name);
      if (s && c.ingressDomain === undefined) {
        report(['clusters', c.index], `external-dns points ${s.hostname} at ${s.name}.<ingressDomain> of every cluster serving it, and ${c.name} has no ingressDomain; set one or use another provider`);
      }
    }
  }
}

/** A global hostname and the clusters that answer it: active, not drained, in cluster order. */
export interface GlobalHost {
  readonly service: Service;
  readonly hostname: string;
  readonly serving: readonly Cluster[];
}

/** Every global hostname of the environment, sorted by service name. */
export function globalHosts(env: { readonly services: readonly Service[]; readonly clusters: readonly Cluster[] }): GlobalHost[] {
  return env.services
    .filter((s): s is Service & { hostname: string } => s.expose === 'global' && s.hostname !== undefined)
    .map((service) => ({
      service,
      hostname: service.hostname,
      serving: env.clusters.filter((c) => service.servingIn.includes(c.name)),
    }));
}

/** The readiness endpoint probed over HTTPS through each cluster's gateway (the host selects the route and the SNI). */
export interface HealthProbe {
  readonly host: string;
  readonly path: string;
  readonly port: 443;
  readonly scheme: 'HTTPS';
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}

export function healthProbe(glb: GlobalLoadBalancer, host: GlobalHost): HealthProbe {
  return { host: host.hostname, path: host.service.healthPath, port: 443, scheme: 'HTTPS', ...glb.healthCheck };
}

/** The kubeconfig Secret on the hub through which the global-load-balancer-operator reads `cluster`. */
export function kubeconfigSecret(glb: GlobalLoadBalancer, cluster: Pick<Cluster, 'name'>): { readonly name: string; readonly namespace: string } {
  const creds = glb.clusterCredentials;
  if (!creds) throw new Error(`provider ${glb.provider} reads no clusters through kubeconfig Secrets`);
  return { name: `${cluster.name}${creds.secretSuffix}`, namespace: creds.namespace };
}

export type K8gbStrategy = { readonly type: 'roundRobin'; readonly dnsTtlSeconds: number } | { readonly type: 'failover'; readonly primaryGeoTag: string; readonly dnsTtlSeconds: number };

/**
 * k8gb strategy of a hostname, identical in every cluster: Failover sends traffic to the first
 * serving cluster (its region is its geo tag) while it is healthy; Multivalue is roundRobin.
 */
export function k8gbStrategy(glb: GlobalLoadBalancer, host: GlobalHost): K8gbStrategy {
  switch (glb.policy) {
    case 'Failover':
      return { type: 'failover', primaryGeoTag: host.serving[0]!.region, dnsTtlSeconds: glb.ttl };
    case 'Multivalue':
      return { type: 'roundRobin', dnsTtlSeconds: glb.ttl };
    default:
      throw new Error(`k8gb cannot implement policy ${glb.policy}; the topology check refuses it`);
  }
}

/** One Route53 routing record per serving cluster, as external-dns writes it. */
export interface RoutedRecord {
  readonly cluster: string;
  /** The cluster's ingress domain: the record points at the service's cluster-specific name in it. */
  readonly ingressDomain: string;
  /** external-dns provider-specific property selecting the Route53 routing policy. */
  readonly routing: { readonly name: string; readonly value: string };
}

export function routedRecords(glb: GlobalLoadBalancer, host: GlobalHost): RoutedRecord[] {
  return host.serving.map((c) => {
    if (c.ingressDomain === undefined) throw new Error(`cluster ${c.name} has no ingressDomain; the topology check requires one`);
    return { cluster: c.name, ingressDomain: c.ingressDomain, routing: route53Routing(glb.policy, c) };
  });
}

function route53Routing(policy: LoadBalancingPolicy, cluster: Cluster): { name: string; value: string } {
  switch (policy) {
    case 'Latency':
      return { name: 'aws/region', value: cluster.region };
    case 'Weighted':
      // Every serving cluster gets the same share; a drain removes the record instead of weighting it to zero.
      return { name: 'aws/weight', value: '1' };
    default:
      throw new Error(`external-dns cannot implement policy ${policy}; the topology check refuses it`);
  }
}

/** What one cluster holds for global load balancing. */
export interface ClusterGslb {
  readonly glb: GlobalLoadBalancer;
  /** The hostnames this cluster publishes records for. */
  readonly hosts: readonly GlobalHost[];
}

/**
 * The hostnames a cluster publishes: on the hub every global hostname (operator, external-dns), with
 * k8gb each serving cluster its own. Drained clusters appear nowhere. Undefined when the cluster holds
 * nothing.
 */
export function clusterGslb(
  env: { readonly globalLoadBalancer?: GlobalLoadBalancer; readonly services: readonly Service[]; readonly clusters: readonly Cluster[] },
  cluster: string,
): ClusterGslb | undefined {
  const glb = env.globalLoadBalancer;
  if (!glb) return undefined;
  const all = globalHosts(env);
  if (glb.provider === 'k8gb') {
    const hosts = all.filter((h) => h.serving.some((c) => c.name === cluster));
    return hosts.length > 0 ? { glb, hosts } : undefined;
  }
  if (glb.hub !== cluster) return undefined;
  // The operator's hub always holds the zone; external-dns needs nothing until there is a hostname.
  return all.length > 0 || glb.provider === 'global-load-balancer-operator' ? { glb, hosts: all } : undefined;
}
