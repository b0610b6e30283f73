// Rules about the consensus stores (Vault raft, CockroachDB): peers exported, join lists complete,
// certificates covering every peer name, per-cluster identity, quorum and disruption budgets.
import { quorumOf } from '../../lib/split';
import { containersOf, describeObject, dnsNameCovers, flagValues, hostOf, inFolder, intOf, isEmptySelector, kindOf, mountedSecrets, nameOf, parseClustersetName, selects, vaultBlocks } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores, memberHosts, storeHosts, type Store, type StoreMember } from '../stores';
import { isRecord, type DistObject, type DistTree } from '../tree';

const label = (s: Pick<Store, 'kind' | 'namespace' | 'name'>): string => `${s.kind} ${s.namespace}/${s.name}`;

export const storePeersExported: Rule = {
  id: 'MER011',
  name: 'store-peers-exported',
  description: 'every cluster that runs pods of a store exports the headless Service of that store with publishNotReadyAddresses, so peers resolve each other through Lighthouse before they are Ready',
  fix: 'give the StatefulSet a headless Service (clusterIP: None, publishNotReadyAddresses: true) named like spec.serviceName, and a ServiceExport of the same name and namespace',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree)) {
      for (const m of store.members) {
        if (m.serviceName === '') {
          out.push({ object: m.statefulSet, path: ['spec', 'serviceName'], message: `${label(store)} in ${m.folder} has no spec.serviceName; its pods get no DNS names for peers to join` });
          continue;
        }
        const svc = inFolder(tree, m.folder, 'Service', m.namespace).find((s) => nameOf(s) === m.serviceName);
        if (!svc) {
          out.push({ object: m.statefulSet, path: ['spec', 'serviceName'], message: `${label(store)} names headless Service ${m.serviceName}, which ${m.folder} does not define; add it (clusterIP: None, publishNotReadyAddresses: true)` });
        } else {
          if (svc.manifest.spec?.clusterIP !== 'None') out.push({ object: svc, path: ['spec', 'clusterIP'], message: `Service ${m.namespace}/${m.serviceName} gives ${label(store)} its pod names but is not headless; set clusterIP: None so Lighthouse publishes one name per pod` });
          if (svc.manifest.spec?.publishNotReadyAddresses !== true) out.push({ object: svc, path: ['spec', 'publishNotReadyAddresses'], message: `Service ${m.namespace}/${m.serviceName} must set publishNotReadyAddresses: true: ${store.kind} pods become Ready only after they reached their peers, so without it nobody can ever join` });
        }
        const exported = inFolder(tree, m.folder, 'ServiceExport', m.namespace).some((e) => nameOf(e) === m.serviceName);
        if (!exported) out.push({ object: svc ?? m.statefulSet, path: svc ? ['metadata', 'name'] : ['spec', 'serviceName'], message: `${m.folder} does not export ${m.namespace}/${m.serviceName}; peers in other clusters cannot resolve ${memberHosts(m)[0]}; add a ServiceExport named ${m.serviceName} in namespace ${m.namespace}` });
      }
    }
    return out;
  },
};

export const storeJoinComplete: Rule = {
  id: 'MER020',
  name: 'store-join-complete',
  description: 'every store member lists every pod of the member clusters of the store as a peer (CockroachDB --join, Vault retry_join leader_api_addr), and nothing else, identically in every member cluster',
  fix: 'derive the peer list from the model (store.peers) in every cluster instead of typing it; after adding a cluster, re-synthesize every cluster folder',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree)) {
      const expected = storeHosts(store);
      const expectedSet = new Set(expected);
      for (const m of store.members) {
        const listed = new Set(m.listed.map((p) => p.host));
        const where = m.listed[0] ?? { object: m.statefulSet, path: ['spec', 'template', 'spec', 'containers'] };
        const what = store.kind === 'cockroachdb' ? '--join list' : 'retry_join list';
        if (m.listed.length === 0) {
          const config = m.vaultConfigs[0];
          out.push(config
            ? { object: config.object, path: config.path, inner: ['storage', 'raft', 'retry_join'], message: `${label(store)} in ${m.folder} has no retry_join with leader_api_addr; list all ${expected.length} pods (${expected[0]}, ...) so members find the leader across clusters` }
            : { ...where, message: `${label(store)} in ${m.folder} lists no peers` });
          continue;
        }
        const missing = expected.filter((h) => !listed.has(h));
        if (missing.length > 0) {
          out.push({
            object: where.object,
            path: where.path,
            ...('inner' in where && where.inner ? { inner: where.inner.slice(0, -2) } : {}),
            message: `the ${what} of ${label(store)} in ${m.folder} misses ${missing.length} of ${expected.length} peers: ${missing.join(', ')}; every member must list all pods of all clusters`,
          });
        }
        const extra = [...listed].filter((h) => !expectedSet.has(h)).sort();
        if (extra.length > 0) {
          const hint = extra.map((h) => {
            const n = parseClustersetName(h);
            if (!n || n.cluster === undefined) return `${h} (not a pod clusterset name <pod>.<cluster>.<service>.<namespace>.svc.clusterset.local)`;
            if (!store.members.some((x) => x.folder === n.cluster)) return `${h} (no member in cluster ${n.cluster})`;
            return `${h} (not a pod of ${store.name} via ${n.service ?? ''})`;
          });
          out.push({ object: where.object, path: where.path, message: `the ${what} of ${label(store)} in ${m.folder} lists ${extra.length} address(es) that are not members: ${hint.join(', ')}` });
        }
      }
    }
    return out;
  },
};

export const certificateCoversPeers: Rule = {
  id: 'MER021',
  name: 'certificate-covers-peers',
  description: 'the certificates each store member mounts cover the clusterset name of every one of its pods (and any leader_tls_servername), and a Vault issuer\'s server address is covered by the certificate Vault serves',
  fix: 'build the Certificate dnsNames from the same peer list as the join list (every pod of every cluster), plus the Service names clients use',
  check(tree) {
    const out: Finding[] = [];
    const stores = findStores(tree);
    for (const store of stores) {
      const serverNames = [...new Set(store.members.flatMap((m) => m.listed.map((p) => p.tlsServerName)).filter((n): n is string => n !== undefined))];
      for (const m of store.members) {
        const certs = mountedCertificates(tree, m);
        if (certs.length === 0) {
          out.push({ object: m.statefulSet, path: [...m.pod.at, 'volumes'], message: `${label(store)} in ${m.folder} mounts no Secret issued by a cert-manager Certificate; peers authenticate with TLS, so mount the node certificate` });
          continue;
        }
        const required = [...memberHosts(m), ...serverNames];
        const missing = required.filter((h) => !certs.some((c) => dnsNamesOf(c).some((d) => dnsNameCovers(d, h))));
        if (missing.length > 0) {
          out.push({ object: certs[0]!, path: ['spec', 'dnsNames'], message: `the certificates ${label(store)} mounts in ${m.folder} (${certs.map(nameOf).join(', ')}) do not cover ${missing.join(', ')}; peers connect by these names and would fail TLS verification` });
        }
      }
    }
    // A Vault issuer reaches Vault by a Service name in some cluster folder: Vault's certificate must carry it.
    for (const issuer of tree.objects.filter((o) => (kindOf(o) === 'ClusterIssuer' || kindOf(o) === 'Issuer') && isRecord(o.manifest.spec?.vault))) {
      const server = issuer.manifest.spec.vault.server;
      const host = typeof server === 'string' ? hostOf(server) : undefined;
      if (!host) continue;
      const ns = serviceNamespace(host);
      if (!ns) continue;
      const members = stores.flatMap((s) => s.members).filter((m) => m.folder === issuer.folder && m.namespace === ns && m.kind === 'vault');
      for (const m of members) {
        const certs = mountedCertificates(tree, m);
        if (certs.length > 0 && !certs.some((c) => dnsNamesOf(c).some((d) => dnsNameCovers(d, host)))) {
          out.push({ object: issuer, path: ['spec', 'vault', 'server'], message: `${describeObject(issuer.manifest)} reaches Vault at ${host}, which the certificates Vault serves in ${m.folder} (${certs.map(nameOf).join(', ')}) do not cover; add ${host} to their dnsNames` });
        }
      }
    }
    return out;
  },
};

export const clusterIdentity: Rule = {
  id: 'MER022',
  name: 'cluster-identity',
  description: 'what differs per cluster names the cluster of its folder: CockroachDB --advertise-addr and --locality, Vault cluster_addr and node id, the Vault issuer\'s auth mount, the Submariner clusterID',
  fix: 'take the per-cluster value from the cluster view of the folder being synthesized, never from another cluster',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree)) {
      for (const m of store.members) {
        if (m.kind === 'cockroachdb') out.push(...cockroachIdentity(m, store));
        else out.push(...vaultIdentity(m, store));
      }
    }
    for (const o of tree.objects) {
      if ((kindOf(o) === 'ClusterIssuer' || kindOf(o) === 'Issuer') && isRecord(o.manifest.spec?.vault?.auth?.kubernetes)) {
        const mountPath = o.manifest.spec.vault.auth.kubernetes.mountPath;
        if (typeof mountPath === 'string' && !mountPath.replace(/\/+$/, '').endsWith(o.folder)) {
          out.push({ object: o, path: ['spec', 'vault', 'auth', 'kubernetes', 'mountPath'], message: `${describeObject(o.manifest)} in ${o.folder} logs in at ${mountPath}; every cluster has its own Kubernetes auth mount (/v1/auth/<prefix>${o.folder}), since Vault verifies its tokens against ${o.folder}'s API server` });
        }
      }
      if (kindOf(o) === 'Submariner' && typeof o.manifest.spec?.clusterID === 'string' && o.manifest.spec.clusterID !== o.folder) {
        out.push({ object: o, path: ['spec', 'clusterID'], message: `Submariner clusterID is "${o.manifest.spec.clusterID}" in folder ${o.folder}; the cluster ID is the label in every clusterset name of this cluster and must be ${o.folder}` });
      }
    }
    return out;
  },
};

function cockroachIdentity(m: StoreMember, store: Store): Finding[] {
  const out: Finding[] = [];
  const containers = containersOf(m.pod, ['containers']).filter((c) => flagValues(c, 'join').length > 0);
  for (const c of containers) {
    const advertise = flagValues(c, 'advertise-addr');
    if (advertise.length === 0) {
      out.push({ object: m.statefulSet, path: [...c.at, 'args'], message: `${label(store)} in ${m.folder} sets no --advertise-addr; nodes would advertise pod addresses that peers in other clusters cannot verify: use <pod>.${m.folder}.${m.serviceName}.${m.namespace}.svc.clusterset.local` });
    }
    for (const a of advertise) {
      const host = hostOf(a.value.replace(/^\$\([A-Za-z_]+\)|^\$\{?[A-Za-z_]+\}?/, 'pod')) ?? '';
      const name = parseClustersetName(host);
      if (!name || name.cluster !== m.folder || name.service !== m.serviceName || name.namespace !== m.namespace) {
        out.push({ object: m.statefulSet, path: a.at, message: `--advertise-addr=${a.value} in ${m.folder} must be the pod's own clusterset name <pod>.${m.folder}.${m.serviceName}.${m.namespace}.svc.clusterset.local` });
      }
    }
    const locality = flagValues(c, 'locality');
    if (!locality.some((l) => /(^|,)region=[^,]+/.test(l.value))) {
      out.push({ object: m.statefulSet, path: [...c.at, 'args'], message: `${label(store)} in ${m.folder} sets no --locality=region=<region>; multi-region databases and region survival need every node's region` });
    }
  }
  return out;
}

function vaultIdentity(m: StoreMember, store: Store): Finding[] {
  const out: Finding[] = [];
  const envVar = (name: string): { value: string; at: (string | number)[] } | undefined => {
    for (const c of containersOf(m.pod, ['containers'])) {
      const env = Array.isArray(c.container.env) ? c.container.env : [];
      const i = env.findIndex((e: unknown) => isRecord(e) && e.name === name && typeof e.value === 'string');
      if (i >= 0) return { value: env[i].value as string, at: [...c.at, 'env', i, 'value'] };
    }
    return undefined;
  };
  const clusterAddrs: Finding[] = [];
  const fromEnv = envVar('VAULT_CLUSTER_ADDR');
  const addrs: { value: string; object: DistObject; path: readonly (string | number)[]; inner?: (string | number)[] }[] = [];
  if (fromEnv) addrs.push({ value: fromEnv.value, object: m.statefulSet, path: fromEnv.at });
  for (const config of m.vaultConfigs) {
    if (typeof config.doc.cluster_addr === 'string') addrs.push({ value: config.doc.cluster_addr, object: config.object, path: config.path, inner: ['cluster_addr'] });
  }
  if (addrs.length === 0) {
    out.push({ object: m.statefulSet, path: [...m.pod.at, 'containers'], message: `${label(store)} in ${m.folder} sets no cluster_addr (nor VAULT_CLUSTER_ADDR); raft needs it, and it must be https://<pod>.${m.folder}.${m.serviceName}.${m.namespace}.svc.clusterset.local:8201` });
  }
  for (const a of addrs) {
    const host = hostOf(a.value.replace(/\$\([A-Za-z_]+\)|\$\{?[A-Za-z_]+\}?/, 'pod')) ?? '';
    const name = parseClustersetName(host);
    if (!name || name.cluster !== m.folder || name.service !== m.serviceName || name.namespace !== m.namespace) {
      clusterAddrs.push({ object: a.object, path: a.path, ...(a.inner ? { inner: a.inner } : {}), message: `Vault cluster address ${a.value} in ${m.folder} must be the pod's own clusterset name https://<pod>.${m.folder}.${m.serviceName}.${m.namespace}.svc.clusterset.local:8201` });
    }
  }
  out.push(...clusterAddrs);
  const nodeId = envVar('VAULT_RAFT_NODE_ID');
  if (nodeId && !nodeId.value.includes(m.folder)) {
    out.push({ object: m.statefulSet, path: nodeId.at, message: `VAULT_RAFT_NODE_ID "${nodeId.value}" in ${m.folder} does not carry the cluster: every cluster has a ${m.name}-0, so raft node IDs must be <pod>-${m.folder}` });
  }
  for (const config of m.vaultConfigs) {
    for (const raft of vaultBlocks(config.doc, 'storage', 'raft')) {
      const id = raft.body.node_id;
      if (typeof id === 'string' && !id.includes(m.folder)) {
        out.push({ object: config.object, path: config.path, inner: [...raft.path, 'node_id'], message: `raft node_id "${id}" in ${m.folder} does not carry the cluster; node IDs must be unique across clusters (<pod>-${m.folder})` });
      }
    }
  }
  return out;
}

export const quorumSurvivesClusterLoss: Rule = {
  id: 'MER070',
  name: 'quorum-survives-cluster-loss',
  description: 'each store spreads its voters over at least 3 clusters so that losing any one cluster keeps a majority (N - max_per_cluster >= floor(N/2)+1)',
  fix: 'run the store in at least three clusters with the same number of voters in each (replicasPerCluster), or use an active-passive design without a consensus store',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree)) {
      const perCluster = Object.fromEntries(store.members.map((m) => [m.folder, m.replicas]));
      const q = quorumOf(perCluster);
      const largest = [...store.members].sort((a, b) => b.replicas - a.replicas || (a.folder < b.folder ? -1 : 1))[0]!;
      const split = store.members.map((m) => `${m.replicas} in ${m.folder}`).join(', ');
      const left = q.voters - largest.replicas;
      if (store.members.length < 3 || left < q.quorum) {
        out.push({
          object: largest.statefulSet,
          path: ['spec', 'replicas'],
          message: `${label(store)} has ${q.voters} voters (${split}), quorum ${q.quorum}: losing ${largest.folder} leaves ${left} < ${q.quorum}${store.members.length < 3 ? `; with ${store.members.length} cluster(s) one cluster always holds at least half the voters` : ''}, so the store stops accepting writes when that cluster fails; spread it over at least 3 clusters evenly`,
        });
      }
    }
    return out;
  },
};

export const storeDisruptionBudget: Rule = {
  id: 'MER071',
  name: 'store-disruption-budget',
  description: 'a PodDisruptionBudget in each cluster lets at most one store member at a time be evicted (node drains must not cost the quorum)',
  fix: 'add a PodDisruptionBudget selecting the store pods with maxUnavailable: 1',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree)) {
      for (const m of store.members) {
        const pdbs = inFolder(tree, m.folder, 'PodDisruptionBudget', m.namespace).filter((p) => !isEmptySelector(p.manifest.spec?.selector) && selects(p.manifest.spec?.selector, m.pod.labels));
        if (pdbs.length === 0) {
          out.push({ object: m.statefulSet, path: ['metadata', 'name'], message: `no PodDisruptionBudget in ${m.folder} selects the pods of ${label(store)}; a node drain could evict several voters at once; add one with maxUnavailable: 1` });
          continue;
        }
        const ok = pdbs.some((p) => {
          const max = intOf(p.manifest.spec?.maxUnavailable);
          const min = intOf(p.manifest.spec?.minAvailable);
          return (max !== undefined && max <= 1) || (min !== undefined && min >= m.replicas - 1);
        });
        if (!ok) out.push({ object: pdbs[0]!, path: ['spec'], message: `PodDisruptionBudget ${nameOf(pdbs[0]!)} lets more than one of the ${m.replicas} ${store.kind} pods in ${m.folder} be evicted at once; set maxUnavailable: 1` });
      }
    }
    return out;
  },
};

// ---------------------------------------------------------------------------------------------------

/** Certificates (same folder and namespace) whose Secret the member mounts. */
export function mountedCertificates(tree: DistTree, m: Pick<StoreMember, 'folder' | 'namespace' | 'pod'>): DistObject[] {
  const secrets = new Set(mountedSecrets(m.pod).map((s) => s.name));
  return inFolder(tree, m.folder, 'Certificate', m.namespace).filter((c) => secrets.has(String(c.manifest.spec?.secretName)));
}

export function dnsNamesOf(certificate: DistObject): string[] {
  const names = certificate.manifest.spec?.dnsNames;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

/** Namespace of `<svc>.<ns>.svc`, `<svc>.<ns>.svc.cluster.local` or a clusterset name. */
function serviceNamespace(host: string): string | undefined {
  const local = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
  if (local) return local[1];
  return parseClustersetName(host)?.namespace;
}
