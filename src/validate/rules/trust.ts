// Trust rules: Vault state that Git cannot destroy, seals that survive a region, store policies that
// never admit their own cluster's whole pod network.
import { KEEP_OPTIONS, SYNC_OPTIONS_ANNOTATION, syncOptionsOf, VAULT_STATE_KINDS } from '../../lib/sync-options';
import { arnRegion, isMultiRegionKey } from '../../lib/aws-kms';
import { LABEL } from '../../lib/labels';
import { annotationsOf, containersOf, groupOf, inFolder, kindOf, labelsOf, nameOf, namespaceOf, podTemplates, uniqueSorted, vaultBlocks, type PodTemplate } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores } from '../stores';
import { isRecord, type Segment } from '../tree';

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

/** An IPv4 CIDR as [first address, prefix length]; undefined for anything else (IPv6 is not checked). */
export function ipv4Cidr(value: unknown): { base: number; bits: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: address - (address % size), bits };
}

/** Whether CIDR `outer` contains every address of CIDR `inner`. */
export function cidrContains(outer: { base: number; bits: number }, inner: { base: number; bits: number }): boolean {
  return outer.bits <= inner.bits && inner.base >= outer.base && inner.base < outer.base + 2 ** (32 - outer.bits);
}

/** The cluster's own networks as the folder's Submariner CR declares them: its pod CIDR and, with globalnet, its global CIDR. */
export function ownNetworks(tree: Parameters<Rule['check']>[0], folder: string): { label: string; cidr: string }[] {
  const out: { label: string; cidr: string }[] = [];
  for (const s of inFolder(tree, folder, 'Submariner')) {
    const spec = isRecord(s.manifest.spec) ? s.manifest.spec : {};
    if (typeof spec.clusterCIDR === 'string') out.push({ label: 'pod CIDR', cidr: spec.clusterCIDR });
    if (typeof spec.globalCIDR === 'string' && spec.globalCIDR !== '') out.push({ label: 'global CIDR', cidr: spec.globalCIDR });
  }
  return out;
}

export const storePolicyExcludesOwnNetwork: Rule = {
  id: 'MER152',
  name: 'store-policy-excludes-own-network',
  description: "no NetworkPolicy in a store's namespace admits (ingress from an ipBlock) any address of its own cluster's pod CIDR or, with globalnet, its own global CIDR (as the folder's Submariner CR declares them): such a block matches local pods of every namespace and voids the namespace allowlist; only the other clusters' networks belong in ipBlocks",
  fix: 'list the other clusters\' pod CIDRs (or global CIDRs with globalnet) in the ipBlocks and admit local peers by podSelector',
  check(tree) {
    const out: Finding[] = [];
    const namespaces = new Map<string, Set<string>>();
    for (const s of findStores(tree)) for (const m of s.members) namespaces.set(m.folder, (namespaces.get(m.folder) ?? new Set()).add(m.namespace));
    for (const [folder, storeNamespaces] of namespaces) {
      const own = ownNetworks(tree, folder).map((n) => ({ ...n, parsed: ipv4Cidr(n.cidr) })).filter((n) => n.parsed !== undefined);
      if (own.length === 0) continue;
      for (const ns of storeNamespaces) {
        for (const policy of inFolder(tree, folder, 'NetworkPolicy', ns)) {
          const ingress = isRecord(policy.manifest.spec) && Array.isArray(policy.manifest.spec.ingress) ? policy.manifest.spec.ingress : [];
          ingress.forEach((rule: unknown, i: number) => {
            const from = isRecord(rule) && Array.isArray(rule.from) ? rule.from : [];
            from.forEach((peer: unknown, j: number) => {
              if (!isRecord(peer) || !isRecord(peer.ipBlock)) return;
              const block = ipv4Cidr(peer.ipBlock.cidr);
              if (!block) return;
              const except = (Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : []).map(ipv4Cidr).filter((e): e is { base: number; bits: number } => e !== undefined);
              for (const n of own) {
                // CIDRs nest or are disjoint: the shared part is the smaller of the two
                const overlap = cidrContains(block, n.parsed!) ? n.parsed! : cidrContains(n.parsed!, block) ? block : undefined;
                if (!overlap || except.some((e) => cidrContains(e, overlap))) continue;
                out.push({
                  object: policy,
                  path: ['spec', 'ingress', i, 'from', j, 'ipBlock', 'cidr'],
                  message: `NetworkPolicy ${ns}/${nameOf(policy)} admits ipBlock ${String(peer.ipBlock.cidr)}, which covers ${folder}'s own ${n.label} ${n.cidr}: every pod of ${folder} matches it, whatever its namespace; list only the other clusters' networks and admit local peers by podSelector`,
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

export const sealRegionIsOwn: Rule = {
  id: 'MER153',
  name: 'seal-region-is-own',
  description: `each Vault member whose awskms seal names a multi-Region key (an mrk- key ID, or a key ARN of one) uses the replica in its own cluster's region (the ${LABEL.region} label of the folder's Namespaces): seal.awskms.region, and the Region of a key ARN, are that region, so losing another region leaves its pods able to unseal`,
  fix: 'set the awskms seal region (and the Region of the key ARN) of each cluster to the cluster\'s own region; the replica of a multi-Region key there has the same key ID',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree)) {
      for (const m of store.members) {
        const regions = new Set(inFolder(tree, m.folder, 'Namespace').map((ns) => labelsOf(ns)[LABEL.region]).filter((r): r is string => r !== undefined));
        if (regions.size !== 1) continue;
        const [region] = [...regions] as [string];
        for (const config of m.vaultConfigs) {
          for (const block of vaultBlocks(config.doc, 'seal', 'awskms')) {
            const keyId = block.body.kms_key_id;
            if (typeof keyId !== 'string' || !isMultiRegionKey(keyId)) continue;
            const arn = arnRegion(keyId);
            if (block.body.region !== region) {
              out.push({ object: config.object, path: config.path, inner: [...block.path, 'region'], message: `the awskms seal of ${m.folder} (region ${region}) uses multi-Region key ${keyId} in ${String(block.body.region)}: losing ${String(block.body.region)} leaves ${m.folder}'s restarted pods sealed; set region ${region}, where the key's replica has the same key ID` });
            } else if (arn !== undefined && arn !== region) {
              out.push({ object: config.object, path: config.path, inner: [...block.path, 'kms_key_id'], message: `the awskms seal of ${m.folder} (region ${region}) names the key ARN of region ${arn}; use the replica's ARN in ${region} (the same key ID, region ${region})` });
            }
          }
        }
      }
    }
    return out;
  },
};

/** A Kubernetes auth role as vault-config-operator writes it: mount, role name, bindings, audience. */
interface AuthRole {
  readonly path: string;
  readonly name: string;
  readonly serviceAccounts: readonly string[];
  readonly namespaces: readonly string[];
  readonly audience?: string;
}

function authRolesIn(tree: Parameters<Rule['check']>[0], folder: string): AuthRole[] {
  return inFolder(tree, folder, 'KubernetesAuthEngineRole')
    .filter((o) => groupOf(o) === VAULT_CONFIG_GROUP)
    .map((o) => {
      const spec = isRecord(o.manifest.spec) ? o.manifest.spec : {};
      const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
      const ns = isRecord(spec.targetNamespaces) ? strings(spec.targetNamespaces.targetNamespaces) : [];
      return {
        path: typeof spec.path === 'string' ? spec.path : '',
        name: typeof spec.name === 'string' ? spec.name : nameOf(o),
        serviceAccounts: strings(spec.targetServiceAccounts),
        namespaces: ns,
        ...(typeof spec.audience === 'string' && spec.audience !== '' ? { audience: spec.audience } : {}),
      };
    });
}

/** Projected ServiceAccount tokens a container mounts: audience and the file's path. */
function projectedTokens(pod: PodTemplate, container: Record<string, any>): { audience?: string; file: string }[] {
  const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts.filter(isRecord) : [];
  const out: { audience?: string; file: string }[] = [];
  for (const v of Array.isArray(pod.spec.volumes) ? pod.spec.volumes.filter(isRecord) : []) {
    const mount = mounts.find((m) => m.name === v.name);
    if (!mount || typeof mount.mountPath !== 'string') continue;
    const sources = isRecord(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources.filter(isRecord) : [];
    for (const s of sources) {
      const t = s.serviceAccountToken;
      if (!isRecord(t) || typeof t.path !== 'string') continue;
      out.push({ ...(typeof t.audience === 'string' && t.audience !== '' ? { audience: t.audience } : {}), file: `${mount.mountPath.replace(/\/+$/, '')}/${t.path}` });
    }
  }
  return out;
}

/**
 * A Deployment that is told where Vault is can also log in to it: Kubernetes auth (the only method
 * meridian configures for workloads) needs a role of the cluster's auth mount bound to the pod's
 * ServiceAccount and namespace, and a token the pod can present whose audience the role verifies
 * (Vault API docs, auth/kubernetes role `audience`: "Audience claim to verify in the JWT",
 * https://developer.hashicorp.com/vault/api-docs/auth/kubernetes). With automountServiceAccountToken
 * false the pod has no token unless a projected one is mounted.
 */
export const vaultClientCanLogIn: Rule = {
  id: 'MER171',
  name: 'vault-client-can-log-in',
  description:
    'every Deployment with VAULT_ADDR has a KubernetesAuthEngineRole in its cluster bound to its ServiceAccount and namespace (and named and mounted as its VAULT_K8S_ROLE and VAULT_K8S_AUTH_MOUNT say), and mounts a projected ServiceAccount token whose audience the role verifies (at VAULT_K8S_TOKEN_PATH when set)',
  fix: 'give the service `uses: [vault]` so meridian writes its role, ServiceAccount and projected token; a hand-written client needs a KubernetesAuthEngineRole with targetServiceAccounts, targetNamespaces and audience matching a serviceAccountToken projection the container mounts',
  check(tree) {
    const out: Finding[] = [];
    for (const pod of podTemplates(tree)) {
      if (kindOf(pod.object) !== 'Deployment') continue;
      const namespace = namespaceOf(pod.object) ?? 'default';
      const account = typeof pod.spec.serviceAccountName === 'string' && pod.spec.serviceAccountName !== '' ? pod.spec.serviceAccountName : 'default';
      for (const c of containersOf(pod, ['containers', 'initContainers'])) {
        const env = Array.isArray(c.container.env) ? c.container.env.filter(isRecord) : [];
        const addrIndex = env.findIndex((v) => v.name === 'VAULT_ADDR');
        if (addrIndex < 0) continue;
        const value = (name: string): string | undefined => {
          const v = env.find((e) => e.name === name);
          return typeof v?.value === 'string' ? v.value : undefined;
        };
        const at: Segment[] = [...c.at, 'env', addrIndex];
                const wantRole = value('VAULT_K8S_ROLE');
        const wantMount = value('VAULT_K8S_AUTH_MOUNT');
        const roles = authRolesIn(tree, pod.object.folder).filter(
          (r) => r.serviceAccounts.includes(account) && r.namespaces.includes(namespace) && (wantRole === undefined || r.name === wantRole) && (wantMount === undefined || r.path === wantMount),
        );
        if (roles.length === 0) {
          const named = [wantRole !== undefined ? ` named ${wantRole}` : '', wantMount !== undefined ? ` on mount ${wantMount}` : ''].join('');
          out.push({ object: pod.object, path: at, message: `VAULT_ADDR is set, and no KubernetesAuthEngineRole${named} in this cluster is bound to ServiceAccount ${account} in namespace ${namespace}, so the pods cannot log in to Vault; add the role (uses: [vault] writes it)` });
          continue;
        }
        const tokens = projectedTokens(pod, c.container);
        const tokenPath = value('VAULT_K8S_TOKEN_PATH');
        const accepted = tokens.filter((t) => t.audience !== undefined && roles.some((r) => r.audience === t.audience) && (tokenPath === undefined || t.file === tokenPath));
        if (accepted.length === 0) {
          const audiences = uniqueSorted(roles.flatMap((r) => (r.audience ? [r.audience] : [])));
          const expected = audiences.length > 0 ? `audience ${audiences.join(' or ')}` : 'an audience (its role sets none: set spec.audience)';
          out.push({
            object: pod.object,
            path: [...pod.at, 'volumes'],
            message: `VAULT_ADDR is set, and the pods mount no projected ServiceAccount token of ServiceAccount ${account} with ${expected}${tokenPath !== undefined ? ` at ${tokenPath}` : ''}, so they cannot log in to Vault; add a serviceAccountToken projection with that audience and mount it`,
          });
        }
      }
    }
    return out;
  },
};
