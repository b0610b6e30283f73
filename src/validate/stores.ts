// Finds the consensus stores in a dist/ tree by their shape, not by their names:
//   CockroachDB  a StatefulSet whose container command line has `--join` (REFERENCE §1.5);
//   Vault        a StatefulSet that mounts a ConfigMap (or sets VAULT_LOCAL_CONFIG) holding a JSON
//                server configuration with `storage.raft` (REFERENCE §1.3, §6.3).
// Members of the same StatefulSet (namespace/name) in the cluster folders of one environment form a
// store. Rules about join lists, certificates, quorum and disruption budgets work on these.
import { containersOf, environmentOfFolder, flagValues, hostOf, inFolder, intOf, jsonDocumentsOf, kindOf, mountedConfigMaps, nameOf, namespaceOf, parseJsonObject, podTemplateOf, vaultBlocks, type PodTemplate } from './manifest';
import { isClusterFolder, isRecord, type DistObject, type DistTree, type Segment } from './tree';

export type StoreKind = 'cockroachdb' | 'vault';

/** One address a member's configuration lists as a peer. */
export interface ListedPeer {
  readonly host: string;
  /** The object and path that list it (for Vault the ConfigMap and its data key). */
  readonly object: DistObject;
  readonly path: readonly Segment[];
  readonly inner?: readonly Segment[];
  /** Vault `leader_tls_servername`: the name the peer's certificate must carry instead of the host. */
  readonly tlsServerName?: string;
}

/** A Vault server configuration, where it lives. */
export interface VaultConfig {
  readonly object: DistObject;
  readonly path: readonly Segment[];
  readonly doc: Record<string, any>;
}

export interface StoreMember {
  readonly kind: StoreKind;
  readonly statefulSet: DistObject;
  readonly pod: PodTemplate;
  readonly folder: string;
  readonly name: string;
  readonly namespace: string;
  /** spec.serviceName: the headless Service that gives pods their DNS names. */
  readonly serviceName: string;
  readonly replicas: number;
  readonly listed: readonly ListedPeer[];
  readonly vaultConfigs: readonly VaultConfig[];
}

export interface Store {
  readonly environment: string;
  readonly kind: StoreKind;
  readonly namespace: string;
  readonly name: string;
  /** In folder order. */
  readonly members: readonly StoreMember[];
}

/** `<pod>.<cluster>.<headless>.<namespace>.svc.clusterset.local` for every pod of a member. */
export function memberHosts(m: Pick<StoreMember, 'name' | 'folder' | 'serviceName' | 'namespace' | 'replicas'>): string[] {
  return Array.from({ length: m.replicas }, (_, i) => `${m.name}-${i}.${m.folder}.${m.serviceName}.${m.namespace}.svc.clusterset.local`);
}

/** Every peer of a store: the pods of every member. */
export function storeHosts(store: Store): string[] {
  return store.members.flatMap(memberHosts);
}

const cache = new WeakMap<DistTree, Store[]>();

export function findStores(tree: DistTree): Store[] {
  const cached = cache.get(tree);
  if (cached) return cached;
  const members: StoreMember[] = [];
  for (const sts of tree.objects) {
    if (kindOf(sts) !== 'StatefulSet' || !isClusterFolder(sts.folder)) continue;
    const pod = podTemplateOf(sts);
    const namespace = namespaceOf(sts);
    if (!pod || namespace === undefined) continue;
    const base = {
      statefulSet: sts,
      pod,
      folder: sts.folder,
      name: nameOf(sts),
      namespace,
      serviceName: typeof sts.manifest.spec?.serviceName === 'string' ? sts.manifest.spec.serviceName : '',
      replicas: intOf(sts.manifest.spec?.replicas) ?? 1,
    };
    const joins = containersOf(pod, ['containers']).flatMap((c) => flagValues(c, 'join'));
    if (joins.length > 0) {
      const listed = joins.flatMap((j) =>
        j.value
          .split(',')
          .map((entry) => hostOf(entry))
          .filter((h): h is string => h !== undefined)
          .map((host): ListedPeer => ({ host: host.toLowerCase(), object: sts, path: j.at })),
      );
      members.push({ ...base, kind: 'cockroachdb', listed, vaultConfigs: [] });
      continue;
    }
    const configs = vaultConfigsOf(tree, sts, pod, namespace);
    if (configs.length > 0) members.push({ ...base, kind: 'vault', listed: configs.flatMap(retryJoins), vaultConfigs: configs });
  }
  const groups = new Map<string, StoreMember[]>();
  for (const m of members) {
    const key = `${environmentOfFolder(tree, m.folder)}|${m.kind}|${m.namespace}|${m.name}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const stores = [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, ms]): Store => {
      const [environment, kind, namespace, name] = key.split('|') as [string, StoreKind, string, string];
      return { environment, kind, namespace, name, members: [...ms].sort((a, b) => (a.folder < b.folder ? -1 : 1)) };
    });
  cache.set(tree, stores);
  return stores;
}

function vaultConfigsOf(tree: DistTree, sts: DistObject, pod: PodTemplate, namespace: string): VaultConfig[] {
  const out: VaultConfig[] = [];
  const mounted = new Set(mountedConfigMaps(pod));
  for (const cm of inFolder(tree, sts.folder, 'ConfigMap', namespace)) {
    if (!mounted.has(nameOf(cm))) continue;
    for (const { key, doc } of jsonDocumentsOf(cm)) if (vaultBlocks(doc, 'storage', 'raft').length > 0) out.push({ object: cm, path: ['data', key], doc });
  }
  for (const c of containersOf(pod, ['containers'])) {
    const env = Array.isArray(c.container.env) ? c.container.env : [];
    env.forEach((e: unknown, i: number) => {
      if (!isRecord(e) || e.name !== 'VAULT_LOCAL_CONFIG') return;
      const doc = parseJsonObject(e.value);
      if (doc && vaultBlocks(doc, 'storage', 'raft').length > 0) out.push({ object: sts, path: [...c.at, 'env', i, 'value'], doc });
    });
  }
  return out;
}

function retryJoins(config: VaultConfig): ListedPeer[] {
  const out: ListedPeer[] = [];
  for (const raft of vaultBlocks(config.doc, 'storage', 'raft')) {
    const rj = raft.body.retry_join;
    const entries: { v: unknown; at: Segment[] }[] = Array.isArray(rj) ? rj.map((v, i) => ({ v, at: [...raft.path, 'retry_join', i] })) : rj === undefined ? [] : [{ v: rj, at: [...raft.path, 'retry_join'] }];
    for (const e of entries) {
      if (!isRecord(e.v) || typeof e.v.leader_api_addr !== 'string') continue;
      const host = hostOf(e.v.leader_api_addr);
      if (!host) continue;
      out.push({
        host: host.toLowerCase(),
        object: config.object,
        path: config.path,
        inner: [...e.at, 'leader_api_addr'],
        ...(typeof e.v.leader_tls_servername === 'string' ? { tlsServerName: e.v.leader_tls_servername } : {}),
      });
    }
  }
  return out;
}
