// Cross-cluster traffic facts derived from one cluster view: what the Gateway listens for, where each
// route sends its traffic, which clusterset hosts the mesh must know, and how callers address services.
// Pure: charts map these plans onto constructs and decide nothing themselves.
import { clustersetHost, gatewayCertificateSecret, INGRESS } from '../lib/names';
import { GATEWAY_HTTPS_PORT } from '../lib/platform';
import { cmp } from './problems';
import type { Cluster, Service } from './types';
import type { ClusterView, LocalService } from './view';

/** The cluster-specific URL host of a global service on a cluster with an `ingressDomain` (DESIGN "Cluster-specific URLs"). */
export function clusterHostname(service: Pick<Service, 'name' | 'expose'>, cluster: Pick<Cluster, 'ingressDomain'>): string | undefined {
  if (service.expose !== 'global' || cluster.ingressDomain === undefined) return undefined;
  return `${service.name}.${cluster.ingressDomain}`;
}

/**
 * Name shared by the objects that stand for a service's clusterset host in a namespace: the
 * ExternalName Service a route targets, the ServiceEntry and the DestinationRule.
 */
export function clustersetAlias(service: Pick<Service, 'name'>): string {
  return `${service.name}-clusterset`;
}

/**
 * A cluster exports a service (and so Lighthouse resolves its clusterset name there) when the service
 * is meant to be reached across clusters and the cluster is not drained for it.
 */
export function exportsHere(local: Pick<LocalService, 'service' | 'drained'>): boolean {
  return local.service.expose !== 'cluster' && !local.drained;
}

/** How another service calls this one: through the clusterset name unless it is local-only. */
export function serviceHost(service: Pick<Service, 'name' | 'namespace' | 'expose'>): string {
  return service.expose === 'cluster' ? `${service.name}.${service.namespace}.svc.cluster.local` : clustersetHost(service.name, service.namespace);
}

/** `http://<host>:<port>` of a service as its callers see it. */
export function serviceUrl(service: Pick<Service, 'name' | 'namespace' | 'expose' | 'port'>): string {
  return `http://${serviceHost(service)}:${service.port}`;
}

/** Environment variable carrying a used service's URL: `order-api` -> `ORDER_API_URL`. */
export function serviceUrlVariable(service: Pick<Service, 'name'>): string {
  return `${service.name.toUpperCase().replace(/-/g, '_')}_URL`;
}

export interface GatewayListener {
  /** Listener (section) name, unique in the Gateway. */
  readonly name: string;
  readonly hostname: string;
  /** The global service it serves. */
  readonly service: string;
  /** Namespace whose HTTPRoutes may attach: the service's own, and no other. */
  readonly routeNamespace: string;
  /** TLS Secret in the ingress namespace (issued by the Trust component). */
  readonly certificateSecret: string;
}

export interface IngressRoute {
  readonly service: Service;
  readonly hostnames: readonly string[];
  /** Listeners of the shared Gateway the route attaches to, one per hostname. */
  readonly sectionNames: readonly string[];
  /** ExternalName Service (in the service's namespace) the route targets. */
  readonly backend: string;
  readonly port: number;
  /** Where the ExternalName Service points: the clusterset host, resolved only to clusters that export it. */
  readonly clustersetHost: string;
  /** Drained here: the route still answers, and the clusterset host no longer includes this cluster. */
  readonly drained: boolean;
}

/** An OpenShift Route handing a per-cluster hostname to the gateway's LoadBalancer Service (platform.ts perClusterHosts). */
export interface RouterHandoff {
  readonly name: string;
  readonly host: string;
  readonly service: string;
  readonly targetPort: number;
}

export interface IngressPlan {
  readonly namespace: string;
  readonly gateway: string;
  readonly gatewayClassName: string;
  readonly listeners: readonly GatewayListener[];
  readonly routes: readonly IngressRoute[];
  /** On OpenShift, one passthrough Route per per-cluster hostname; empty elsewhere (the ingressDomain resolves to the gateway). */
  readonly routerHandoffs: readonly RouterHandoff[];
}

/** Port of every HTTPS listener of the shared Gateway (constructs/gateway.ts), and so of its Service. */
export { GATEWAY_HTTPS_PORT };

/** The shared Gateway of a cluster and one route per global service active here; undefined when none is. */
export function ingressPlan(view: ClusterView): IngressPlan | undefined {
  if (!view.hasIngress) return undefined;
  const globals = view.localServices.filter((l) => l.service.expose === 'global');
  const listeners: GatewayListener[] = [];
  const routes: IngressRoute[] = [];
  for (const { service, drained } of globals) {
    const own = (name: string, hostname: string): GatewayListener => ({
      name,
      hostname,
      service: service.name,
      routeNamespace: service.namespace,
      certificateSecret: gatewayCertificateSecret(service),
    });
    const mine = [own(`${service.name}-global`, service.hostname!)];
    const local = clusterHostname(service, view.cluster);
    if (local !== undefined) mine.push(own(`${service.name}-cluster`, local));
    listeners.push(...mine);
    routes.push({
      service,
      hostnames: mine.map((l) => l.hostname),
      sectionNames: mine.map((l) => l.name),
      backend: clustersetAlias(service),
      port: service.port,
      clustersetHost: clustersetHost(service.name, service.namespace),
      drained,
    });
  }
  const routerHandoffs =
    view.platform.perClusterHosts === 'route'
      ? listeners
          // external-dns answers a global hostname with a CNAME to <service>.<ingressDomain> (gslb.ts), so
          // its connections reach the router too, with the global name as SNI: it needs its own Route.
          .filter((l) => view.globalLoadBalancer?.provider === 'external-dns' || l.hostname !== view.localServices.find((s) => s.service.name === l.service)?.service.hostname)
          .map((l) => ({ name: l.name, host: l.hostname, service: INGRESS.loadBalancerService, targetPort: GATEWAY_HTTPS_PORT }))
      : [];
  return { namespace: INGRESS.namespace, gateway: INGRESS.gateway, gatewayClassName: INGRESS.gatewayClassName, listeners, routes, routerHandoffs };
}

/** A clusterset host registered in one namespace's mesh view: a ServiceEntry and its DestinationRule. */
export interface MeshEntry {
  readonly namespace: string;
  /** Name of both objects. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Namespaces that see the entry (`.` = its own), sorted. */
  readonly exportTo: readonly string[];
  readonly service: Service;
}

/**
 * Every clusterset host a proxy in this cluster needs, by namespace: a global service's host in its own
 * namespace, visible to the ingress namespace too (the Gateway routes to it), and every clusterset or
 * global service a local service uses, in the caller's namespace and visible only there. Sorted by
 * namespace then name; one entry per namespace and host.
 */
export function meshEntries(view: ClusterView): MeshEntry[] {
  const byKey = new Map<string, { service: Service; namespace: string; exportTo: Set<string> }>();
  const add = (service: Service, namespace: string, exportTo: readonly string[]): void => {
    const key = `${namespace}/${service.name}`;
    const entry = byKey.get(key) ?? { service, namespace, exportTo: new Set<string>() };
    for (const e of exportTo) entry.exportTo.add(e);
    byKey.set(key, entry);
  };
  for (const { service } of view.localServices) {
    if (service.expose === 'global') add(service, service.namespace, ['.', INGRESS.namespace]);
    for (const name of service.usesServices) {
      const used = view.services.find((s) => s.name === name);
      if (used && used.expose !== 'cluster') add(used, service.namespace, ['.']);
    }
  }
  return [...byKey.values()]
    .map((e) => ({
      namespace: e.namespace,
      name: clustersetAlias(e.service),
      host: clustersetHost(e.service.name, e.service.namespace),
      port: e.service.port,
      exportTo: [...e.exportTo].sort(cmp),
      service: e.service,
    }))
    .sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
}
