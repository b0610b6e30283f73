// Every Secret a bundle names is created by something: cert-manager (a Certificate's secretName in the
// same cluster and namespace) or an exact runbook step, which `dist/<env>.prerequisites.json` lists
// per cluster (src/topology/prerequisites.ts). A name nobody creates leaves a pod Pending or a
// controller failing while Argo CD reports Healthy.
import { containersOf, environmentOfFolder, inFolder, kindOf, nameOf, namespaceOf, podTemplates } from '../manifest';
import type { Finding, Rule } from '../rule';
import { isClusterFolder, isRecord, type DistObject, type DistTree, type Segment } from '../tree';

/** Where cert-manager reads the Secrets of a ClusterIssuer (its cluster resource namespace). */
const CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';

interface NamedSecret {
  readonly object: DistObject;
  readonly path: readonly Segment[];
  readonly namespace: string;
  readonly name: string;
  /** A key the reference reads, when it names one. */
  readonly key?: string;
}

interface Listed {
  readonly namespace: string;
  readonly name: string;
  readonly keys: readonly string[];
  readonly runbookStep: string;
}

export function prerequisitesDocument(tree: DistTree, environment: string): Map<string, Listed[]> | undefined {
  const doc = tree.attachments.get(`${environment}.prerequisites.json`);
  if (!isRecord(doc) || !Array.isArray(doc.clusters)) return undefined;
  const out = new Map<string, Listed[]>();
  for (const c of doc.clusters) {
    if (!isRecord(c) || typeof c.cluster !== 'string' || !Array.isArray(c.secrets)) continue;
    out.set(
      c.cluster,
      c.secrets.filter(isRecord).map((s) => ({ namespace: String(s.namespace), name: String(s.name), keys: Array.isArray(s.keys) ? s.keys.map(String) : [], runbookStep: String(s.runbookStep) })),
    );
  }
  return out;
}

/** Every Secret reference of the objects of a folder. */
function namedSecrets(tree: DistTree, folder: string): NamedSecret[] {
  const out: NamedSecret[] = [];
  const ref = (object: DistObject, path: Segment[], namespace: string | undefined, name: unknown, key?: unknown): void => {
    if (typeof name !== 'string' || name === '' || namespace === undefined) return;
    out.push({ object, path, namespace, name, ...(typeof key === 'string' ? { key } : {}) });
  };
  for (const pod of podTemplates(tree).filter((p) => p.object.folder === folder)) {
    const o = pod.object;
    const ns = namespaceOf(o);
    (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).forEach((v: unknown, i: number) => {
      if (!isRecord(v)) return;
      const at: Segment[] = [...pod.at, 'volumes', i];
      if (isRecord(v.secret)) {
        const items = Array.isArray(v.secret.items) ? v.secret.items.filter(isRecord) : [];
        if (items.length === 0) ref(o, [...at, 'secret', 'secretName'], ns, v.secret.secretName);
        items.forEach((it) => ref(o, [...at, 'secret', 'secretName'], ns, v.secret.secretName, it.key));
      }
      const sources = isRecord(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources : [];
      sources.forEach((src: unknown, j: number) => {
        if (!isRecord(src) || !isRecord(src.secret)) return;
        const items = Array.isArray(src.secret.items) ? src.secret.items.filter(isRecord) : [];
        const p: Segment[] = [...at, 'projected', 'sources', j, 'secret', 'name'];
        if (items.length === 0) ref(o, p, ns, src.secret.name);
        items.forEach((it) => ref(o, p, ns, src.secret.name, it.key));
      });
    });
    for (const c of containersOf(pod)) {
      (Array.isArray(c.container.env) ? c.container.env : []).forEach((e: unknown, i: number) => {
        const s = isRecord(e) && isRecord(e.valueFrom) && isRecord(e.valueFrom.secretKeyRef) ? e.valueFrom.secretKeyRef : undefined;
        if (s && s.optional !== true) ref(o, [...c.at, 'env', i, 'valueFrom', 'secretKeyRef', 'name'], ns, s.name, s.key);
      });
      (Array.isArray(c.container.envFrom) ? c.container.envFrom : []).forEach((e: unknown, i: number) => {
        if (isRecord(e) && isRecord(e.secretRef) && e.secretRef.optional !== true) ref(o, [...c.at, 'envFrom', i, 'secretRef', 'name'], ns, e.secretRef.name);
      });
    }
  }
  for (const o of tree.objects.filter((x) => x.folder === folder)) {
    const spec = isRecord(o.manifest.spec) ? o.manifest.spec : {};
    const ns = namespaceOf(o);
    switch (kindOf(o)) {
      case 'Submariner':
        ref(o, ['spec', 'brokerK8sSecret'], ns, spec.brokerK8sSecret);
        ref(o, ['spec', 'ceIPSecPSKSecret'], ns, spec.ceIPSecPSKSecret);
        break;
      case 'GlobalDNSRecord':
        (Array.isArray(spec.endpoints) ? spec.endpoints : []).forEach((e: unknown, i: number) => {
          if (isRecord(e) && isRecord(e.clusterCredentialRef)) ref(o, ['spec', 'endpoints', i, 'clusterCredentialRef', 'name'], String(e.clusterCredentialRef.namespace ?? ns), e.clusterCredentialRef.name, 'kubeconfig');
        });
        break;
      case 'GlobalDNSZone': {
        const creds = isRecord(spec.provider) && isRecord(spec.provider.route53) && isRecord(spec.provider.route53.credentialsSecretRef) ? spec.provider.route53.credentialsSecretRef : undefined;
        if (creds) ref(o, ['spec', 'provider', 'route53', 'credentialsSecretRef', 'name'], String(creds.namespace ?? ns), creds.name);
        break;
      }
      case 'Issuer':
      case 'ClusterIssuer': {
        const where = kindOf(o) === 'ClusterIssuer' ? CLUSTER_RESOURCE_NAMESPACE : ns;
        if (isRecord(spec.ca)) ref(o, ['spec', 'ca', 'secretName'], where, spec.ca.secretName, 'tls.key');
        if (isRecord(spec.vault) && isRecord(spec.vault.caBundleSecretRef)) ref(o, ['spec', 'vault', 'caBundleSecretRef', 'name'], where, spec.vault.caBundleSecretRef.name, spec.vault.caBundleSecretRef.key);
        break;
      }
      default: {
        // vault-config-operator kinds: the client certificate the operator presents to Vault.
        const tls = isRecord(spec.connection) && isRecord(spec.connection.tLSConfig) && isRecord(spec.connection.tLSConfig.tlsSecret) ? spec.connection.tLSConfig.tlsSecret : undefined;
        if (tls) ref(o, ['spec', 'connection', 'tLSConfig', 'tlsSecret', 'name'], ns, tls.name);
      }
    }
  }
  return out;
}

export const namedSecretsProvisioned: Rule = {
  id: 'MER110',
  name: 'named-secrets-provisioned',
  description: 'every Secret an object names (pod volumes and env, the Submariner CR, GSLB records and zones, issuers, Vault operator connections) is issued by a cert-manager Certificate in the same cluster and namespace, or listed with that key in dist/<env>.prerequisites.json, whose every entry names the runbook step that creates it',
  fix: 'issue the Secret with a Certificate, or add it to src/topology/prerequisites.ts with its keys and a runbook step (src/report/runbook.ts) that creates exactly that name; never rely on a name another tool generates',
  check(tree) {
    const out: Finding[] = [];
    for (const folder of [...new Set(tree.objects.map((o) => o.folder))].filter(isClusterFolder).sort()) {
      const env = environmentOfFolder(tree, folder);
      const listed = prerequisitesDocument(tree, env)?.get(folder) ?? [];
      const issued = new Set(inFolder(tree, folder, 'Certificate').map((c) => `${namespaceOf(c) ?? ''}/${String(c.manifest.spec?.secretName)}`));
      for (const s of namedSecrets(tree, folder)) {
        if (issued.has(`${s.namespace}/${s.name}`)) continue;
        const entry = listed.find((l) => l.namespace === s.namespace && l.name === s.name);
        const what = `${kindOf(s.object)} ${namespaceOf(s.object) ?? ''}/${nameOf(s.object)} in ${folder} names Secret ${s.namespace}/${s.name}`;
        if (!entry) {
          out.push({ object: s.object, path: s.path, message: `${what}, which no Certificate issues and ${env}.prerequisites.json does not list for ${folder}, so no runbook step creates it` });
        } else if (s.key !== undefined && !entry.keys.includes(s.key)) {
          out.push({ object: s.object, path: s.path, message: `${what} and reads key ${s.key}, but runbook step ${entry.runbookStep} creates it with ${entry.keys.join(', ')} only` });
        }
      }
    }
    return out;
  },
};
