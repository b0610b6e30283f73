// NetworkPolicies that mean what they say, read from the output: every namespace meridian creates
// starts from default deny, no address block admits the cluster's own pods wholesale, and every
// call the bundle wires (a service URL, VAULT_ADDR, DATABASE_URL, a route of the gateway) is admitted
// on both ends.
import { templateSelector } from '../../lib/labels';
import { clusterFoldersByEnvironment, inFolder, isEmptySelector, kindOf, labelsOf, nameOf, namespaceOf, parseClustersetName, podTemplates, selects, type PodTemplate } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores } from '../stores';
import { isClusterFolder, isRecord, type DistObject, type DistTree, type Segment } from '../tree';
import { cidrContains, ipv4Cidr as parseIpv4Cidr, ownNetworks } from './trust';

/** ipv4Cidr, memoized: the same few blocks are parsed for every call and remote network. */
const parsedCidrs = new Map<unknown, { base: number; bits: number } | undefined>();
function ipv4Cidr(value: unknown): { base: number; bits: number } | undefined {
  if (typeof value !== 'string') return undefined;
  if (!parsedCidrs.has(value)) {
    if (parsedCidrs.size > 10_000) parsedCidrs.clear();
    parsedCidrs.set(value, parseIpv4Cidr(value));
  }
  return parsedCidrs.get(value);
}

const DEFAULT_DENY = 'default-deny';
const NAME_LABEL = 'kubernetes.io/metadata.name';
const MANAGED_BY = 'app.kubernetes.io/managed-by';

const specOf = (p: DistObject): Record<string, any> => (isRecord(p.manifest.spec) ? p.manifest.spec : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function isDefaultDeny(p: DistObject): boolean {
  const spec = specOf(p);
  const types = list(spec.policyTypes);
  return nameOf(p) === DEFAULT_DENY && isEmptySelector(spec.podSelector) && types.includes('Ingress') && types.includes('Egress') && list(spec.ingress).length === 0 && list(spec.egress).length === 0;
}

export const namespaceDefaultDeny: Rule = {
  id: 'MER201',
  name: 'namespace-default-deny',
  description: `every namespace meridian creates in a cluster folder has a NetworkPolicy ${DEFAULT_DENY} that selects every pod (podSelector {}), lists policyTypes Ingress and Egress and has no rules, so nothing reaches or leaves its pods unless an allow policy says so`,
  fix: `add NetworkPolicy ${DEFAULT_DENY} to the namespace (podSelector: {}, policyTypes: [Ingress, Egress], no rules) and allow policies for the traffic its pods need`,
  check(tree) {
    const out: Finding[] = [];
    for (const ns of tree.objects.filter((o) => kindOf(o) === 'Namespace' && isClusterFolder(o.folder) && labelsOf(o)[MANAGED_BY] === 'meridian')) {
      const policies = inFolder(tree, ns.folder, 'NetworkPolicy', nameOf(ns));
      if (policies.some(isDefaultDeny)) continue;
      const named = policies.find((p) => nameOf(p) === DEFAULT_DENY);
      out.push({
        object: named ?? ns,
        path: named ? ['spec'] : ['metadata', 'name'],
        message: named
          ? `NetworkPolicy ${nameOf(ns)}/${DEFAULT_DENY} in ${ns.folder} does not deny everything: it must select every pod (podSelector: {}), list Ingress and Egress and have no rules`
          : `namespace ${nameOf(ns)} in ${ns.folder} has no NetworkPolicy ${DEFAULT_DENY}: its pods accept and open any connection until a policy selects them`,
      });
    }
    return out;
  },
};

/** Namespaces whose ingress ipBlocks MER152 already checks (the stores'), per folder. */
function storeNamespaces(tree: DistTree): Set<string> {
  const out = new Set<string>();
  for (const s of findStores(tree)) for (const m of s.members) out.add(`${m.folder}\u0000${m.namespace}`);
  return out;
}

export const policyExcludesOwnNetwork: Rule = {
  id: 'MER202',
  name: 'policy-excludes-own-network',
  description:
    "no NetworkPolicy in a cluster folder admits an ipBlock (ingress from or egress to) that covers any address of its own cluster's pod CIDR or, with globalnet, its own global CIDR (as the folder's Submariner CR declares them) unless the block's except removes it: such a block matches local pods of every namespace and voids the selectors (MER152 covers the ingress of the stores' namespaces)",
  fix: "list only the other clusters' networks in ipBlocks (or a wide block whose except lists the own pod and global CIDR) and admit local pods by namespaceSelector and podSelector",
  check(tree) {
    const out: Finding[] = [];
    const stores = storeNamespaces(tree);
    const folders = new Set(tree.objects.filter((o) => kindOf(o) === 'NetworkPolicy' && isClusterFolder(o.folder)).map((o) => o.folder));
    for (const folder of folders) {
      const own = ownNetworks(tree, folder).map((n) => ({ ...n, parsed: ipv4Cidr(n.cidr) })).filter((n) => n.parsed !== undefined);
      if (own.length === 0) continue;
      for (const policy of inFolder(tree, folder, 'NetworkPolicy')) {
        const ns = namespaceOf(policy) ?? 'default';
        for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
          if (direction === 'ingress' && stores.has(`${folder}\u0000${ns}`)) continue;
          list(specOf(policy)[direction]).forEach((rule, i) => {
            list(isRecord(rule) ? rule[peersKey] : undefined).forEach((peer, j) => {
              if (!isRecord(peer) || !isRecord(peer.ipBlock)) return;
              const block = ipv4Cidr(peer.ipBlock.cidr);
              if (!block) return;
              const except = list(peer.ipBlock.except).map(ipv4Cidr).filter((e): e is { base: number; bits: number } => e !== undefined);
              for (const n of own) {
                const overlap = cidrContains(block, n.parsed!) ? n.parsed! : cidrContains(n.parsed!, block) ? block : undefined;
                if (!overlap || except.some((e) => cidrContains(e, overlap))) continue;
                out.push({
                  object: policy,
                  path: ['spec', direction, i, peersKey, j, 'ipBlock', 'cidr'],
                  message: `NetworkPolicy ${ns}/${nameOf(policy)} ${direction === 'ingress' ? 'admits traffic from' : 'lets its pods reach'} ipBlock ${String(peer.ipBlock.cidr)}, which covers ${folder}'s own ${n.label} ${n.cidr}: every pod of ${folder} matches it, whatever its namespace; list only the other clusters' networks (or except the own one) and admit local pods by selector`,
                });
              }
            });
          });
        }
      }
    }
    return out;
  },
};

/** The gateway's pods are Istio's, not in the bundle: policies that select them select every pod of their namespace. */
const GATEWAY_POD: Readonly<Record<string, string>> = {};

/** One end of a connection as policy sees it: a pod with its labels in a namespace with its labels. */
interface Endpoint {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

type Peer = { readonly pod: Endpoint; readonly namespaceLabels: Readonly<Record<string, string>> } | { readonly cidr: { base: number; bits: number } };

function namespaceLabels(tree: DistTree, folder: string, namespace: string): Record<string, string> {
  const ns = inFolder(tree, folder, 'Namespace').find((n) => nameOf(n) === namespace);
  return { ...(ns ? labelsOf(ns) : {}), [NAME_LABEL]: namespace };
}

function portMatches(rule: Record<string, any>, port: number, portName: string | undefined): boolean {
  const ports = list(rule.ports);
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if (!isRecord(p) || (p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined || p.port === port || (portName !== undefined && p.port === portName)) return true;
    return typeof p.port === 'number' && typeof p.endPort === 'number' && p.port <= port && port <= p.endPort;
  });
}

function peerMatches(entry: unknown, policyNamespace: string, peer: Peer): boolean {
  if (!isRecord(entry)) return false;
  if ('cidr' in peer) {
    if (!isRecord(entry.ipBlock)) return false;
    const block = ipv4Cidr(entry.ipBlock.cidr);
    if (!block || !cidrContains(block, peer.cidr)) return false;
    return !list(entry.ipBlock.except).map(ipv4Cidr).some((e) => e !== undefined && (cidrContains(e, peer.cidr) || cidrContains(peer.cidr, e)));
  }
  if (isRecord(entry.ipBlock)) return false;
  const namespaceOk = entry.namespaceSelector === undefined ? peer.pod.namespace === policyNamespace : selects(entry.namespaceSelector, peer.namespaceLabels);
  const podOk = entry.podSelector === undefined || selects(entry.podSelector, peer.pod.labels);
  return namespaceOk && podOk;
}

/**
 * Whether the policies of `self`'s namespace let `self` send to (egress) or receive from (ingress)
 * `peer` on a TCP port: admitted when no policy isolates `self` in that direction, or some selecting
 * policy has a rule matching both the peer and the port.
 */
/** A rule's ipBlocks without `except`, as `base/bits` keys: the common case, checked without a scan. */
const exactBlocks = new WeakMap<object, Set<string>>();

function exactBlocksOf(rule: Record<string, unknown>, key: 'from' | 'to'): Set<string> {
  let found = exactBlocks.get(rule);
  if (!found) {
    found = new Set();
    for (const e of list(rule[key])) {
      if (!isRecord(e) || !isRecord(e.ipBlock) || list(e.ipBlock.except).length > 0) continue;
      const block = ipv4Cidr(e.ipBlock.cidr);
      if (block) found.add(`${block.base}/${block.bits}`);
    }
    exactBlocks.set(rule, found);
  }
  return found;
}

function admits(tree: DistTree, folder: string, self: Endpoint, direction: 'ingress' | 'egress', peer: Peer, port: number, portName?: string): boolean {
  const key = direction === 'ingress' ? 'from' : 'to';
  const selecting = selectingPolicies(tree, folder, self, direction);
  if (selecting.length === 0) return true;
  const exact = 'cidr' in peer ? `${peer.cidr.base}/${peer.cidr.bits}` : undefined;
  return selecting.some((p) =>
    list(specOf(p)[direction]).some((rule) => {
      if (!isRecord(rule) || !portMatches(rule, port, portName)) return false;
      const peers = list(rule[key]);
      if (peers.length === 0 || (exact !== undefined && exactBlocksOf(rule, key).has(exact))) return true;
      return peers.some((e) => peerMatches(e, self.namespace, peer));
    }),
  );
}

/** Pod templates by folder and namespace, built once per tree. */
const podIndex = new WeakMap<DistTree, Map<string, PodTemplate[]>>();
function podsIn(tree: DistTree, folder: string, namespace: string): PodTemplate[] {
  let index = podIndex.get(tree);
  if (!index) {
    index = new Map();
    for (const pod of podTemplates(tree)) {
      const key = `${pod.object.folder}\u0000${namespaceOf(pod.object) ?? 'default'}`;
      index.set(key, [...(index.get(key) ?? []), pod]);
    }
    podIndex.set(tree, index);
  }
  return index.get(`${folder}\u0000${namespace}`) ?? [];
}

/** The policies of `self`'s namespace that isolate it in a direction, memoized per tree (every call and remote network asks again). */
const selectingIndex = new WeakMap<DistTree, WeakMap<object, Map<string, DistObject[]>>>();
function selectingPolicies(tree: DistTree, folder: string, self: Endpoint, direction: 'ingress' | 'egress'): DistObject[] {
  let byLabels = selectingIndex.get(tree);
  if (!byLabels) selectingIndex.set(tree, (byLabels = new WeakMap()));
  let memo = byLabels.get(self.labels);
  if (!memo) byLabels.set(self.labels, (memo = new Map()));
  const key = `${folder}\u0000${self.namespace}\u0000${direction}`;
  const known = memo.get(key);
  if (known) return known;
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const found = inFolder(tree, folder, 'NetworkPolicy', self.namespace).filter((p) => {
    const spec = specOf(p);
    const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : direction === 'ingress' || Array.isArray(spec.egress) ? [type] : [];
    return types.includes(type) && selects(spec.podSelector, self.labels);
  });
  memo.set(key, found);
  return found;
}

/** The pods behind a Service of the folder, with the container port its `port` targets. */
function backends(tree: DistTree, folder: string, name: string, namespace: string, port: number): { pod: PodTemplate; port: number; portName?: string }[] {
  const svc = inFolder(tree, folder, 'Service', namespace).find((s) => nameOf(s) === name);
  const spec = svc ? specOf(svc) : {};
  if (!svc || spec.type === 'ExternalName' || !isRecord(spec.selector)) return [];
  const sp = list(spec.ports).find((p) => isRecord(p) && p.port === port) as Record<string, any> | undefined;
  if (!sp) return [];
  const target = sp.targetPort ?? sp.port;
  const out: { pod: PodTemplate; port: number; portName?: string }[] = [];
  const selector = { matchLabels: templateSelector(spec.selector as Record<string, string>) };
  for (const pod of podsIn(tree, folder, namespace)) {
    if (!selects(selector, pod.labels)) continue;
    // A policy may name the container port or give its number: know both.
    const declared = list(pod.spec.containers).flatMap((c) => list(isRecord(c) ? c.ports : undefined)).find((p) => isRecord(p) && (p.name === target || p.containerPort === target)) as Record<string, any> | undefined;
    const name = declared && typeof declared.name === 'string' ? declared.name : undefined;
    if (typeof target === 'number') out.push({ pod, port: target, ...(name ? { portName: name } : {}) });
    else if (declared && typeof declared.containerPort === 'number') out.push({ pod, port: declared.containerPort, portName: String(target) });
  }
  return out;
}

/** Per folder: the other cluster folders' source networks (pod or global CIDR) and Service networks (service or global CIDR). */
/** Each cluster folder's own pod and Service networks as the other clusters reach them (its global CIDR with globalnet). */
function clusterNetworks(tree: DistTree): Map<string, { source?: string; service?: string }> {
  const own = new Map<string, { source?: string; service?: string }>();
  for (const s of tree.objects.filter((o) => kindOf(o) === 'Submariner' && isClusterFolder(o.folder))) {
    const spec = specOf(s);
    const global = typeof spec.globalCIDR === 'string' && spec.globalCIDR !== '' ? spec.globalCIDR : undefined;
    own.set(s.folder, { source: global ?? spec.clusterCIDR, service: global ?? spec.serviceCIDR });
  }
  return own;
}

function remoteNetworks(tree: DistTree): Map<string, { sources: string[]; services: string[] }> {
  const byFolder = new Map<string, { sources: string[]; services: string[] }>();
  const own = clusterNetworks(tree);
  for (const folders of clusterFoldersByEnvironment(tree).values()) {
    for (const f of folders) {
      const others = folders.filter((g) => g !== f).map((g) => own.get(g));
      byFolder.set(f, {
        sources: others.map((o) => o?.source).filter((c): c is string => typeof c === 'string'),
        services: others.map((o) => o?.service).filter((c): c is string => typeof c === 'string'),
      });
    }
  }
  return byFolder;
}

/** Calls a pod template makes, from its environment: `*_URL`, VAULT_ADDR and DATABASE_URL hosts of services. */
function calls(pod: PodTemplate): { name: string; namespace: string; port: number; clusterset: boolean; variable: string; at: Segment[] }[] {
  const out: { name: string; namespace: string; port: number; clusterset: boolean; variable: string; at: Segment[] }[] = [];
  list(pod.spec.containers).forEach((c, ci) => {
    list(isRecord(c) ? c.env : undefined).forEach((e, ei) => {
      if (!isRecord(e) || typeof e.value !== 'string' || typeof e.name !== 'string') return;
      if (!/_URL$/.test(e.name) && e.name !== 'VAULT_ADDR') return;
      let url: URL;
      try {
        url = new URL(e.value);
      } catch {
        return;
      }
      const host = url.hostname.toLowerCase();
      const defaults: Record<string, number> = { 'http:': 80, 'https:': 443, 'postgresql:': 26257 };
      const port = url.port !== '' ? Number(url.port) : defaults[url.protocol];
      if (port === undefined) return;
      const at: Segment[] = [...pod.at, 'containers', ci, 'env', ei, 'value'];
      const clusterset = parseClustersetName(host);
      if (clusterset) {
        out.push({ name: clusterset.service, namespace: clusterset.namespace, port, clusterset: true, variable: e.name, at });
        return;
      }
      const local = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
      if (local) out.push({ name: local[1]!, namespace: local[2]!, port, clusterset: false, variable: e.name, at });
    });
  });
  return out;
}

export const consumerEdgesAdmitted: Rule = {
  id: 'MER203',
  name: 'consumer-edges-admitted',
  description:
    'every call the bundle wires is admitted by the NetworkPolicies on both ends: a workload\'s service URLs (`*_URL`), VAULT_ADDR and DATABASE_URL reach the local pods behind the named Service (egress of the caller, ingress of the callee on the target port), a clusterset name also reaches the other clusters\' Service networks (service or global CIDRs), an exported Service admits the other clusters\' pod networks (pod or global CIDRs), and the gateway namespace of each HTTPRoute reaches the pods behind the route\'s clusterset backend and the other clusters\' Service networks',
  fix: 'admit the caller\'s namespace and pods in the callee\'s ingress and the callee in the caller\'s egress on the target port; for clusterset names add the other clusters\' networks as ipBlocks (meridian writes these policies from `uses:` and `expose:`)',
  check(tree) {
    const out: Finding[] = [];
    const remote = remoteNetworks(tree);
    const exportedBy = new Set(tree.objects.filter((o) => kindOf(o) === 'ServiceExport' && isClusterFolder(o.folder)).map((o) => `${o.folder}\u0000${namespaceOf(o)}/${nameOf(o)}`));
    const networks = clusterNetworks(tree);
    const environmentFolders = new Map<string, string[]>();
    for (const folders of clusterFoldersByEnvironment(tree).values()) for (const f of folders) environmentFolders.set(f, folders);
    /** The Service networks of the other clusters of a folder's environment that export ns/name. */
    const exporters = (folder: string, ns: string, name: string): string[] =>
      (environmentFolders.get(folder) ?? [])
        .filter((g) => g !== folder && exportedBy.has(`${g}\u0000${ns}/${name}`))
        .map((g) => networks.get(g)?.service)
        .filter((c): c is string => typeof c === 'string');
    const checkLocal = (folder: string, caller: Endpoint, callerName: string, target: { name: string; namespace: string; port: number }, report: (message: string) => void): void => {
      for (const b of backends(tree, folder, target.name, target.namespace, target.port)) {
        const callee: Endpoint = { namespace: target.namespace, labels: b.pod.labels };
        const calleeName = `${kindOf(b.pod.object)} ${target.namespace}/${nameOf(b.pod.object)}`;
        if (!admits(tree, folder, caller, 'egress', { pod: callee, namespaceLabels: namespaceLabels(tree, folder, callee.namespace) }, b.port, b.portName)) {
          report(`no NetworkPolicy of namespace ${caller.namespace} in ${folder} lets ${callerName} reach ${calleeName} on port ${b.port}`);
        }
        if (!admits(tree, folder, callee, 'ingress', { pod: caller, namespaceLabels: namespaceLabels(tree, folder, caller.namespace) }, b.port, b.portName)) {
          report(`no NetworkPolicy of namespace ${target.namespace} in ${folder} admits ${callerName} to ${calleeName} on port ${b.port}`);
        }
      }
    };
    for (const pod of podTemplates(tree)) {
      const o = pod.object;
      const ns = namespaceOf(o);
      if (!isClusterFolder(o.folder) || ns === undefined) continue;
      const caller: Endpoint = { namespace: ns, labels: pod.labels };
      const callerName = `${kindOf(o)} ${ns}/${nameOf(o)}`;
      for (const call of calls(pod)) {
        const report = (message: string): void => {
          out.push({ object: o, path: call.at, message: `${call.variable} names ${call.name}.${call.namespace}:${call.port}, and ${message}; meridian admits every call of \`uses:\`` });
        };
        checkLocal(o.folder, caller, callerName, call, report);
        if (!call.clusterset) continue;
        // Lighthouse answers a clusterset name with a cluster that exports the Service, so only those
        // clusters' Service networks must be reachable (with placement a store is exported by its members only).
        for (const cidr of exporters(o.folder, call.namespace, call.name)) {
          const parsed = ipv4Cidr(cidr);
          if (parsed && !admits(tree, o.folder, caller, 'egress', { cidr: parsed }, call.port)) report(`no NetworkPolicy of namespace ${ns} in ${o.folder} lets ${callerName} reach the other clusters' Service network ${cidr} on port ${call.port}, where the clusterset name resolves when another cluster serves it`);
        }
      }
    }
    // Routes of the gateway: its namespace (the gateway pods' labels are Istio's) reaches the backend's local pods.
    for (const route of tree.objects.filter((r) => kindOf(r) === 'HTTPRoute' && isClusterFolder(r.folder))) {
      const routeNs = namespaceOf(route) ?? 'default';
      list(specOf(route).parentRefs).forEach((parent) => {
        if (!isRecord(parent)) return;
        const gatewayNs = typeof parent.namespace === 'string' ? parent.namespace : routeNs;
        list(specOf(route).rules).forEach((rule, ri) => {
          list(isRecord(rule) ? rule.backendRefs : undefined).forEach((ref, bi) => {
            if (!isRecord(ref) || typeof ref.name !== 'string' || typeof ref.port !== 'number') return;
            const alias = inFolder(tree, route.folder, 'Service', routeNs).find((s) => nameOf(s) === ref.name);
            const target = alias && specOf(alias).type === 'ExternalName' ? parseClustersetName(String(specOf(alias).externalName).toLowerCase()) : undefined;
            if (!target) return;
            const report = (message: string): void => {
              out.push({ object: route, path: ['spec', 'rules', ri, 'backendRefs', bi], message: `HTTPRoute ${routeNs}/${nameOf(route)} sends the gateway's requests to ${target.service}.${target.namespace}:${String(ref.port)}, and ${message}` });
            };
            const gateway: Endpoint = { namespace: gatewayNs, labels: GATEWAY_POD };
            checkLocal(route.folder, gateway, `the gateway in namespace ${gatewayNs}`, { name: target.service, namespace: target.namespace, port: ref.port as number }, report);
            // Drained here, or its pods down: the clusterset name resolves to another cluster.
            for (const cidr of remote.get(route.folder)?.services ?? []) {
              const parsed = ipv4Cidr(cidr);
              if (parsed && !admits(tree, route.folder, gateway, 'egress', { cidr: parsed }, ref.port as number)) report(`no NetworkPolicy of namespace ${gatewayNs} in ${route.folder} lets the gateway reach the other clusters' Service network ${cidr} on port ${String(ref.port)}, where the route's clusterset name resolves when this cluster does not serve it`);
            }
          });
        });
      });
    }
    // Exported Services admit the other clusters' pods (their callers and gateways arrive from there).
    for (const svc of tree.objects.filter((s) => kindOf(s) === 'Service' && isClusterFolder(s.folder))) {
      const ns = namespaceOf(svc) ?? 'default';
      if (!exportedBy.has(`${svc.folder}\u0000${ns}/${nameOf(svc)}`) || specOf(svc).clusterIP === 'None') continue;
      list(specOf(svc).ports).forEach((p, pi) => {
        if (!isRecord(p) || typeof p.port !== 'number') return;
        for (const b of backends(tree, svc.folder, nameOf(svc), ns, p.port)) {
          // A store's exported client Service (placement) is dialed from other clusters on its client port
          // only, which MER182 checks per dialing cluster; its other ports (CockroachDB's HTTP console) stay local.
          if (kindOf(b.pod.object) === 'StatefulSet') continue;
          for (const cidr of remote.get(svc.folder)?.sources ?? []) {
            const parsed = ipv4Cidr(cidr);
            if (!parsed || admits(tree, svc.folder, { namespace: ns, labels: b.pod.labels }, 'ingress', { cidr: parsed }, b.port, b.portName)) continue;
            out.push({
              object: svc,
              path: ['spec', 'ports', pi],
              message: `Service ${ns}/${nameOf(svc)} is exported from ${svc.folder}, and no NetworkPolicy of namespace ${ns} admits the other cluster network ${cidr} to ${kindOf(b.pod.object)} ${ns}/${nameOf(b.pod.object)} on port ${b.port}: callers there cannot reach it over Submariner`,
            });
          }
        }
      });
    }
    return out;
  },
};
