// Rules for stores placed on a subset of the clusters (`vault.clusters`, `cockroachdb.clusters`):
// clusters without the store's pods reach it by its clusterset Service name, which Lighthouse answers
// with any exporting member cluster's Service (REFERENCE §2.1).
import { clustersetNamesIn, describeObject, dnsNameCovers, environmentOfFolder, inFolder, kindOf, nameOf, selects } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores, type StoreMember } from '../stores';
import { isClusterFolder, isRecord, type DistObject, type DistTree } from '../tree';
import { dnsNamesOf, mountedCertificates } from './stores';
import { cidrContains, ipv4Cidr, ownNetworks } from './trust';

export const storeClustersetAddressCovered: Rule = {
  id: 'MER181',
  name: 'store-clusterset-address-covered',
  description:
    "every <svc>.<ns>.svc.clusterset.local name of a store's Service that an object dials (VAULT_ADDR, DATABASE_URL, a Vault issuer's server, the vault-config-operator's address) is covered by the certificates of every member of that store: Lighthouse may answer with any member cluster",
  fix: "add the clusterset name of the store's client Service to its server certificate's dnsNames in every member cluster (meridian does so when some workload cluster runs no member)",
  check(tree) {
    const out: Finding[] = [];
    const stores = findStores(tree);
    if (stores.length === 0) return out;
    for (const o of tree.objects) {
      if (!isClusterFolder(o.folder) || kindOf(o) === 'Certificate') continue; // SANs themselves are what is checked
      const env = environmentOfFolder(tree, o.folder);
      const seen = new Set<string>();
      for (const { name, at } of clustersetNamesIn(o.manifest)) {
        // Service-level names only: pod and per-cluster names are the peers' (MER021).
        if (name.cluster !== undefined || seen.has(name.host)) continue;
        seen.add(name.host);
        for (const store of stores.filter((s) => s.environment === env && s.namespace === name.namespace)) {
          for (const m of store.members) {
            const certs = mountedCertificates(tree, m);
            if (certs.length === 0) continue; // MER021 reports a member without certificates
            if (!certs.some((c) => dnsNamesOf(c).some((d) => dnsNameCovers(d, name.host)))) {
              out.push({
                object: o,
                path: at,
                message: `${describeObject(o.manifest)} in ${o.folder} dials ${name.host}, which Lighthouse may answer with ${m.folder}, whose ${store.kind} certificates (${certs.map((c) => String(c.manifest.metadata?.name)).join(', ')}) do not cover it; TLS verification would fail there`,
              });
            }
          }
        }
      }
    }
    return out;
  },
};

export const remoteStoreClientsAdmitted: Rule = {
  id: 'MER182',
  name: 'remote-store-clients-admitted',
  description:
    "every cluster whose objects dial a store's Service by its clusterset name (<svc>.<ns>.svc.clusterset.local:<port>) is admitted on that port by the NetworkPolicies of the store's pods in every other member cluster, from the network its traffic arrives from (its pod CIDR, or its global CIDR with globalnet, as its Submariner CR declares them)",
  fix: "admit the client clusters' pod CIDRs (global CIDRs with globalnet) on the store's client port in the store's NetworkPolicy (meridian does so for the workload clusters outside <store>.clusters)",
  check(tree) {
    const out: Finding[] = [];
    const stores = findStores(tree);
    if (stores.length === 0) return out;
    for (const o of tree.objects) {
      if (!isClusterFolder(o.folder)) continue;
      const env = environmentOfFolder(tree, o.folder);
      const seen = new Set<string>();
      for (const { name, at } of clustersetNamesIn(o.manifest)) {
        if (name.cluster !== undefined || seen.has(name.host)) continue;
        seen.add(name.host);
        const port = portAfter(o.manifest, name.host);
        if (port === undefined) continue;
        const own = ownNetworks(tree, o.folder);
        // traffic to another cluster leaves from the global CIDR with globalnet, else from the pod network
        const source = own.find((n) => n.label === 'global CIDR') ?? own.find((n) => n.label === 'pod CIDR');
        const network = source ? ipv4Cidr(source.cidr) : undefined;
        if (!source || !network) continue;
        for (const store of stores.filter((s) => s.environment === env && s.namespace === name.namespace)) {
          for (const m of store.members.filter((x) => x.folder !== o.folder)) {
            const policies = selectingPolicies(tree, m);
            if (policies.length === 0) continue; // not isolated: everything is admitted
            if (!policies.some((p) => admits(p, network, port, m))) {
              out.push({
                object: o,
                path: at,
                message: `${describeObject(o.manifest)} in ${o.folder} dials ${name.host}:${port}, which Lighthouse may answer with ${m.folder}, whose NetworkPolicies (${policies.map(nameOf).join(', ')}) do not admit ${o.folder}'s ${source.label} ${source.cidr} on port ${port}; the connection would be dropped there`,
              });
            }
          }
        }
      }
    }
    return out;
  },
};

/** The port written right after `host:` in any string of the manifest (URLs, host:port), if any. */
function portAfter(manifest: unknown, host: string): number | undefined {
  const m = new RegExp(`${host.replace(/\./g, '\\.')}:(\\d{1,5})`).exec(JSON.stringify(manifest));
  return m ? Number(m[1]) : undefined;
}

/** NetworkPolicies of the member's namespace and folder that select its pods and restrict ingress. */
function selectingPolicies(tree: DistTree, m: StoreMember): DistObject[] {
  return inFolder(tree, m.folder, 'NetworkPolicy', m.namespace).filter((p) => {
    const spec = isRecord(p.manifest.spec) ? p.manifest.spec : {};
    const types: unknown[] = Array.isArray(spec.policyTypes) ? spec.policyTypes : ['Ingress'];
    return types.includes('Ingress') && selects(spec.podSelector, m.pod.labels);
  });
}

/** The number of a named container port of the member's pods. */
function namedPort(m: StoreMember, name: string): number | undefined {
  const containers: unknown[] = Array.isArray(m.pod.spec.containers) ? m.pod.spec.containers : [];
  for (const c of containers) {
    const ports: unknown[] = isRecord(c) && Array.isArray(c.ports) ? c.ports : [];
    const hit = ports.find((p) => isRecord(p) && p.name === name);
    if (isRecord(hit) && typeof hit.containerPort === 'number') return hit.containerPort;
  }
  return undefined;
}

/**
 * Whether a policy has an ingress rule admitting every address of `network` on `port` (ipBlock net
 * of its except; no ports = all; a named port is resolved against the member's containers).
 */
function admits(policy: DistObject, network: { base: number; bits: number }, port: number, m: StoreMember): boolean {
  const ingress: unknown[] = isRecord(policy.manifest.spec) && Array.isArray(policy.manifest.spec.ingress) ? policy.manifest.spec.ingress : [];
  return ingress.some((rule) => {
    if (!isRecord(rule)) return false;
    const ports: unknown[] = Array.isArray(rule.ports) ? rule.ports : [];
    const portOk = ports.length === 0 || ports.some((p) => isRecord(p) && (p.port === undefined || (typeof p.port === 'string' ? namedPort(m, p.port) : Number(p.port)) === port));
    if (!portOk) return false;
    const from: unknown[] = Array.isArray(rule.from) ? rule.from : [];
    if (from.length === 0) return true;
    return from.some((peer) => {
      if (!isRecord(peer) || !isRecord(peer.ipBlock)) return false;
      const block = ipv4Cidr(peer.ipBlock.cidr);
      if (!block || !cidrContains(block, network)) return false;
      const except = (Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : []).map(ipv4Cidr);
      return !except.some((e) => e !== undefined && (cidrContains(e, network) || cidrContains(network, e)));
    });
  });
}
