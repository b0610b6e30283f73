// What each platform admits and serves, checked on the output (REFERENCE §9.1, src/topology/platform.ts):
// pods with fixed IDs on OpenShift need an SCC grant, restricted egress needs the platform's DNS, and
// the client Service of a store reaches only members that can serve.
import { LABEL, templateSelector } from '../../lib/labels';
import { containersOf, inFolder, isEmptySelector, kindOf, labelsOf, nameOf, namespaceOf, podTemplates, selects, type PodTemplate } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores } from '../stores';
import { isClusterFolder, isRecord, type DistObject, type DistTree, type Segment } from '../tree';

export type PlatformName = 'openshift' | 'kubernetes';

/**
 * The platform of a cluster folder: the `meridian.dev/platform` label of its Namespaces; a folder
 * without one (hand-written trees) is taken as plain Kubernetes.
 */
export function platformOfFolder(tree: DistTree, folder: string): PlatformName {
  for (const ns of inFolder(tree, folder, 'Namespace')) if (labelsOf(ns)[LABEL.platform] === 'openshift') return 'openshift';
  return 'kubernetes';
}

const ID_FIELDS = ['runAsUser', 'runAsGroup', 'fsGroup'] as const;
/** SCCs every authenticated ServiceAccount already has: granting them changes nothing for fixed IDs. */
const DEFAULT_SCCS = new Set(['restricted', 'restricted-v2']);

export const fixedIdsHaveSccGrant: Rule = {
  id: 'MER041',
  name: 'fixed-ids-have-scc-grant',
  description: 'on an OpenShift cluster a pod template that fixes runAsUser, runAsGroup or fsGroup runs under a ServiceAccount granted `use` of an SCC other than restricted-v2 (a Role or ClusterRole on security.openshift.io securitycontextconstraints naming it, bound to exactly that ServiceAccount); restricted-v2 refuses IDs outside the namespace range',
  fix: 'drop the fixed IDs (the SCC assigns them from the namespace range), or give the workload its own ServiceAccount and a Role with apiGroups [security.openshift.io], resources [securitycontextconstraints], resourceNames [nonroot-v2], verbs [use], bound to it',
  check(tree) {
    const out: Finding[] = [];
    for (const pod of podTemplates(tree)) {
      const o = pod.object;
      if (!isClusterFolder(o.folder) || platformOfFolder(tree, o.folder) !== 'openshift') continue;
      const fixed = fixedIds(pod);
      if (fixed.length === 0) continue;
      const ns = namespaceOf(o);
      const sa = typeof pod.spec.serviceAccountName === 'string' && pod.spec.serviceAccountName !== '' ? pod.spec.serviceAccountName : 'default';
      if (ns !== undefined && grantedSccs(tree, o.folder, ns, sa).length > 0) continue;
      const first = fixed[0]!;
      out.push({
        object: o,
        path: first.path,
        message: `${kindOf(o)} ${ns ?? ''}/${nameOf(o)} fixes ${fixed.map((f) => `${f.field} ${f.value}`).join(', ')} on OpenShift cluster ${o.folder}, but ServiceAccount ${sa} is granted no SCC besides restricted-v2, which refuses IDs outside the namespace range; drop the IDs or grant that ServiceAccount \`use\` of an SCC such as nonroot-v2`,
      });
    }
    return out;
  },
};

function fixedIds(pod: PodTemplate): { field: string; value: unknown; path: Segment[] }[] {
  const out: { field: string; value: unknown; path: Segment[] }[] = [];
  const podCtx = isRecord(pod.spec.securityContext) ? pod.spec.securityContext : {};
  for (const f of ID_FIELDS) if (typeof podCtx[f] === 'number') out.push({ field: f, value: podCtx[f], path: [...pod.at, 'securityContext', f] });
  for (const c of containersOf(pod)) {
    const ctx = isRecord(c.container.securityContext) ? c.container.securityContext : {};
    for (const f of ['runAsUser', 'runAsGroup'] as const) if (typeof ctx[f] === 'number') out.push({ field: f, value: ctx[f], path: [...c.at, 'securityContext', f] });
  }
  return out;
}

/** SCCs (other than the defaults) the ServiceAccount may `use`, through bindings in its folder that name it. */
export function grantedSccs(tree: DistTree, folder: string, namespace: string, serviceAccount: string): string[] {
  const names = new Set<string>();
  const bindings = [...inFolder(tree, folder, 'RoleBinding', namespace), ...inFolder(tree, folder, 'ClusterRoleBinding')];
  for (const b of bindings) {
    const subjects = Array.isArray(b.manifest.subjects) ? b.manifest.subjects : [];
    const named = subjects.some((s: unknown) => isRecord(s) && s.kind === 'ServiceAccount' && s.name === serviceAccount && (s.namespace ?? namespaceOf(b)) === namespace);
    if (!named) continue;
    const ref = isRecord(b.manifest.roleRef) ? b.manifest.roleRef : {};
    const roles = ref.kind === 'ClusterRole' ? inFolder(tree, folder, 'ClusterRole') : inFolder(tree, folder, 'Role', namespaceOf(b));
    for (const role of roles.filter((r) => nameOf(r) === ref.name)) {
      for (const rule of Array.isArray(role.manifest.rules) ? role.manifest.rules : []) {
        if (!isRecord(rule)) continue;
        const has = (list: unknown, value: string): boolean => Array.isArray(list) && (list.includes(value) || list.includes('*'));
        if (!has(rule.apiGroups, 'security.openshift.io') || !has(rule.resources, 'securitycontextconstraints') || !has(rule.verbs, 'use')) continue;
        for (const scc of Array.isArray(rule.resourceNames) ? rule.resourceNames : []) if (typeof scc === 'string' && !DEFAULT_SCCS.has(scc)) names.add(scc);
      }
    }
  }
  return [...names].sort();
}

/** Where DNS answers, as NetworkPolicy evaluates it (after Service translation), per platform. */
export const PLATFORM_DNS: Record<PlatformName, { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>>; readonly port: number }> = {
  // openshift/cluster-dns-operator assets/dns/service.yaml: port 53 -> targetPort dns (5353) on the
  // CoreDNS DaemonSet, whose pods in openshift-dns carry dns.operator.openshift.io/daemonset-dns: default.
  openshift: { namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, port: 5353 },
  kubernetes: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, port: 53 },
};

export const egressAllowsPlatformDns: Rule = {
  id: 'MER051',
  name: 'egress-allows-platform-dns',
  description: 'every pod whose egress a NetworkPolicy restricts may reach its cluster\'s DNS over UDP and TCP as policy sees it: OpenShift the openshift-dns pods on 5353 (dns-default translates 53 to 5353 before policy applies), Kubernetes the kube-dns pods in kube-system on 53',
  fix: 'add an egress rule to the namespace of the cluster\'s DNS (kubernetes.io/metadata.name: openshift-dns, ports 5353 and 53; or kube-system with podSelector k8s-app: kube-dns, port 53) for UDP and TCP',
  check(tree) {
    const out: Finding[] = [];
    for (const pod of podTemplates(tree)) {
      const o = pod.object;
      const ns = namespaceOf(o);
      if (!isClusterFolder(o.folder) || ns === undefined) continue;
      const policies = inFolder(tree, o.folder, 'NetworkPolicy', ns).filter((p) => restrictsEgress(p) && (isEmptySelector(p.manifest.spec?.podSelector) || selects(p.manifest.spec?.podSelector, pod.labels)));
      if (policies.length === 0) continue;
      const platform = platformOfFolder(tree, o.folder);
      const dns = PLATFORM_DNS[platform];
      const missing = ['UDP', 'TCP'].filter((protocol) => !policies.some((p) => allowsEgressTo(p, dns, protocol)));
      if (missing.length === 0) continue;
      out.push({
        object: o,
        path: [...pod.at],
        message: `${kindOf(o)} ${ns}/${nameOf(o)} has restricted egress on ${platform} cluster ${o.folder} and no NetworkPolicy admits DNS (${missing.join(', ')} ${dns.port} to ${dns.namespace}); every lookup would be dropped`,
      });
    }
    return out;
  },
};

function restrictsEgress(p: DistObject): boolean {
  const spec = p.manifest.spec;
  if (!isRecord(spec)) return false;
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : Array.isArray(spec.egress) ? ['Egress'] : [];
  return types.includes('Egress');
}

function allowsEgressTo(policy: DistObject, dns: (typeof PLATFORM_DNS)[PlatformName], protocol: string): boolean {
  const rules = Array.isArray(policy.manifest.spec?.egress) ? policy.manifest.spec.egress : [];
  return rules.some((r: unknown) => {
    if (!isRecord(r)) return false;
    const ports = Array.isArray(r.ports) ? r.ports : [];
    const portOk = ports.length === 0 || ports.some((p: unknown) => isRecord(p) && (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === dns.port || (typeof p.endPort === 'number' && typeof p.port === 'number' && p.port <= dns.port && dns.port <= p.endPort)));
    if (!portOk) return false;
    const to = Array.isArray(r.to) ? r.to : [];
    if (to.length === 0) return true;
    return to.some((peer: unknown) => {
      if (!isRecord(peer)) return false;
      if (isRecord(peer.ipBlock)) return peer.ipBlock.cidr === '0.0.0.0/0' && !(Array.isArray(peer.ipBlock.except) && peer.ipBlock.except.length > 0);
      // A peer without a namespaceSelector means the policy's own namespace.
      if (!isRecord(peer.namespaceSelector)) return namespaceOf(policy) === dns.namespace && (peer.podSelector === undefined || selects(peer.podSelector, dns.podLabels));
      return selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': dns.namespace }) && (peer.podSelector === undefined || selects(peer.podSelector, dns.podLabels));
    });
  });
}

/**
 * Vault's readiness admits members that cannot serve clients (uninitialized, standby), which the
 * first sync needs; its Kubernetes service registration labels tell them apart
 * (developer.hashicorp.com/vault/docs/configuration/service-registration/kubernetes).
 */
const VAULT_SERVING = { 'vault-initialized': 'true', 'vault-sealed': 'false' } as const;

export const storeClientServiceSelectsReady: Rule = {
  id: 'MER052',
  name: 'store-client-service-selects-ready',
  description: 'a Service that sends clients to a store\'s pods (any but the headless peers\' Service) never publishes not-ready addresses, and for Vault selects only initialized, unsealed members (vault-initialized: "true", vault-sealed: "false", set by Vault\'s Kubernetes service registration)',
  fix: 'remove publishNotReadyAddresses from the client Service; for Vault add vault-initialized: "true" and vault-sealed: "false" to its selector and keep service_registration "kubernetes" with RBAC get/update/patch on pods',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree)) {
      for (const m of store.members) {
        for (const svc of inFolder(tree, m.folder, 'Service', m.namespace)) {
          const spec = isRecord(svc.manifest.spec) ? svc.manifest.spec : {};
          if (nameOf(svc) === m.serviceName || spec.clusterIP === 'None') continue;
          const selector = isRecord(spec.selector) ? (spec.selector as Record<string, string>) : {};
          if (Object.keys(selector).length === 0 || !Object.entries(templateSelector(selector)).every(([k, v]) => m.pod.labels[k] === v)) continue;
          const what = `Service ${m.namespace}/${nameOf(svc)} in ${m.folder} sends clients to ${store.kind} StatefulSet ${m.name}`;
          if (spec.publishNotReadyAddresses === true) out.push({ object: svc, path: ['spec', 'publishNotReadyAddresses'], message: `${what} including not-ready members; only the headless peers' Service publishes them` });
          if (store.kind === 'vault') {
            const missing = Object.entries(VAULT_SERVING).filter(([k, v]) => selector[k] !== v);
            if (missing.length > 0) out.push({ object: svc, path: ['spec', 'selector'], message: `${what} without selecting ${missing.map(([k, v]) => `${k}: "${v}"`).join(', ')}: readiness admits uninitialized and sealed members, so clients would reach them` });
          }
        }
      }
    }
    return out;
  },
};

export const openshiftHostsReachGateway: Rule = {
  id: 'MER053',
  name: 'openshift-hosts-reach-gateway',
  description: 'on an OpenShift cluster every Gateway listener hostname that global DNS does not point at the gateway\'s load balancer (per-cluster hosts under the router\'s *.apps wildcard, external-dns CNAMEs to them) has a passthrough Route to the gateway Service, since the router answers those names',
  fix: 'add a route.openshift.io/v1 Route in the Gateway\'s namespace with spec.host set to the hostname, to the Service <gateway>-<gatewayClassName>, tls.termination passthrough',
  check(tree) {
    const out: Finding[] = [];
    const published = new Set<string>();
    for (const o of tree.objects) {
      if (kindOf(o) === 'GlobalDNSRecord' && typeof o.manifest.spec?.name === 'string') published.add(o.manifest.spec.name.toLowerCase());
      if (kindOf(o) === 'Gslb') {
        const host = o.manifest.metadata?.annotations?.['k8gb.io/hostname'];
        if (typeof host === 'string') published.add(host.toLowerCase());
      }
    }
    for (const gw of tree.objects.filter((o) => kindOf(o) === 'Gateway' && isClusterFolder(o.folder))) {
      if (platformOfFolder(tree, gw.folder) !== 'openshift') continue;
      const ns = namespaceOf(gw);
      const service = `${nameOf(gw)}-${String(gw.manifest.spec?.gatewayClassName)}`;
      const routes = inFolder(tree, gw.folder, 'Route', ns).filter((r) => r.manifest.spec?.to?.kind === 'Service' && r.manifest.spec?.to?.name === service && r.manifest.spec?.tls?.termination === 'passthrough');
      const listeners = Array.isArray(gw.manifest.spec?.listeners) ? gw.manifest.spec.listeners : [];
      listeners.forEach((l: unknown, i: number) => {
        if (!isRecord(l) || typeof l.hostname !== 'string') return;
        const host = l.hostname.toLowerCase();
        if (published.has(host) || routes.some((r) => String(r.manifest.spec?.host).toLowerCase() === host)) return;
        out.push({
          object: gw,
          path: ['spec', 'listeners', i, 'hostname'],
          message: `${host} resolves to the OpenShift router of ${gw.folder} (no global DNS record points it at ${service}), and no passthrough Route hands it to ${ns ?? ''}/${service}; clients would get the router's 503`,
        });
      });
    }
    return out;
  },
};
