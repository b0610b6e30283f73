// Cross-cluster invariants of the connectivity output, checked over a whole synthesized bundle (all
// cluster folders of every environment). Each check returns violations instead of asserting, so the
// tests can also prove that a broken bundle is caught.
import type { Bundle, SynthesizedObject } from '../../src/synth/synthesize';
import type { Topology } from '../../src/topology';

type Obj = SynthesizedObject;
const CLUSTERSET = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.clusterset\.local$/;
const CLUSTER_LOCAL = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/;
const DRAINED = 'meridian.dev/drained';

const key = (name: string, namespace: string | undefined): string => `${namespace}/${name}`;
const m = (o: Obj): any => o.manifest;

function index(objects: readonly Obj[]) {
  const byKind = (kind: string) => objects.filter((o) => o.manifest.kind === kind);
  const environments = [...new Set(objects.filter((o) => o.folder !== 'argocd').map((o) => o.environment))].sort();
  return { byKind, environments };
}

/** Clusters (of one environment) that hold an object of this kind, name and namespace. */
function clustersWith(objects: readonly Obj[], env: string, kind: string, name: string, namespace: string, filter: (o: Obj) => boolean = () => true): Set<string> {
  return new Set(
    objects
      .filter((o) => o.environment === env && o.manifest.kind === kind && o.manifest.metadata.name === name && o.manifest.metadata.namespace === namespace && filter(o))
      .map((o) => o.folder),
  );
}

const isDrained = (o: Obj): boolean => o.manifest.metadata.labels?.[DRAINED] === 'true';
const isServiceDeployment = (o: Obj): boolean => o.component === 'services' && o.manifest.kind === 'Deployment';

/**
 * Every ExternalName target and ServiceEntry host is a service exported in at least two clusters —
 * precisely: exported by exactly the clusters that run it undrained, which are at least two unless the
 * service runs undrained in fewer (active in one cluster, or drained down to one); never zero.
 */
export function clustersetTargetsAreExported(bundle: Bundle): string[] {
  const out: string[] = [];
  const { byKind } = index(bundle.objects);
  const targets = [
    ...byKind('Service')
      .filter((o) => m(o).spec.type === 'ExternalName')
      .map((o) => ({ o, host: m(o).spec.externalName as string })),
    ...byKind('ServiceEntry').flatMap((o) => (m(o).spec.hosts as string[]).map((host) => ({ o, host }))),
  ];
  for (const { o, host } of targets) {
    const where = `${o.file}: ${o.manifest.kind} ${key(o.manifest.metadata.name, o.manifest.metadata.namespace)}`;
    const parts = CLUSTERSET.exec(host);
    if (!parts) {
      out.push(`${where}: target ${host} is not a clusterset name`);
      continue;
    }
    const [, name, namespace] = parts as unknown as [string, string, string];
    const exporters = clustersWith(bundle.objects, o.environment, 'ServiceExport', name, namespace);
    const runners = new Set(
      bundle.objects
        .filter((d) => d.environment === o.environment && isServiceDeployment(d) && d.manifest.metadata.name === name && d.manifest.metadata.namespace === namespace && !isDrained(d))
        .map((d) => d.folder),
    );
    const list = (s: Set<string>) => [...s].sort().join(', ') || 'none';
    if (exporters.size === 0) out.push(`${where}: ${host} is exported by no cluster`);
    else if (exporters.size < Math.min(2, runners.size)) out.push(`${where}: ${host} is exported by ${list(exporters)} only, but runs undrained in ${list(runners)}`);
    if (list(exporters) !== list(runners)) out.push(`${where}: ${host} is exported by ${list(exporters)}, but runs undrained in ${list(runners)}`);
  }
  return out;
}

/**
 * Exported names are identical in every cluster: each export names a Service of its own cluster with the
 * same name and namespace, every cluster that runs an exported service undrained exports it under that
 * same name, and the exported Service's ports are identical everywhere (MCS merges them).
 */
export function exportsAreConsistent(bundle: Bundle): string[] {
  const out: string[] = [];
  const { byKind, environments } = index(bundle.objects);
  for (const env of environments) {
    const exports = byKind('ServiceExport').filter((o) => o.environment === env);
    const exported = new Set(exports.map((o) => key(o.manifest.metadata.name, o.manifest.metadata.namespace)));
    for (const e of exports) {
      const svc = bundle.objects.find(
        (s) => s.folder === e.folder && s.manifest.kind === 'Service' && s.manifest.metadata.name === e.manifest.metadata.name && s.manifest.metadata.namespace === e.manifest.metadata.namespace,
      );
      if (!svc || m(svc).spec.type === 'ExternalName') out.push(`${e.file}: ServiceExport ${key(e.manifest.metadata.name, e.manifest.metadata.namespace)} has no Service of that name in ${e.folder}`);
    }
    for (const k of exported) {
      const [namespace, name] = k.split('/') as [string, string];
      const runners = bundle.objects.filter((d) => d.environment === env && isServiceDeployment(d) && key(d.manifest.metadata.name, d.manifest.metadata.namespace) === k && !isDrained(d));
      for (const d of runners) {
        if (!clustersWith(bundle.objects, env, 'ServiceExport', name, namespace).has(d.folder)) out.push(`${d.folder}: runs ${k} undrained but does not export it`);
      }
      const ports = new Set(
        bundle.objects
          .filter((s) => s.environment === env && s.manifest.kind === 'Service' && key(s.manifest.metadata.name, s.manifest.metadata.namespace) === k)
          .filter((s) => clustersWith(bundle.objects, env, 'ServiceExport', name, namespace).has(s.folder))
          .map((s) => JSON.stringify(m(s).spec.ports)),
      );
      if (ports.size > 1) out.push(`${env}: exported Service ${k} has different ports in different clusters`);
    }
  }
  return out;
}

/** A cluster where a service is drained exports nothing for it, and its Deployment, Service and HTTPRoute say so. */
export function drainedClustersExportNothing(bundle: Bundle): string[] {
  const out: string[] = [];
  for (const d of bundle.objects.filter((o) => isServiceDeployment(o) && isDrained(o))) {
    const { name, namespace } = d.manifest.metadata;
    const same = (kind: string) => bundle.objects.filter((o) => o.folder === d.folder && o.manifest.kind === kind && o.manifest.metadata.name === name && o.manifest.metadata.namespace === namespace);
    if (same('ServiceExport').length > 0) out.push(`${d.folder}: ${key(name, namespace)} is drained but exported`);
    for (const kind of ['Service', 'HTTPRoute']) for (const o of same(kind)) if (!isDrained(o)) out.push(`${d.folder}: ${kind} ${key(name, namespace)} of a drained service lacks ${DRAINED}`);
  }
  return out;
}

/**
 * Every HTTPRoute's parent Gateway and listener exist in its cluster and admit the route, and its backend
 * Service exists in its namespace; an ExternalName backend points at a host the Gateway's namespace sees
 * through a ServiceEntry and a DestinationRule.
 */
export function routesResolve(bundle: Bundle): string[] {
  const out: string[] = [];
  const { byKind } = index(bundle.objects);
  for (const r of byKind('HTTPRoute')) {
    const route = m(r);
    const where = `${r.file}: HTTPRoute ${key(route.metadata.name, route.metadata.namespace)}`;
    for (const parent of route.spec.parentRefs) {
      const gw = byKind('Gateway').find((g) => g.folder === r.folder && g.manifest.metadata.name === parent.name && g.manifest.metadata.namespace === parent.namespace);
      if (!gw) {
        out.push(`${where}: parent Gateway ${key(parent.name, parent.namespace)} does not exist in ${r.folder}`);
        continue;
      }
      const listener = m(gw).spec.listeners.find((l: any) => l.name === parent.sectionName);
      if (!listener) out.push(`${where}: Gateway has no listener ${parent.sectionName}`);
      else {
        if (!route.spec.hostnames.includes(listener.hostname)) out.push(`${where}: listener ${parent.sectionName} serves ${listener.hostname}, which the route does not claim`);
        const allowed = listener.allowedRoutes?.namespaces?.selector?.matchExpressions?.[0]?.values ?? [];
        if (!allowed.includes(route.metadata.namespace)) out.push(`${where}: listener ${parent.sectionName} does not admit routes from ${route.metadata.namespace}`);
        if (listener.protocol !== 'HTTPS' || listener.tls?.mode !== 'Terminate') out.push(`${where}: listener ${parent.sectionName} is not HTTPS with TLS termination`);
      }
    }
    for (const rule of route.spec.rules) {
      for (const b of rule.backendRefs) {
        const svc = byKind('Service').find((s) => s.folder === r.folder && s.manifest.metadata.name === b.name && s.manifest.metadata.namespace === route.metadata.namespace);
        if (!svc) {
          out.push(`${where}: backend Service ${b.name} does not exist in ${r.folder}`);
          continue;
        }
        if (m(svc).spec.type !== 'ExternalName') continue;
        const host = m(svc).spec.externalName;
        const gatewayNamespaces = route.spec.parentRefs.map((p: any) => p.namespace);
        for (const kind of ['ServiceEntry', 'DestinationRule']) {
          const found = byKind(kind).filter(
            (o) =>
              o.folder === r.folder &&
              (kind === 'ServiceEntry' ? m(o).spec.hosts.includes(host) : m(o).spec.host === host) &&
              gatewayNamespaces.every((ns: string) => m(o).spec.exportTo.includes(ns) || m(o).spec.exportTo.includes('*')),
          );
          if (found.length === 0) out.push(`${where}: no ${kind} for ${host} visible to the Gateway's namespace in ${r.folder}`);
        }
      }
    }
  }
  return out;
}

/** Every DestinationRule applies to a ServiceEntry host of its own namespace with the same visibility, and has outlier detection. */
export function destinationRulesMatchEntries(bundle: Bundle): string[] {
  const out: string[] = [];
  const { byKind } = index(bundle.objects);
  for (const d of byKind('DestinationRule')) {
    const dr = m(d);
    const entry = byKind('ServiceEntry').find((s) => s.folder === d.folder && s.manifest.metadata.namespace === dr.metadata.namespace && m(s).spec.hosts.includes(dr.spec.host));
    if (!entry) out.push(`${d.file}: DestinationRule ${key(dr.metadata.name, dr.metadata.namespace)} has no ServiceEntry for ${dr.spec.host}`);
    else if (JSON.stringify(m(entry).spec.exportTo) !== JSON.stringify(dr.spec.exportTo)) out.push(`${d.file}: DestinationRule ${dr.metadata.name} and its ServiceEntry differ in exportTo`);
    if (!dr.spec.trafficPolicy?.outlierDetection) out.push(`${d.file}: DestinationRule ${dr.metadata.name} has no outlier detection`);
  }
  for (const s of byKind('ServiceEntry')) {
    for (const host of m(s).spec.hosts) {
      if (!byKind('DestinationRule').some((d) => d.folder === s.folder && d.manifest.metadata.namespace === s.manifest.metadata.namespace && m(d).spec.host === host)) {
        out.push(`${s.file}: ServiceEntry ${s.manifest.metadata.name} has no DestinationRule for ${host}`);
      }
    }
  }
  return out;
}

/** Every URL a service is given names a host its sidecar can resolve: a ServiceEntry of its namespace, or a local Service. */
export function serviceUrlsResolve(bundle: Bundle): string[] {
  const out: string[] = [];
  for (const d of bundle.objects.filter(isServiceDeployment)) {
    const ns = d.manifest.metadata.namespace!;
    for (const c of m(d).spec.template.spec.containers) {
      for (const v of c.env ?? []) {
        if (!/_URL$/.test(v.name) || v.name === 'DATABASE_URL') continue;
        const host = new URL(v.value).hostname;
        const where = `${d.file}: ${key(d.manifest.metadata.name, ns)} ${v.name}`;
        if (CLUSTERSET.test(host)) {
          const entry = bundle.objects.find((o) => o.folder === d.folder && o.manifest.kind === 'ServiceEntry' && o.manifest.metadata.namespace === ns && m(o).spec.hosts.includes(host));
          if (!entry) out.push(`${where}: no ServiceEntry for ${host} in namespace ${ns}`);
          const [, name, namespace] = CLUSTERSET.exec(host) as unknown as [string, string, string];
          if (clustersWith(bundle.objects, d.environment, 'ServiceExport', name, namespace).size === 0) out.push(`${where}: ${host} is exported nowhere`);
        } else if (CLUSTER_LOCAL.test(host)) {
          const [, name, namespace] = CLUSTER_LOCAL.exec(host) as unknown as [string, string, string];
          if (!clustersWith(bundle.objects, d.environment, 'Service', name, namespace).has(d.folder)) out.push(`${where}: ${host} has no Service in ${d.folder}`);
        } else {
          out.push(`${where}: ${host} is neither a clusterset nor a cluster-local name`);
        }
      }
    }
  }
  return out;
}

/** Sidecar pods run only in namespaces that take only mutual TLS. */
export function sidecarNamespacesAreStrict(bundle: Bundle): string[] {
  const out: string[] = [];
  for (const d of bundle.objects.filter(isServiceDeployment)) {
    if (m(d).spec.template.metadata.labels['sidecar.istio.io/inject'] !== 'true') continue;
    const ns = d.manifest.metadata.namespace;
    const pa = bundle.objects.find((o) => o.folder === d.folder && o.manifest.kind === 'PeerAuthentication' && o.manifest.metadata.namespace === ns && !m(o).spec.selector);
    if (!pa || m(pa).spec.mtls?.mode !== 'STRICT') out.push(`${d.folder}: namespace ${ns} runs sidecars without a STRICT PeerAuthentication`);
  }
  return out;
}

/** One Submariner CR per cluster named for it, one Broker per environment, disjoint globalnet slices, no secret values. */
export function submarinerIsComplete(bundle: Bundle): string[] {
  const out: string[] = [];
  const { byKind, environments } = index(bundle.objects);
  for (const env of environments) {
    const folders = [...new Set(bundle.objects.filter((o) => o.environment === env && o.folder !== 'argocd').map((o) => o.folder))];
    const crs = byKind('Submariner').filter((o) => o.environment === env);
    for (const f of folders) {
      const mine = crs.filter((o) => o.folder === f);
      if (mine.length !== 1) out.push(`${f}: ${mine.length} Submariner CRs, expected 1`);
      else if (m(mine[0]!).spec.clusterID !== f) out.push(`${f}: Submariner clusterID ${m(mine[0]!).spec.clusterID} is not the cluster name`);
    }
    const brokers = byKind('Broker').filter((o) => o.environment === env);
    if (brokers.length !== 1) out.push(`${env}: ${brokers.length} Brokers, expected 1`);
    const slices = crs.map((o) => m(o).spec.globalCIDR).filter((c): c is string => c !== undefined);
    if (new Set(slices).size !== slices.length) out.push(`${env}: two clusters share a globalnet slice`);
    for (const o of crs) for (const inline of ['brokerK8sApiServerToken', 'brokerK8sCA', 'ceIPSecPSK']) if (m(o).spec[inline] !== undefined) out.push(`${o.file}: Submariner carries ${inline} inline`);
  }
  return out;
}

/** Per service, the clusters' replica shares (or HPA bounds) add up to the environment's totals. */
export function replicaSharesSum(bundle: Bundle, topology: Topology): string[] {
  const out: string[] = [];
  for (const env of topology.environments) {
    for (const s of env.services) {
      const deployments = bundle.objects.filter((o) => o.environment === env.name && isServiceDeployment(o) && o.manifest.metadata.name === s.name && o.manifest.metadata.namespace === s.namespace);
      const folders = deployments.map((d) => d.folder).sort();
      if (JSON.stringify(folders) !== JSON.stringify([...s.activeIn].sort())) out.push(`${env.name}: ${s.name} runs in ${folders.join(', ')}, expected ${s.activeIn.join(', ')}`);
      if (s.autoscaling) {
        const hpas = bundle.objects.filter((o) => o.environment === env.name && o.manifest.kind === 'HorizontalPodAutoscaler' && o.manifest.metadata.name === s.name && o.manifest.metadata.namespace === s.namespace);
        const sum = (f: (o: any) => number) => hpas.reduce((a, h) => a + f(m(h).spec), 0);
        const n = s.activeIn.length;
        if (hpas.length !== n) out.push(`${env.name}: ${s.name} has ${hpas.length} HPAs, expected ${n}`);
        if (hpas.some((h) => m(h).spec.minReplicas < 1 || m(h).spec.minReplicas > m(h).spec.maxReplicas)) out.push(`${env.name}: ${s.name} has HPA bounds below 1 or inverted`);
        if (sum((h) => h.minReplicas) !== Math.max(s.autoscaling.minReplicas, n)) out.push(`${env.name}: ${s.name} HPA minimums sum to ${sum((h) => h.minReplicas)}`);
        if (sum((h) => h.maxReplicas) !== Math.max(s.autoscaling.maxReplicas, n)) out.push(`${env.name}: ${s.name} HPA maximums sum to ${sum((h) => h.maxReplicas)}`);
        if (deployments.some((d) => m(d).spec.replicas !== undefined)) out.push(`${env.name}: ${s.name} sets replicas although an HPA owns them`);
      } else {
        const total = deployments.reduce((a, d) => a + m(d).spec.replicas, 0);
        if (total !== s.replicas) out.push(`${env.name}: ${s.name} replica shares sum to ${total}, expected ${s.replicas}`);
        if (deployments.some((d) => m(d).spec.replicas < 1)) out.push(`${env.name}: ${s.name} has a cluster with no replica`);
      }
    }
  }
  return out;
}

export const ALL_INVARIANTS = {
  clustersetTargetsAreExported,
  exportsAreConsistent,
  drainedClustersExportNothing,
  routesResolve,
  destinationRulesMatchEntries,
  serviceUrlsResolve,
  sidecarNamespacesAreStrict,
  submarinerIsComplete,
} as const;
