// Rules about cross-cluster service discovery and routing: exports match Services, drained services
// are not exported, every clusterset name is exported somewhere, the mesh knows every clusterset
// host it routes to, and HTTPRoutes reference things that exist.
import { LABEL } from '../../lib/labels';
import { clustersetNamesIn, clusterFoldersByEnvironment, describeObject, dnsNameCovers, environmentOfFolder, groupOf, inFolder, kindOf, labelsOf, nameOf, namespaceOf, parseClustersetName, type ClustersetName } from '../manifest';
import type { Finding, Rule } from '../rule';
import { isClusterFolder, isRecord, type DistObject, type DistTree, type Segment } from '../tree';

const MCS_GROUP = 'multicluster.x-k8s.io';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const ISTIO_GROUP = 'networking.istio.io';

export const serviceExportMatchesService: Rule = {
  id: 'MER010',
  name: 'service-export-matches-service',
  description: 'every ServiceExport has a Service of the same name in the same namespace and cluster (an export names the Service it exports by its own name)',
  fix: 'name the ServiceExport exactly like the Service, in the Service\'s namespace, in every cluster that serves it',
  check(tree) {
    const out: Finding[] = [];
    for (const e of tree.objects.filter((o) => kindOf(o) === 'ServiceExport' && groupOf(o) === MCS_GROUP)) {
      const ns = namespaceOf(e);
      const svc = inFolder(tree, e.folder, 'Service', ns).find((s) => nameOf(s) === nameOf(e));
      if (!svc) {
        const others = inFolder(tree, e.folder, 'Service').filter((s) => nameOf(s) === nameOf(e)).map((s) => namespaceOf(s));
        out.push({
          object: e,
          path: ['metadata', 'name'],
          message: `ServiceExport ${ns ?? ''}/${nameOf(e)} in ${e.folder} has no Service ${nameOf(e)} in namespace ${ns ?? '(none)'}${others.length > 0 ? ` (there is one in ${others.join(', ')})` : ''}; Lighthouse exports the Service with the export's own name and namespace, so this exports nothing`,
        });
      }
    }
    return out;
  },
};

export const drainedNotExported: Rule = {
  id: 'MER012',
  name: 'drained-not-exported',
  description: `a Service labelled ${LABEL.drained}: "true" is not exported from that cluster, so Lighthouse never resolves the clusterset name to a drained cluster`,
  fix: 'leave the ServiceExport out of the clusters listed in the service\'s drainedIn',
  check(tree) {
    const out: Finding[] = [];
    for (const svc of tree.objects.filter((o) => kindOf(o) === 'Service' && labelsOf(o)[LABEL.drained] === 'true')) {
      const e = inFolder(tree, svc.folder, 'ServiceExport', namespaceOf(svc)).find((x) => nameOf(x) === nameOf(svc));
      if (e) out.push({ object: e, path: ['metadata', 'name'], message: `${namespaceOf(svc) ?? ''}/${nameOf(svc)} is drained in ${svc.folder} but still exported: clients of the clusterset name would keep reaching the drained cluster; remove this ServiceExport` });
    }
    return out;
  },
};

export const clustersetHostExported: Rule = {
  id: 'MER013',
  name: 'clusterset-host-exported',
  description: 'every <svc>.<ns>.svc.clusterset.local name an object uses is exported by at least one cluster of its environment; per-cluster and per-pod names by that very cluster',
  fix: 'export the Service (ServiceExport of the same name) in the clusters that serve it, or stop referring to a service that is never exported (expose: cluster)',
  check(tree) {
    const out: Finding[] = [];
    const exportsByEnv = new Map<string, Map<string, Set<string>>>(); // env -> "svc/ns" -> folders
    for (const e of tree.objects.filter((o) => kindOf(o) === 'ServiceExport' && isClusterFolder(o.folder))) {
      const env = environmentOfFolder(tree, e.folder);
      const byService = exportsByEnv.get(env) ?? new Map<string, Set<string>>();
      const key = `${nameOf(e)}/${namespaceOf(e) ?? ''}`;
      byService.set(key, new Set([...(byService.get(key) ?? []), e.folder]));
      exportsByEnv.set(env, byService);
    }
    const clustersByEnv = clusterFoldersByEnvironment(tree);
    for (const o of tree.objects) {
      if (!isClusterFolder(o.folder) || kindOf(o) === 'Certificate') continue; // certificate SANs may name more than is routed
      const env = environmentOfFolder(tree, o.folder);
      const clusters = clustersByEnv.get(env) ?? [];
      const exported = exportsByEnv.get(env) ?? new Map<string, Set<string>>();
      const seen = new Set<string>();
      for (const { name, at } of clustersetNamesIn(o.manifest)) {
        if (seen.has(name.host)) continue;
        seen.add(name.host);
        const problem = exportProblem(name, exported, clusters, env);
        if (problem) out.push({ object: o, path: at, message: `${describeObject(o.manifest)} uses ${name.host}, but ${problem}` });
      }
    }
    return out;
  },
};

function exportProblem(name: ClustersetName, exported: Map<string, Set<string>>, clusters: readonly string[], env: string): string | undefined {
  const folders = exported.get(`${name.service}/${name.namespace}`) ?? new Set<string>();
  const envName = env === '' ? 'the tree' : `environment ${env}`;
  if (name.cluster === undefined) {
    return folders.size > 0 ? undefined : `no cluster of ${envName} exports ${name.namespace}/${name.service}; Lighthouse cannot resolve it (add a ServiceExport where the service runs)`;
  }
  if (!clusters.includes(name.cluster)) return `${name.cluster} is not a cluster of ${envName} (clusters: ${clusters.join(', ')})`;
  return folders.has(name.cluster) ? undefined : `${name.cluster} does not export ${name.namespace}/${name.service}, so this per-cluster name does not resolve`;
}

export const clustersetHostHasServiceEntry: Rule = {
  id: 'MER014',
  name: 'clusterset-host-has-service-entry',
  description: 'every clusterset host the mesh routes to (ExternalName Service, DestinationRule host, Istio Hostname backend) has a MESH_INTERNAL, DNS-resolved ServiceEntry in that cluster, visible from the consumer\'s namespace (Istio >= 1.21 treats ExternalName as an alias of a host it must know)',
  fix: 'emit a ServiceEntry (location MESH_INTERNAL, resolution DNS) for the clusterset host in every cluster that routes to it',
  check(tree) {
    const out: Finding[] = [];
    const consumers: { object: DistObject; host: string; path: Segment[] }[] = [];
    for (const o of tree.objects.filter((x) => isClusterFolder(x.folder))) {
      const spec = o.manifest.spec;
      if (!isRecord(spec)) continue;
      if (kindOf(o) === 'Service' && spec.type === 'ExternalName' && typeof spec.externalName === 'string' && parseClustersetName(spec.externalName)) {
        consumers.push({ object: o, host: spec.externalName.toLowerCase(), path: ['spec', 'externalName'] });
      }
      if (kindOf(o) === 'DestinationRule' && typeof spec.host === 'string' && parseClustersetName(spec.host)) {
        consumers.push({ object: o, host: spec.host.toLowerCase(), path: ['spec', 'host'] });
      }
      if (kindOf(o) === 'HTTPRoute') {
        for (const b of backendRefs(o)) {
          if (b.ref.group === ISTIO_GROUP && b.ref.kind === 'Hostname' && typeof b.ref.name === 'string' && parseClustersetName(b.ref.name)) consumers.push({ object: o, host: b.ref.name.toLowerCase(), path: b.path });
        }
      }
    }
    const checkedEntries = new Set<DistObject>();
    for (const c of consumers) {
      const entries = inFolder(tree, c.object.folder, 'ServiceEntry').filter((se) => Array.isArray(se.manifest.spec?.hosts) && se.manifest.spec.hosts.map((h: unknown) => String(h).toLowerCase()).includes(c.host));
      if (entries.length === 0) {
        out.push({ object: c.object, path: c.path, message: `${describeObject(c.object.manifest)} routes to ${c.host}, which no ServiceEntry in ${c.object.folder} declares; Istio knows no such host and the route has no backend` });
        continue;
      }
      const ns = namespaceOf(c.object) ?? '';
      if (!entries.some((se) => visibleFrom(se, ns))) {
        out.push({ object: c.object, path: c.path, message: `the ServiceEntry for ${c.host} in ${c.object.folder} is not exported to namespace ${ns} (exportTo); include "${ns}" or "*"` });
      }
      for (const se of entries) {
        if (checkedEntries.has(se)) continue;
        checkedEntries.add(se);
        if (se.manifest.spec?.location !== 'MESH_INTERNAL') out.push({ object: se, path: ['spec', 'location'], message: `ServiceEntry for ${c.host} must be location: MESH_INTERNAL: the clusterset service is part of the mesh and mTLS applies` });
        if (se.manifest.spec?.resolution !== 'DNS') out.push({ object: se, path: ['spec', 'resolution'], message: `ServiceEntry for ${c.host} must use resolution: DNS so the proxy follows Lighthouse's answers (other clusters when the local one is gone)` });
      }
    }
    return out;
  },
};

function visibleFrom(serviceEntry: DistObject, namespace: string): boolean {
  const exportTo = serviceEntry.manifest.spec?.exportTo;
  if (!Array.isArray(exportTo) || exportTo.length === 0) return true;
  return exportTo.some((x: unknown) => x === '*' || x === namespace || (x === '.' && namespaceOf(serviceEntry) === namespace));
}

interface BackendRef {
  readonly ref: Record<string, any>;
  readonly path: Segment[];
}

function backendRefs(route: DistObject): BackendRef[] {
  const out: BackendRef[] = [];
  const rules = Array.isArray(route.manifest.spec?.rules) ? route.manifest.spec.rules : [];
  rules.forEach((r: unknown, i: number) => {
    if (!isRecord(r) || !Array.isArray(r.backendRefs)) return;
    r.backendRefs.forEach((b: unknown, j: number) => {
      if (isRecord(b)) out.push({ ref: { group: '', kind: 'Service', ...b }, path: ['spec', 'rules', i, 'backendRefs', j] });
    });
  });
  return out;
}

export const routeReferencesResolve: Rule = {
  id: 'MER015',
  name: 'route-references-resolve',
  description: 'every HTTPRoute attaches to a Gateway (and listener) of its cluster that admits it and serves its hostnames, and every Service backend exists with the port it names (cross-namespace references need a ReferenceGrant)',
  fix: 'point parentRefs at the cluster\'s Gateway and its listener for the hostname; point backendRefs at Services of the same cluster',
  check(tree) {
    const out: Finding[] = [];
    for (const route of tree.objects.filter((o) => kindOf(o) === 'HTTPRoute' && groupOf(o) === GATEWAY_GROUP && isClusterFolder(o.folder))) {
      const routeNs = namespaceOf(route) ?? '';
      const hostnames: string[] = Array.isArray(route.manifest.spec?.hostnames) ? route.manifest.spec.hostnames.map(String) : [];
      const parents = Array.isArray(route.manifest.spec?.parentRefs) ? route.manifest.spec.parentRefs : [];
      if (parents.length === 0) out.push({ object: route, path: ['spec'], message: `HTTPRoute ${routeNs}/${nameOf(route)} has no parentRefs: no Gateway serves it` });
      // A route attached to several listeners (one parentRef per sectionName) is served on each of them for the
      // hostnames that listener matches: a hostname only needs one attached listener that serves it.
      const attached: { gateway: string; listener: Record<string, any> }[] = [];
      parents.forEach((p: unknown, i: number) => {
        if (!isRecord(p) || (p.kind ?? 'Gateway') !== 'Gateway' || (p.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) return;
        const at: Segment[] = ['spec', 'parentRefs', i];
        const ns = typeof p.namespace === 'string' ? p.namespace : routeNs;
        const gw = inFolder(tree, route.folder, 'Gateway', ns).find((g) => nameOf(g) === p.name);
        if (!gw) {
          out.push({ object: route, path: at, message: `parent Gateway ${ns}/${String(p.name)} does not exist in ${route.folder}` });
          return;
        }
        const listeners: Record<string, any>[] = (Array.isArray(gw.manifest.spec?.listeners) ? gw.manifest.spec.listeners : []).filter(isRecord);
        const candidates = typeof p.sectionName === 'string' ? listeners.filter((l) => l.name === p.sectionName) : listeners;
        if (typeof p.sectionName === 'string' && candidates.length === 0) {
          out.push({ object: route, path: [...at, 'sectionName'], message: `Gateway ${ns}/${String(p.name)} has no listener named ${p.sectionName} (listeners: ${listeners.map((l) => String(l.name)).join(', ')})` });
          return;
        }
        const admitting = candidates.filter((l) => admits(l, ns, routeNs));
        if (admitting.length === 0) {
          out.push({ object: route, path: at, message: `Gateway ${ns}/${String(p.name)} does not admit routes from namespace ${routeNs} (allowedRoutes.namespaces.from defaults to Same); set from: All or a selector on the listener` });
          return;
        }
        for (const listener of admitting) attached.push({ gateway: `${ns}/${String(p.name)}`, listener });
      });
      if (attached.length > 0) {
        const unserved = hostnames.filter((h) => !attached.some(({ listener: l }) => typeof l.hostname !== 'string' || dnsNameCovers(l.hostname, h)));
        if (unserved.length > 0) {
          const gateways = [...new Set(attached.map((a) => a.gateway))].join(', ');
          out.push({ object: route, path: ['spec', 'hostnames'], message: `no listener of Gateway ${gateways} that the route attaches to serves ${unserved.join(', ')}; the route would never match those hostnames (add a listener with that hostname and its certificate)` });
        }
      }
      for (const b of backendRefs(route)) {
        if (b.ref.group !== '' || b.ref.kind !== 'Service') continue;
        const ns = typeof b.ref.namespace === 'string' ? b.ref.namespace : routeNs;
        const svc = inFolder(tree, route.folder, 'Service', ns).find((s) => nameOf(s) === b.ref.name);
        if (!svc) {
          out.push({ object: route, path: b.path, message: `backend Service ${ns}/${String(b.ref.name)} does not exist in ${route.folder}` });
          continue;
        }
        if (svc.manifest.spec?.type !== 'ExternalName' && b.ref.port !== undefined) {
          const ports = (Array.isArray(svc.manifest.spec?.ports) ? svc.manifest.spec.ports : []).filter(isRecord).map((x: Record<string, any>) => x.port);
          if (!ports.includes(b.ref.port)) out.push({ object: route, path: [...b.path, 'port'], message: `backend Service ${ns}/${String(b.ref.name)} has no port ${String(b.ref.port)} (ports: ${ports.join(', ')})` });
        }
        if (ns !== routeNs && !referenceGranted(tree, route.folder, ns, routeNs, 'HTTPRoute', 'Service', String(b.ref.name))) {
          out.push({ object: route, path: b.path, message: `backend Service ${ns}/${String(b.ref.name)} is in another namespace and no ReferenceGrant in ${ns} allows HTTPRoutes from ${routeNs}` });
        }
      }
    }
    return out;
  },
};

function admits(listener: Record<string, any>, gatewayNs: string, routeNs: string): boolean {
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All' || from === 'Selector') return true;
  return gatewayNs === routeNs;
}

/** Whether a ReferenceGrant in `targetNs` lets `fromKind` objects of `fromNs` refer to `toKind` `toName`. */
export function referenceGranted(tree: DistTree, folder: string, targetNs: string, fromNs: string, fromKind: string, toKind: string, toName: string): boolean {
  return inFolder(tree, folder, 'ReferenceGrant', targetNs).some((g) => {
    const from = Array.isArray(g.manifest.spec?.from) ? g.manifest.spec.from : [];
    const to = Array.isArray(g.manifest.spec?.to) ? g.manifest.spec.to : [];
    return (
      from.some((f: unknown) => isRecord(f) && f.kind === fromKind && f.namespace === fromNs) &&
      to.some((t: unknown) => isRecord(t) && t.kind === toKind && (t.group ?? '') === '' && (t.name === undefined || t.name === toName))
    );
  });
}

export { backendRefs };
