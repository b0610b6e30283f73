// Rules about certificates: every TLS Secret a pod or Gateway uses is issued by a Certificate of its
// cluster, every Certificate's issuer exists there, and workloads roll when their certificates renew.
import { annotationsOf, describeObject, inFolder, kindOf, mountedSecrets, nameOf, namespaceOf, podTemplates } from '../manifest';
import type { Finding, Rule } from '../rule';
import { isClusterFolder, isRecord, type DistObject, type DistTree, type Segment } from '../tree';
import { referenceGranted } from './connectivity';

const TLS_LIKE = /(^|-)(tls|certs?)($|-)/;

/** Secret names some Certificate of the tree issues. */
function issuedSecretNames(tree: DistTree): Set<string> {
  return new Set(tree.objects.filter((o) => kindOf(o) === 'Certificate').map((c) => String(c.manifest.spec?.secretName)));
}

function issuingCertificate(tree: DistTree, folder: string, namespace: string | undefined, secret: string): DistObject | undefined {
  return inFolder(tree, folder, 'Certificate', namespace).find((c) => c.manifest.spec?.secretName === secret);
}

/** Certificate Secrets a Gateway's listeners reference, with where. */
export function gatewayCertificateRefs(gateway: DistObject): { listener: Record<string, any>; name: string; namespace: string; path: Segment[]; listenerPath: Segment[] }[] {
  const out: { listener: Record<string, any>; name: string; namespace: string; path: Segment[]; listenerPath: Segment[] }[] = [];
  const listeners = Array.isArray(gateway.manifest.spec?.listeners) ? gateway.manifest.spec.listeners : [];
  listeners.forEach((l: unknown, i: number) => {
    if (!isRecord(l) || !isRecord(l.tls) || !Array.isArray(l.tls.certificateRefs)) return;
    l.tls.certificateRefs.forEach((r: unknown, j: number) => {
      if (!isRecord(r) || (r.kind ?? 'Secret') !== 'Secret' || (r.group ?? '') !== '') return;
      out.push({ listener: l, name: String(r.name), namespace: typeof r.namespace === 'string' ? r.namespace : (namespaceOf(gateway) ?? ''), path: ['spec', 'listeners', i, 'tls', 'certificateRefs', j], listenerPath: ['spec', 'listeners', i] });
    });
  });
  return out;
}

export const certificateSecretsIssued: Rule = {
  id: 'MER023',
  name: 'certificate-secrets-issued',
  description: 'every TLS Secret a pod mounts or a Gateway listener serves is issued by a cert-manager Certificate in the same cluster and namespace',
  fix: 'add the Certificate (spec.secretName = the mounted Secret) in the namespace of the workload, or mount the Secret the Certificate really writes',
  check(tree) {
    const out: Finding[] = [];
    const issued = issuedSecretNames(tree);
    for (const pod of podTemplates(tree)) {
      const o = pod.object;
      if (!isClusterFolder(o.folder)) continue;
      for (const s of mountedSecrets(pod)) {
        if (!issued.has(s.name) && !TLS_LIKE.test(s.name)) continue;
        if (!issuingCertificate(tree, o.folder, namespaceOf(o), s.name)) {
          const elsewhere = inFolder(tree, o.folder, 'Certificate').filter((c) => c.manifest.spec?.secretName === s.name).map((c) => namespaceOf(c));
          out.push({ object: o, path: s.at, message: `${describeObject(o.manifest)} mounts Secret ${s.name}, which no Certificate in namespace ${namespaceOf(o) ?? ''} of ${o.folder} issues${elsewhere.length > 0 ? ` (a Certificate in ${elsewhere.join(', ')} does: Secrets do not cross namespaces)` : ''}; the pod would never start` });
        }
      }
    }
    for (const gw of tree.objects.filter((o) => kindOf(o) === 'Gateway' && isClusterFolder(o.folder))) {
      for (const ref of gatewayCertificateRefs(gw)) {
        if (!issuingCertificate(tree, gw.folder, ref.namespace, ref.name)) {
          out.push({ object: gw, path: ref.path, message: `listener ${String(ref.listener.name)} serves Secret ${ref.namespace}/${ref.name}, which no Certificate in ${gw.folder} issues; the listener would have no certificate` });
        } else if (ref.namespace !== namespaceOf(gw) && !referenceGranted(tree, gw.folder, ref.namespace, namespaceOf(gw) ?? '', 'Gateway', 'Secret', ref.name)) {
          out.push({ object: gw, path: ref.path, message: `listener ${String(ref.listener.name)} uses Secret ${ref.namespace}/${ref.name} from another namespace without a ReferenceGrant in ${ref.namespace}` });
        }
      }
    }
    return out;
  },
};

export const certificateIssuerExists: Rule = {
  id: 'MER024',
  name: 'certificate-issuer-exists',
  description: 'the issuer every Certificate names (ClusterIssuer, or Issuer in its namespace) exists in the same cluster',
  fix: 'name an issuer the cluster defines: the ClusterIssuer of the pki component, or the Issuer of the certificate\'s own namespace (src/topology/pki.ts decides which)',
  check(tree) {
    const out: Finding[] = [];
    for (const c of tree.objects.filter((o) => kindOf(o) === 'Certificate' && isClusterFolder(o.folder))) {
      const ref = c.manifest.spec?.issuerRef;
      if (!isRecord(ref)) continue;
      if ((ref.group ?? 'cert-manager.io') !== 'cert-manager.io') continue; // external issuers cannot be checked here
      const kind = ref.kind ?? 'Issuer';
      const found = kind === 'ClusterIssuer' ? inFolder(tree, c.folder, 'ClusterIssuer').some((i) => nameOf(i) === ref.name) : inFolder(tree, c.folder, 'Issuer', namespaceOf(c)).some((i) => nameOf(i) === ref.name);
      if (!found) {
        out.push({ object: c, path: ['spec', 'issuerRef'], message: `Certificate ${namespaceOf(c) ?? ''}/${nameOf(c)} is issued by ${kind} ${kind === 'Issuer' ? `${namespaceOf(c) ?? ''}/` : ''}${String(ref.name)}, which ${c.folder} does not define; the certificate would stay pending` });
      }
    }
    return out;
  },
};

export const RELOADER = {
  reload: 'secret.reloader.stakater.com/reload',
  auto: 'reloader.stakater.com/auto',
  secretAuto: 'secret.reloader.stakater.com/auto',
} as const;

export const certificateRotationReloads: Rule = {
  id: 'MER025',
  name: 'certificate-rotation-reloads',
  description: `workloads that mount a certificate Secret carry the Reloader annotation for it (${RELOADER.reload}), so a renewed certificate rolls the pods`,
  fix: `annotate the Deployment/StatefulSet with ${RELOADER.reload}: "<secret>[,<secret>...]" listing every certificate Secret it mounts`,
  check(tree) {
    const out: Finding[] = [];
    for (const pod of podTemplates(tree)) {
      const o = pod.object;
      if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(kindOf(o)) || !isClusterFolder(o.folder)) continue;
      const certs = mountedSecrets(pod).map((s) => s.name).filter((name) => issuingCertificate(tree, o.folder, namespaceOf(o), name));
      if (certs.length === 0) continue;
      const a = annotationsOf(o);
      if (a[RELOADER.auto] === 'true' || a[RELOADER.secretAuto] === 'true') continue;
      const listed = new Set((a[RELOADER.reload] ?? '').split(',').map((x) => x.trim()).filter((x) => x !== ''));
      const missing = [...new Set(certs)].filter((c) => !listed.has(c)).sort();
      if (missing.length > 0) {
        out.push({ object: o, path: ['metadata', 'annotations'], message: `${describeObject(o.manifest)} mounts certificate Secret(s) ${missing.join(', ')} without listing them in ${RELOADER.reload}; renewed certificates would not reach the running pods until they expire` });
      }
    }
    return out;
  },
};
