// Policies every cluster folder must meet: no secret material, Pod Security "restricted", and
// NetworkPolicies that isolate the stateful namespaces while admitting the store's own ports.
import { containersOf, inFolder, isEmptySelector, jsonDocumentsOf, kindOf, labelsOf, nameOf, namespaceOf, podTemplateOf, podTemplates, selects, walkStrings } from '../manifest';
import type { Finding, Rule } from '../rule';
import { INLINE_SECRET_FIELDS, isSecretName, secretKind } from '../secrets';
import { findStores } from '../stores';
import { isClusterFolder, isRecord, type DistObject, type Segment } from '../tree';

export const noSecretMaterial: Rule = {
  id: 'MER030',
  name: 'no-secret-material',
  description: 'no Secret objects and no secret values in any object: private keys (PEM or base64), AWS keys, Vault/GitHub/GitLab/Slack tokens, JWTs, credentials in URLs, inline-secret fields, literal values of secret-named environment variables or ConfigMap keys',
  fix: 'provision the Secret out-of-band (subctl, ExternalSecret, SealedSecret, kubectl) and reference it by name (secretKeyRef, *SecretRef, brokerK8sSecret, ceIPSecPSKSecret)',
  check(tree) {
    const out: Finding[] = [];
    for (const o of tree.objects) {
      if (kindOf(o) === 'Secret') {
        out.push({ object: o, path: ['kind'], message: `Secret ${namespaceOf(o) ?? ''}/${nameOf(o)} is committed to git; meridian only references Secrets provisioned out-of-band` });
        continue;
      }
      out.push(...secretsIn(o, o.manifest, [], undefined));
      if (kindOf(o) === 'ConfigMap') {
        for (const key of Object.keys(isRecord(o.manifest.data) ? o.manifest.data : {})) {
          if (isSecretName(key)) out.push({ object: o, path: ['data', key], message: `ConfigMap key ${key} names a secret; ConfigMaps are committed to git: use a Secret provisioned out-of-band` });
        }
        for (const { key, doc } of jsonDocumentsOf(o)) out.push(...secretsIn(o, doc, ['data', key], []));
      }
      for (const pod of [podTemplateOf(o)].filter((p) => p !== undefined)) {
        for (const c of containersOf(pod)) {
          const env = Array.isArray(c.container.env) ? c.container.env : [];
          env.forEach((e: unknown, i: number) => {
            if (!isRecord(e) || typeof e.value !== 'string' || e.value === '' || !isSecretName(String(e.name))) return;
            if (/^(\/|\$\()/.test(e.value)) return; // a file path or a reference to another variable, not a value
            out.push({ object: o, path: [...c.at, 'env', i, 'value'], message: `environment variable ${String(e.name)} has a literal value; take it from a Secret (valueFrom.secretKeyRef)` });
          });
        }
      }
    }
    return out;
  },
};

function secretsIn(object: DistObject, value: unknown, base: Segment[], inner: Segment[] | undefined): Finding[] {
  const out: Finding[] = [];
  walkStrings(value, [], (s, at) => {
    const where = (): Pick<Finding, 'path' | 'inner'> => (inner === undefined ? { path: [...base, ...at] } : { path: base, inner: [...at] });
    const kind = secretKind(s);
    if (kind !== undefined) {
      out.push({ object, ...where(), message: `holds ${kind}; reference a Secret instead` });
      return;
    }
    if (s === '') return;
    let last: string | undefined;
    for (let i = at.length - 1; i >= 0 && last === undefined; i--) if (typeof at[i] === 'string') last = at[i] as string;
    if (last !== undefined && INLINE_SECRET_FIELDS.has(last)) out.push({ object, ...where(), message: `${last} is set inline; use the field that references a Secret instead` });
  });
  return out;
}

/** Volume types the restricted profile allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const POD_SECURITY_ENFORCE = 'pod-security.kubernetes.io/enforce';

export const podSecurityRestricted: Rule = {
  id: 'MER040',
  name: 'pod-security-restricted',
  description: 'every namespace meridian creates enforces Pod Security "restricted", and every pod template meets it (non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no host namespaces, ports or paths)',
  fix: 'set the pod securityContext (runAsNonRoot: true, seccompProfile: RuntimeDefault) and on every container allowPrivilegeEscalation: false and capabilities.drop: [ALL]',
  check(tree) {
    const out: Finding[] = [];
    for (const ns of tree.objects.filter((o) => kindOf(o) === 'Namespace' && isClusterFolder(o.folder))) {
      const level = labelsOf(ns)[POD_SECURITY_ENFORCE];
      if (level !== 'restricted') out.push({ object: ns, path: ['metadata', 'labels'], message: `namespace ${nameOf(ns)} enforces Pod Security "${level ?? 'none'}"; set ${POD_SECURITY_ENFORCE}: restricted` });
    }
    for (const pod of podTemplates(tree)) {
      const o = pod.object;
      if (!isClusterFolder(o.folder)) continue;
      const spec = pod.spec;
      const problems: { path: Segment[]; message: string }[] = [];
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
        if (spec[field] === true) problems.push({ path: [...pod.at, field], message: `${field} is not allowed` });
      }
      (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: unknown, i: number) => {
        if (!isRecord(v)) return;
        const type = Object.keys(v).find((k) => k !== 'name');
        if (type !== undefined && !RESTRICTED_VOLUMES.has(type)) problems.push({ path: [...pod.at, 'volumes', i, type], message: `volume type ${type} is not allowed` });
      });
      const podCtx = isRecord(spec.securityContext) ? spec.securityContext : {};
      if (podCtx.runAsUser === 0) problems.push({ path: [...pod.at, 'securityContext', 'runAsUser'], message: 'runAsUser 0 (root) is not allowed' });
      for (const c of containersOf(pod)) {
        const ctx = isRecord(c.container.securityContext) ? c.container.securityContext : {};
        const at = [...c.at, 'securityContext'];
        const name = `container ${String(c.container.name)}`;
        if (ctx.privileged === true) problems.push({ path: [...at, 'privileged'], message: `${name} is privileged` });
        if (ctx.allowPrivilegeEscalation !== false) problems.push({ path: [...at, 'allowPrivilegeEscalation'], message: `${name} must set allowPrivilegeEscalation: false` });
        const caps = isRecord(ctx.capabilities) ? ctx.capabilities : {};
        if (!(Array.isArray(caps.drop) && caps.drop.includes('ALL'))) problems.push({ path: [...at, 'capabilities', 'drop'], message: `${name} must drop ALL capabilities` });
        const added = (Array.isArray(caps.add) ? caps.add : []).filter((x: unknown) => x !== 'NET_BIND_SERVICE');
        if (added.length > 0) problems.push({ path: [...at, 'capabilities', 'add'], message: `${name} adds ${added.join(', ')}; only NET_BIND_SERVICE is allowed` });
        const nonRoot = ctx.runAsNonRoot ?? podCtx.runAsNonRoot;
        if (nonRoot !== true) problems.push({ path: ctx.runAsNonRoot === false ? [...at, 'runAsNonRoot'] : [...pod.at, 'securityContext', 'runAsNonRoot'], message: `${name} must run as non-root (runAsNonRoot: true)` });
        if (ctx.runAsUser === 0) problems.push({ path: [...at, 'runAsUser'], message: `${name} runs as user 0 (root)` });
        const seccomp = (isRecord(ctx.seccompProfile) ? ctx.seccompProfile.type : undefined) ?? (isRecord(podCtx.seccompProfile) ? podCtx.seccompProfile.type : undefined);
        if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push({ path: [...pod.at, 'securityContext', 'seccompProfile'], message: `${name} needs seccompProfile RuntimeDefault (or Localhost)` });
        (Array.isArray(c.container.ports) ? c.container.ports : []).forEach((p: unknown, i: number) => {
          if (isRecord(p) && typeof p.hostPort === 'number' && p.hostPort !== 0) problems.push({ path: [...c.at, 'ports', i, 'hostPort'], message: `${name} binds host port ${p.hostPort}` });
        });
      }
      for (const p of problems) out.push({ object: o, path: p.path, message: `${kindOf(o)} ${namespaceOf(o) ?? ''}/${nameOf(o)} violates Pod Security "restricted": ${p.message}; the namespace would reject its pods` });
    }
    return out;
  },
};

export const statefulNamespaceNetworkPolicy: Rule = {
  id: 'MER050',
  name: 'stateful-namespace-networkpolicy',
  description: 'every namespace that runs a StatefulSet has a default-deny ingress NetworkPolicy, and explicit policies admit each of the StatefulSet\'s container ports (peers and clients)',
  fix: 'emit a NetworkPolicy with an empty podSelector and policyTypes [Ingress] (no rules) plus one selecting the store pods that allows its peer and client ports',
  check(tree) {
    const out: Finding[] = [];
    const stores = new Set(findStores(tree).flatMap((s) => s.members.map((m) => m.statefulSet)));
    for (const sts of tree.objects.filter((o) => kindOf(o) === 'StatefulSet' && isClusterFolder(o.folder))) {
      const ns = namespaceOf(sts);
      const pod = podTemplates(tree).find((p) => p.object === sts);
      if (ns === undefined || !pod) continue;
      const policies = inFolder(tree, sts.folder, 'NetworkPolicy', ns);
      const denyAll = policies.some((p) => {
        const spec = p.manifest.spec;
        return isRecord(spec) && isEmptySelector(spec.podSelector) && Array.isArray(spec.policyTypes) && spec.policyTypes.includes('Ingress') && (!Array.isArray(spec.ingress) || spec.ingress.length === 0);
      });
      if (!denyAll) out.push({ object: sts, path: ['metadata', 'namespace'], message: `namespace ${ns} runs StatefulSet ${nameOf(sts)} in ${sts.folder} without a default-deny ingress NetworkPolicy (podSelector: {}, policyTypes: [Ingress], no rules)` });
      const ports = containersOf(pod, ['containers']).flatMap((c) => (Array.isArray(c.container.ports) ? c.container.ports : []).filter(isRecord).map((p: Record<string, any>) => ({ port: p.containerPort as number, name: p.name as string | undefined })));
      const selecting = policies.filter((p) => isRecord(p.manifest.spec) && !isEmptySelector(p.manifest.spec.podSelector) && selects(p.manifest.spec.podSelector, pod.labels));
      const closed = ports.filter((port) => !selecting.some((p) => allowsPort(p, port)));
      if (closed.length > 0 && (stores.has(sts) || denyAll)) {
        out.push({ object: sts, path: [...pod.at, 'containers'], message: `no NetworkPolicy in ${sts.folder} admits ${closed.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(', ')} of StatefulSet ${ns}/${nameOf(sts)}; with default deny its peers and clients cannot connect` });
      }
    }
    return out;
  },
};

function allowsPort(policy: DistObject, port: { port: number; name: string | undefined }): boolean {
  const rules = Array.isArray(policy.manifest.spec?.ingress) ? policy.manifest.spec.ingress : [];
  return rules.some((r: unknown) => {
    if (!isRecord(r)) return false;
    if (!Array.isArray(r.ports) || r.ports.length === 0) return true;
    return r.ports.some((p: unknown) => isRecord(p) && (p.port === undefined || p.port === port.port || (port.name !== undefined && p.port === port.name)));
  });
}
