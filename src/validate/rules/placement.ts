// Rules for stores placed on a subset of the clusters (`vault.clusters`, `cockroachdb.clusters`):
// clusters without the store's pods reach it by its clusterset Service name, which Lighthouse answers
// with any exporting member cluster's Service (REFERENCE §2.1).
import { clustersetNamesIn, describeObject, dnsNameCovers, environmentOfFolder, kindOf } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores } from '../stores';
import { isClusterFolder } from '../tree';
import { dnsNamesOf, mountedCertificates } from './stores';

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
