// PKI rules: no cluster-wide issuer can mint a store identity, the root CA key sits only where a CA
// issuer signs with it, and mutual TLS across clusters has one root of trust.
import { clusterFoldersByEnvironment, environmentOfFolder, groupOf, inFolder, kindOf, nameOf, namespaceOf, uniqueSorted } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores } from '../stores';
import { isClusterFolder, isRecord, type DistObject, type DistTree } from '../tree';
import { prerequisitesDocument } from './provisioned';

const CERT_MANAGER_GROUP = 'cert-manager.io';
const VAULT_CONFIG_GROUP = 'redhatcop.redhat.io';
/** Where cert-manager reads the Secrets of a ClusterIssuer (its cluster resource namespace). */
const CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';
/** The Secret istiod reads its plugged-in CA from (istio.io "Plug in CA Certificates"). */
const ISTIO_CA_SECRET = 'cacerts';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A store identity: a name a store authenticates a peer or client by, and the Certificate that carries it. */
interface Identity {
  readonly name: string;
  readonly certificate: DistObject;
}

/**
 * The identities of an environment's stores, from its Certificates: every common name and DNS name of
 * a Certificate in a store's namespace (Vault's peers, CockroachDB's `node` and `root`), and the
 * common name of every client certificate that carries nothing else (the form CockroachDB reads a SQL
 * user from: CN, client auth, no SANs).
 */
function storeIdentities(tree: DistTree, environment: string): Identity[] {
  const storeNamespaces = new Set(findStores(tree).filter((s) => s.environment === environment).flatMap((s) => s.members.map((m) => `${m.folder}\u0000${m.namespace}`)));
  const out: Identity[] = [];
  for (const c of tree.objects) {
    if (kindOf(c) !== 'Certificate' || groupOf(c) !== CERT_MANAGER_GROUP || !isClusterFolder(c.folder) || environmentOfFolder(tree, c.folder) !== environment) continue;
    const spec = isRecord(c.manifest.spec) ? c.manifest.spec : {};
    const cn = typeof spec.commonName === 'string' && spec.commonName !== '' ? spec.commonName : undefined;
    const dns = strings(spec.dnsNames);
    const inStore = storeNamespaces.has(`${c.folder}\u0000${namespaceOf(c) ?? ''}`);
    const usages = strings(spec.usages);
    const cnOnlyClient = cn !== undefined && dns.length === 0 && strings(spec.uris).length === 0 && strings(spec.ipAddresses).length === 0 && usages.includes('client auth') && !usages.includes('server auth');
    if (spec.isCA === true) continue;
    if (inStore) for (const name of [...(cn ? [cn] : []), ...dns]) out.push({ name, certificate: c });
    else if (cnOnlyClient) out.push({ name: cn, certificate: c });
  }
  return out;
}

/** A Vault PKI role as vault-config-operator writes it. */
interface PkiRole {
  readonly object: DistObject;
  readonly mount: string;
  readonly name: string;
  allows(name: string): boolean;
}

function globMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*')}$`);
  return re.test(name);
}

/**
 * Vault's name check for a role (builtin/logical/pki/cert_util.go, validateNames): allow_any_name
 * admits everything; `localhost` needs allow_localhost; otherwise a name must equal an allowed domain
 * (allow_bare_domains), be a subdomain of one (allow_subdomains) or match one as a glob
 * (allow_glob_domains).
 */
function pkiRolesOf(tree: DistTree, environment: string): PkiRole[] {
  return tree.objects
    .filter((o) => kindOf(o) === 'PKISecretEngineRole' && groupOf(o) === VAULT_CONFIG_GROUP && environmentOfFolder(tree, o.folder) === environment)
    .map((o) => {
      const spec = isRecord(o.manifest.spec) ? o.manifest.spec : {};
      const domains = strings(spec.allowedDomains);
      return {
        object: o,
        mount: typeof spec.path === 'string' ? spec.path.replace(/^\/+|\/+$/g, '') : '',
        name: typeof spec.name === 'string' && spec.name !== '' ? spec.name : nameOf(o),
        allows(name: string): boolean {
          if (spec.allowAnyName === true) return true;
          if (name === 'localhost' && spec.allowLocalhost === true) return true;
          return domains.some((d) => (spec.allowBareDomains === true && name === d) || (spec.allowSubdomains === true && name.endsWith(`.${d}`)) || (spec.allowGlobDomains === true && d.includes('*') && globMatches(d, name)));
        },
      };
    });
}

const describeIdentity = (i: Identity): string => `${i.name} (${kindOf(i.certificate)} ${namespaceOf(i.certificate) ?? ''}/${nameOf(i.certificate)})`;

const listIdentities = (ids: readonly Identity[]): string => {
  const shown = ids.slice(0, 3).map(describeIdentity).join(', ');
  return ids.length > 3 ? `${shown} and ${ids.length - 3} more` : shown;
};

export const clusterIssuerNoStoreIdentity: Rule = {
  id: 'MER191',
  name: 'cluster-issuer-no-store-identity',
  description:
    "no ClusterIssuer can sign a store identity (a name on a Certificate in a store's namespace, such as CockroachDB's node and root or Vault's peer names, or the common name of a CN-only client certificate, a SQL user): a CA ClusterIssuer signs any name, and a Vault ClusterIssuer signs what its PKISecretEngineRole allows; any namespace can create a Certificate against a ClusterIssuer",
  fix: "issue store identities through an Issuer in the store's (or the client's) namespace whose Vault role allows only those names and whose Kubernetes auth role only that namespace's ServiceAccount can use; limit the ClusterIssuer's role to the services' own names",
  check(tree) {
    const out: Finding[] = [];
    for (const [environment, folders] of clusterFoldersByEnvironment(tree)) {
      const identities = storeIdentities(tree, environment);
      if (identities.length === 0) continue;
      const roles = pkiRolesOf(tree, environment);
      for (const folder of folders) {
        for (const issuer of inFolder(tree, folder, 'ClusterIssuer')) {
          if (groupOf(issuer) !== CERT_MANAGER_GROUP) continue;
          const spec = isRecord(issuer.manifest.spec) ? issuer.manifest.spec : {};
          if (isRecord(spec.ca)) {
            out.push({ object: issuer, path: ['spec', 'ca'], message: `ClusterIssuer ${nameOf(issuer)} is a CA issuer: it signs any name a Certificate of any namespace asks for, store identities included: ${listIdentities(identities)}; sign them through Issuers in the stores' and clients' own namespaces` });
            continue;
          }
          const path = isRecord(spec.vault) && typeof spec.vault.path === 'string' ? spec.vault.path : undefined;
          const m = path ? /^\/*(.+)\/sign\/([^/]+)$/.exec(path) : null;
          if (!m) continue;
          const role = roles.find((r) => r.mount === m[1] && r.name === m[2]);
          if (!role) continue;
          const minted = identities.filter((i) => role.allows(i.name));
          if (minted.length === 0) continue;
          out.push({
            object: issuer,
            path: ['spec', 'vault', 'path'],
            message: `ClusterIssuer ${nameOf(issuer)} signs through Vault role ${m[2]} of ${m[1]}, which allows store identities: ${listIdentities(minted)}; any namespace could mint them; remove them from the role (PKISecretEngineRole ${namespaceOf(role.object) ?? ''}/${nameOf(role.object)} in ${role.object.folder}) and sign them through a namespaced Issuer`,
          });
        }
      }
    }
    return out;
  },
};

/** The CA issuers of a folder by the Secret they sign with: namespaces that read it (cert-manager's for a ClusterIssuer). */
function caKeyReaders(tree: DistTree, folder: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (secret: unknown, namespace: string): void => {
    if (typeof secret !== 'string' || secret === '') return;
    out.set(secret, (out.get(secret) ?? new Set()).add(namespace));
  };
  for (const i of inFolder(tree, folder, 'Issuer')) if (groupOf(i) === CERT_MANAGER_GROUP && isRecord(i.manifest.spec?.ca)) add(i.manifest.spec.ca.secretName, namespaceOf(i) ?? '');
  for (const i of inFolder(tree, folder, 'ClusterIssuer')) if (groupOf(i) === CERT_MANAGER_GROUP && isRecord(i.manifest.spec?.ca)) add(i.manifest.spec.ca.secretName, CLUSTER_RESOURCE_NAMESPACE);
  return out;
}

export const rootKeyOnlyWhereSigned: Rule = {
  id: 'MER192',
  name: 'root-key-only-where-signed',
  description:
    "a CA key pair (the Secret a CA Issuer or ClusterIssuer signs with) is listed in dist/<env>.prerequisites.json with tls.key only in namespaces where a CA issuer of that cluster signs with it (cert-manager's namespace for a ClusterIssuer), and no Vault issuer reads its CA bundle from it: everywhere else the certificate alone (ca.crt) does",
  fix: 'load the key pair only into the namespaces of the CA issuers that use it; give Vault issuers a Secret with the root certificate alone (ca.crt) as caBundleSecretRef',
  check(tree) {
    const out: Finding[] = [];
    for (const [environment, folders] of clusterFoldersByEnvironment(tree)) {
      const listed = prerequisitesDocument(tree, environment);
      for (const folder of folders) {
        const readers = caKeyReaders(tree, folder);
        if (readers.size === 0) continue;
        const keyPairs = (listed?.get(folder) ?? []).filter((s) => readers.has(s.name) && s.keys.includes('tls.key'));
        for (const s of keyPairs) {
          if (readers.get(s.name)!.has(s.namespace)) continue;
          const signer = [...inFolder(tree, folder, 'Issuer'), ...inFolder(tree, folder, 'ClusterIssuer')].find((i) => isRecord(i.manifest.spec?.ca) && i.manifest.spec.ca.secretName === s.name)!;
          out.push({
            object: signer,
            path: ['spec', 'ca', 'secretName'],
            message: `${environment}.prerequisites.json loads the key pair of ${kindOf(signer)} ${nameOf(signer)} (Secret ${s.name} with tls.key) into namespace ${s.namespace} of ${folder}, where no CA issuer signs with it (only ${uniqueSorted(readers.get(s.name)!).join(', ')}); there the root certificate alone (ca.crt) is enough`,
          });
        }
        for (const kind of ['Issuer', 'ClusterIssuer']) {
          for (const i of inFolder(tree, folder, kind)) {
            const ref = isRecord(i.manifest.spec?.vault) && isRecord(i.manifest.spec.vault.caBundleSecretRef) ? i.manifest.spec.vault.caBundleSecretRef : undefined;
            if (!ref || typeof ref.name !== 'string' || !readers.has(ref.name)) continue;
            const ns = kind === 'ClusterIssuer' ? CLUSTER_RESOURCE_NAMESPACE : (namespaceOf(i) ?? '');
            out.push({
              object: i,
              path: ['spec', 'vault', 'caBundleSecretRef', 'name'],
              message: `${kind} ${nameOf(i)} verifies Vault with Secret ${ns}/${ref.name}, the key pair a CA issuer signs with: the key would have to sit in ${ns} only for its certificate; name a Secret with the root certificate alone (ca.crt)`,
            });
          }
        }
      }
    }
    return out;
  },
};

/** Where a folder enforces mutual TLS with Istio: STRICT PeerAuthentications, ISTIO_MUTUAL DestinationRules for clusterset hosts. */
function mtlsEnforcers(tree: DistTree, folder: string): DistObject[] {
  const strict = inFolder(tree, folder, 'PeerAuthentication').filter((p) => isRecord(p.manifest.spec?.mtls) && p.manifest.spec.mtls.mode === 'STRICT');
  const mutual = inFolder(tree, folder, 'DestinationRule').filter((d) => {
    const spec = isRecord(d.manifest.spec) ? d.manifest.spec : {};
    if (typeof spec.host !== 'string' || !spec.host.endsWith('.svc.clusterset.local')) return false;
    const policy = isRecord(spec.trafficPolicy) ? spec.trafficPolicy : {};
    const levels = [policy, ...(Array.isArray(policy.portLevelSettings) ? policy.portLevelSettings.filter(isRecord) : [])];
    return levels.some((l) => isRecord(l.tls) && l.tls.mode === 'ISTIO_MUTUAL');
  });
  return [...strict, ...mutual];
}

/** The CA Secret a Certificate's issuer signs with (the root of its chain), or why there is none. */
function signingRoot(tree: DistTree, folder: string, cert: DistObject): { root?: string; why?: string } {
  const ref = isRecord(cert.manifest.spec?.issuerRef) ? cert.manifest.spec.issuerRef : {};
  const kind = typeof ref.kind === 'string' ? ref.kind : 'Issuer';
  const issuer = (kind === 'ClusterIssuer' ? inFolder(tree, folder, 'ClusterIssuer') : inFolder(tree, folder, 'Issuer', namespaceOf(cert))).find((i) => nameOf(i) === ref.name);
  if (!issuer) return { why: `its ${kind} ${String(ref.name)} is not defined in ${folder}` };
  const ca = issuer.manifest.spec?.ca;
  if (!isRecord(ca) || typeof ca.secretName !== 'string') return { why: `its ${kind} ${String(ref.name)} is not a CA issuer (only a CA issuer signs an intermediate CA)` };
  return { root: ca.secretName };
}

export const meshSharedRoot: Rule = {
  id: 'MER193',
  name: 'mesh-shared-root',
  description: `every cluster of an environment that enforces Istio mutual TLS (a STRICT PeerAuthentication, or an ISTIO_MUTUAL DestinationRule for a clusterset host) has an isCA Certificate writing istiod's ${ISTIO_CA_SECRET} Secret, issued by a CA issuer that signs with the same root CA Secret in every cluster: with a self-signed root per istiod, mutual TLS to another cluster's endpoint fails`,
  fix: `add a Certificate with isCA: true and secretName ${ISTIO_CA_SECRET} in Istio's namespace, issued by a CA issuer backed by the environment's root CA, to every cluster; restart istiod once after the first issuance`,
  check(tree) {
    const out: Finding[] = [];
    for (const [, folders] of clusterFoldersByEnvironment(tree)) {
      const meshed = folders.map((f) => ({ folder: f, enforcers: mtlsEnforcers(tree, f) })).filter((m) => m.enforcers.length > 0);
      const roots = new Map<string, string[]>();
      const cacerts = new Map<string, DistObject>();
      for (const { folder, enforcers } of meshed) {
        const certs = inFolder(tree, folder, 'Certificate').filter((c) => groupOf(c) === CERT_MANAGER_GROUP && c.manifest.spec?.secretName === ISTIO_CA_SECRET);
        const cert = certs[0];
        const enforcer = enforcers[0]!;
        const what = `${kindOf(enforcer)} ${namespaceOf(enforcer) ?? ''}/${nameOf(enforcer)}`;
        if (!cert) {
          out.push({ object: enforcer, path: ['spec'], message: `${folder} enforces mutual TLS (${what}) and no Certificate issues istiod's ${ISTIO_CA_SECRET} there: its istiod signs with a self-signed root, so mutual TLS with the other clusters' endpoints fails on failover; add an isCA Certificate with secretName ${ISTIO_CA_SECRET} chained to the shared root` });
          continue;
        }
        if (cert.manifest.spec?.isCA !== true) {
          out.push({ object: cert, path: ['spec', 'isCA'], message: `Certificate ${namespaceOf(cert) ?? ''}/${nameOf(cert)} writes istiod's ${ISTIO_CA_SECRET} without isCA: true; istiod cannot sign workload certificates with it` });
          continue;
        }
        const { root, why } = signingRoot(tree, folder, cert);
        if (!root) {
          out.push({ object: cert, path: ['spec', 'issuerRef'], message: `Certificate ${namespaceOf(cert) ?? ''}/${nameOf(cert)} (istiod's ${ISTIO_CA_SECRET} in ${folder}) does not chain to a root CA: ${why}` });
          continue;
        }
        roots.set(root, [...(roots.get(root) ?? []), folder]);
        cacerts.set(folder, cert);
      }
      if (roots.size > 1) {
        const byRoot = [...roots].map(([r, fs]) => `${r} in ${fs.join(', ')}`).join('; ');
        const [, minority] = [...roots].sort((a, b) => a[1].length - b[1].length || (a[0] < b[0] ? -1 : 1))[0]!;
        for (const folder of minority) {
          const cert = cacerts.get(folder)!;
          out.push({ object: cert, path: ['spec', 'issuerRef'], message: `istiod's intermediates chain to different roots (${byRoot}): workloads of ${folder} reject the other clusters' certificates; sign every cluster's ${ISTIO_CA_SECRET} with the same root CA` });
        }
      }
    }
    return out;
  },
};

/** The ServiceAccounts of a folder bound (ClusterRoleBinding) to system:auth-delegator, as `namespace/name`. */
function authDelegators(tree: DistTree, folder: string): Set<string> {
  const out = new Set<string>();
  for (const b of inFolder(tree, folder, 'ClusterRoleBinding')) {
    const ref = isRecord(b.manifest.roleRef) ? b.manifest.roleRef : {};
    if (ref.kind !== 'ClusterRole' || ref.name !== 'system:auth-delegator') continue;
    for (const s of Array.isArray(b.manifest.subjects) ? b.manifest.subjects.filter(isRecord) : []) {
      if (s.kind === 'ServiceAccount' && typeof s.name === 'string') out.add(`${String(s.namespace ?? '')}/${s.name}`);
    }
  }
  return out;
}

export const reviewerTokenLongLived: Rule = {
  id: 'MER194',
  name: 'reviewer-token-long-lived',
  description:
    "every Kubernetes AuthEngineMount reviews logins with a token that does not expire: dist/<env>.prerequisites.json lists, for its cluster and namespace, a long-lived token Secret (serviceAccountToken) of a ServiceAccount bound to system:auth-delegator, and no KubernetesAuthEngineConfig with tokenReviewerServiceAccount configures the mount (the vault-config-operator writes a one-year TokenRequest token there and requests a new one only when it reconciles the object: on a spec change or an operator restart)",
  fix: 'configure the mount with the runbook step (token_reviewer_jwt from a kubernetes.io/service-account-token Secret of a ServiceAccount bound to system:auth-delegator) and drop the KubernetesAuthEngineConfig; list the Secret in src/topology/prerequisites.ts',
  check(tree) {
    const out: Finding[] = [];
    for (const [environment, folders] of clusterFoldersByEnvironment(tree)) {
      const listed = prerequisitesDocument(tree, environment);
      const tokens = (folder: string): { namespace: string; name: string; serviceAccount: string }[] => {
        const doc = tree.attachments.get(`${environment}.prerequisites.json`);
        const cluster = isRecord(doc) && Array.isArray(doc.clusters) ? doc.clusters.filter(isRecord).find((c) => c.cluster === folder) : undefined;
        const secrets = cluster && Array.isArray(cluster.secrets) ? cluster.secrets.filter(isRecord) : [];
        return secrets.filter((s) => typeof s.serviceAccountToken === 'string' && strings(s.keys).includes('token')).map((s) => ({ namespace: String(s.namespace), name: String(s.name), serviceAccount: String(s.serviceAccountToken) }));
      };
      for (const folder of folders) {
        const mounts = inFolder(tree, folder, 'AuthEngineMount').filter((m) => groupOf(m) === VAULT_CONFIG_GROUP && m.manifest.spec?.type === 'kubernetes');
        if (mounts.length === 0) continue;
        const delegators = authDelegators(tree, folder);
        for (const mount of mounts) {
          const spec = isRecord(mount.manifest.spec) ? mount.manifest.spec : {};
          const path = [spec.path, spec.name ?? nameOf(mount)].filter((p): p is string => typeof p === 'string' && p !== '').join('/');
          const ns = namespaceOf(mount) ?? '';
          for (const config of inFolder(tree, folder, 'KubernetesAuthEngineConfig')) {
            const c = isRecord(config.manifest.spec) ? config.manifest.spec : {};
            const configPath = [c.path, c.name ?? nameOf(config)].filter((p): p is string => typeof p === 'string' && p !== '').join('/');
            if (configPath !== path || !isRecord(c.tokenReviewerServiceAccount)) continue;
            out.push({
              object: config,
              path: ['spec', 'tokenReviewerServiceAccount'],
              message: `KubernetesAuthEngineConfig ${ns}/${nameOf(config)} makes the vault-config-operator write a TokenRequest token of ServiceAccount ${String(c.tokenReviewerServiceAccount.name)} valid one year as the reviewer JWT of auth/${path}, renewed only when the operator reconciles the object (a spec change or its restart): when it lapses every login on the mount fails; configure the mount with a long-lived token Secret instead and drop this object`,
            });
          }
          const own = tokens(folder).filter((t) => t.namespace === ns);
          if (listed === undefined || own.length === 0) {
            out.push({ object: mount, path: ['spec'], message: `auth/${path} in ${folder} has no long-lived reviewer token: ${environment}.prerequisites.json lists no service-account-token Secret in namespace ${ns} of ${folder}; a short-lived reviewer JWT stops every login on the mount when it expires` });
            continue;
          }
          if (!own.some((t) => delegators.has(`${ns}/${t.serviceAccount}`))) {
            out.push({ object: mount, path: ['spec'], message: `the reviewer token of auth/${path} in ${folder} (${own.map((t) => `Secret ${ns}/${t.name} of ServiceAccount ${t.serviceAccount}`).join(', ')}) belongs to no ServiceAccount bound to system:auth-delegator there: the API server refuses its TokenReviews` });
          }
        }
      }
    }
    return out;
  },
};
