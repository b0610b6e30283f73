// TLS on every listener: Gateway listeners terminate HTTPS with a certificate that covers their
// hostname, Vault listens with TLS, CockroachDB never runs insecure, and meshed workloads only
// accept mutual TLS.
import { containersOf, dnsNameCovers, flagValues, hasFlag, inFolder, isEmptySelector, kindOf, labelsOf, namespaceOf, podTemplates, vaultBlocks } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores } from '../stores';
import { isClusterFolder, isRecord } from '../tree';
import { gatewayCertificateRefs } from './certificates';
import { dnsNamesOf } from './stores';

/** Where the mesh's root namespace holds mesh-wide policy (Istio default). */
const MESH_ROOT_NAMESPACE = 'istio-system';

export const tlsOnEveryListener: Rule = {
  id: 'MER060',
  name: 'tls-on-every-listener',
  description: 'Gateway listeners speak HTTPS/TLS with a certificate covering their hostname, Vault\'s tcp listeners have TLS on, CockroachDB runs with --certs-dir and never --insecure',
  fix: 'terminate TLS with a cert-manager Certificate for the listener hostname; configure Vault\'s listener with tls_cert_file/tls_key_file; start CockroachDB with --certs-dir',
  check(tree) {
    const out: Finding[] = [];
    for (const gw of tree.objects.filter((o) => kindOf(o) === 'Gateway' && isClusterFolder(o.folder))) {
      const listeners = Array.isArray(gw.manifest.spec?.listeners) ? gw.manifest.spec.listeners : [];
      listeners.forEach((l: unknown, i: number) => {
        if (!isRecord(l)) return;
        const at = ['spec', 'listeners', i];
        if (l.protocol !== 'HTTPS' && l.protocol !== 'TLS') {
          out.push({ object: gw, path: [...at, 'protocol'], message: `listener ${String(l.name)} speaks ${String(l.protocol)}; every listener must use HTTPS (or TLS) with a certificate` });
          return;
        }
        const mode = isRecord(l.tls) ? (l.tls.mode ?? 'Terminate') : 'Terminate';
        const refs = gatewayCertificateRefs(gw).filter((r) => r.listenerPath[2] === i);
        if (mode === 'Terminate' && refs.length === 0) out.push({ object: gw, path: [...at, 'tls'], message: `listener ${String(l.name)} terminates TLS without tls.certificateRefs` });
        if (typeof l.hostname !== 'string') return;
        for (const ref of refs) {
          const cert = inFolder(tree, gw.folder, 'Certificate', ref.namespace).find((c) => c.manifest.spec?.secretName === ref.name);
          if (cert && !dnsNamesOf(cert).some((d) => dnsNameCovers(d, l.hostname))) {
            out.push({ object: cert, path: ['spec', 'dnsNames'], message: `Certificate ${ref.namespace}/${String(cert.manifest.metadata?.name)} is served by listener ${String(l.name)} for ${l.hostname} but its dnsNames (${dnsNamesOf(cert).join(', ')}) do not cover it; clients would reject the certificate` });
          }
        }
      });
    }
    for (const store of findStores(tree)) {
      for (const m of store.members) {
        if (m.kind === 'vault') {
          for (const config of m.vaultConfigs) {
            const listeners = vaultBlocks(config.doc, 'listener', 'tcp');
            for (const l of listeners) {
              const disabled = l.body.tls_disable;
              if (disabled === true || disabled === 'true' || disabled === 1 || disabled === '1') {
                out.push({ object: config.object, path: config.path, inner: [...l.path, 'tls_disable'], message: `Vault in ${m.folder} disables TLS on a tcp listener; serve TLS with the certificate from cert-manager` });
              } else if (typeof l.body.tls_cert_file !== 'string' || typeof l.body.tls_key_file !== 'string') {
                out.push({ object: config.object, path: config.path, inner: l.path, message: `Vault's tcp listener in ${m.folder} sets no tls_cert_file/tls_key_file; Vault refuses to start a TLS listener without them` });
              }
            }
          }
        } else {
          for (const c of containersOf(m.pod, ['containers']).filter((x) => flagValues(x, 'join').length > 0)) {
            const insecure = hasFlag(c, 'insecure');
            if (insecure) out.push({ object: m.statefulSet, path: insecure.at, message: `CockroachDB in ${m.folder} runs with --insecure: no TLS and no authentication between nodes or for clients; use --certs-dir` });
            else if (!hasFlag(c, 'certs-dir')) out.push({ object: m.statefulSet, path: [...c.at, 'args'], message: `CockroachDB in ${m.folder} sets no --certs-dir; nodes need their certificates (ca.crt, node.crt, node.key)` });
          }
        }
      }
    }
    return out;
  },
};

export const meshMtlsStrict: Rule = {
  id: 'MER061',
  name: 'mesh-mtls-strict',
  description: 'workloads in namespaces that join the mesh (istio-discovery: enabled) only accept mutual TLS: a PeerAuthentication with mode STRICT covers the namespace, and none weakens it',
  fix: 'emit a PeerAuthentication with mtls.mode: STRICT (namespace-wide, no selector) in each meshed namespace, or one mesh-wide in istio-system',
  check(tree) {
    const out: Finding[] = [];
    const reported = new Set<string>();
    for (const pod of podTemplates(tree)) {
      const o = pod.object;
      const ns = namespaceOf(o);
      if (!isClusterFolder(o.folder) || ns === undefined || kindOf(o) === 'Job' || kindOf(o) === 'CronJob') continue;
      const namespace = inFolder(tree, o.folder, 'Namespace').find((n) => n.manifest.metadata?.name === ns);
      if (!namespace || labelsOf(namespace)['istio-discovery'] !== 'enabled') continue;
      const key = `${o.folder}/${ns}`;
      if (reported.has(key)) continue;
      const policies = [...inFolder(tree, o.folder, 'PeerAuthentication', ns), ...inFolder(tree, o.folder, 'PeerAuthentication', MESH_ROOT_NAMESPACE)];
      const modeOf = (p: (typeof policies)[number]): unknown => p.manifest.spec?.mtls?.mode;
      const weak = policies.find((p) => modeOf(p) !== undefined && modeOf(p) !== 'STRICT' && modeOf(p) !== 'UNSET');
      if (weak) {
        reported.add(key);
        out.push({ object: weak, path: ['spec', 'mtls', 'mode'], message: `PeerAuthentication ${namespaceOf(weak) ?? ''}/${String(weak.manifest.metadata?.name)} sets mode ${String(modeOf(weak))} for meshed workloads in ${o.folder}; plaintext would be accepted: use STRICT` });
        continue;
      }
      const strict = policies.some((p) => modeOf(p) === 'STRICT' && isEmptySelector(p.manifest.spec?.selector));
      if (!strict) {
        reported.add(key);
        out.push({ object: namespace, path: ['metadata', 'labels', 'istio-discovery'], message: `namespace ${ns} joins the mesh in ${o.folder} but no PeerAuthentication with mtls.mode STRICT covers it (in ${ns} or ${MESH_ROOT_NAMESPACE}); its workloads would also accept plaintext` });
      }
    }
    return out;
  },
};
