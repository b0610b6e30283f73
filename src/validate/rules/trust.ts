// Trust rules: Vault state that Git cannot destroy, seals that survive a region, store policies that
// never admit their own cluster's whole pod network.
import { KEEP_OPTIONS, SYNC_OPTIONS_ANNOTATION, syncOptionsOf, VAULT_STATE_KINDS } from '../../lib/sync-options';
import { annotationsOf, groupOf, kindOf, nameOf, namespaceOf } from '../manifest';
import type { Finding, Rule } from '../rule';

const VAULT_CONFIG_GROUP = 'redhatcop.redhat.io';

export const vaultStateNotPruned: Rule = {
  id: 'MER151',
  name: 'vault-state-not-pruned',
  description: `every vault-config-operator object whose deletion destroys Vault state (${[...VAULT_STATE_KINDS].join(', ')}: the operator's finalizer unmounts the engine) carries ${SYNC_OPTIONS_ANNOTATION}: ${KEEP_OPTIONS.join(',')}, so neither a prune nor an Application's deletion removes it`,
  fix: `annotate the object with ${SYNC_OPTIONS_ANNOTATION}: ${KEEP_OPTIONS.join(',')}; remove it deliberately with the "remove a cluster" runbook`,
  check(tree) {
    const out: Finding[] = [];
    for (const o of tree.objects) {
      if (groupOf(o) !== VAULT_CONFIG_GROUP || !VAULT_STATE_KINDS.has(kindOf(o))) continue;
      const options = syncOptionsOf(annotationsOf(o)[SYNC_OPTIONS_ANNOTATION]);
      const missing = KEEP_OPTIONS.filter((k) => !options.includes(k));
      if (missing.length === 0) continue;
      out.push({
        object: o,
        path: ['metadata', 'annotations'],
        message: `${kindOf(o)} ${namespaceOf(o) ?? ''}/${nameOf(o)} lacks ${missing.join(' and ')} in ${SYNC_OPTIONS_ANNOTATION}: deleting it makes vault-config-operator delete the mount in Vault with all its data (a prune, a rename or the Application's deletion would); add ${SYNC_OPTIONS_ANNOTATION}: ${KEEP_OPTIONS.join(',')}`,
      });
    }
    return out;
  },
};
