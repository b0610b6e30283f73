// What a change will do to the fleet, read from the objects that change (dist/ output only): the pods that
// restart, stores whose members restart in several clusters at once, store membership, certificate identity,
// GSLB targets, objects Argo CD will prune, and NetworkPolicy openings. `meridian diff` puts these first
// (Risk section, `risk:` lines, `risks` in JSON) and `--fail-on <class>` gates CI on them.
import { isRecord } from '../validate/tree';
import type { FieldChange } from './semantic';

/** The classes of risk, most severe first (the order of the Risk section). */
export const RISK_CLASSES = ['quorum', 'prune', 'membership', 'identity', 'gslb', 'network', 'restart'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

/** What each class means (`meridian diff --help`, README). */
export const RISK_CLASS_DESCRIPTIONS: Readonly<Record<RiskClass, string>> = {
  quorum: 'members of one store (a StatefulSet in several clusters) restart in more than one cluster in the same change',
  prune: 'objects Argo CD will delete (prune); stateful ones first: StatefulSets, PersistentVolumeClaims, Namespaces, vault-config-operator mounts',
  membership: 'a store gains or loses peers: join/retry_join entries, member StatefulSets, replica counts',
  identity: 'a certificate changes its identity (commonName, DNS/IP/URI SANs): cert-manager issues a new one',
  gslb: 'the clusters a global DNS record sends clients to change',
  network: 'a NetworkPolicy admits more: a new policy with rules, a new rule, peer or port, a removed policy',
  restart: 'pods that will restart: pod template changes, and ConfigMap or Secret changes that Reloader turns into rolling restarts',
};

export interface Risk {
  readonly class: RiskClass;
  /** `StatefulSet vault/vault`, `store cockroachdb/cockroachdb`, `Certificate vault/vault`. */
  readonly subject: string;
  /** The cluster folders concerned, in order. */
  readonly clusters: readonly string[];
  /** What happens, in one sentence without the subject. */
  readonly detail: string;
  /** Quorum risks and stateful prunes: the ones a reviewer must not miss. */
  readonly severe?: true;
  /** restart: pods that restart per cluster ('all' where the replica count is left to an autoscaler). */
  readonly pods?: Readonly<Record<string, number | 'all'>>;
}

/** One object on each side, as the diff matched it. */
export interface ChangedObject {
  readonly folder: string;
  readonly environment?: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Base manifest (absent when added). */
  readonly before?: Record<string, any>;
  /** Head manifest (absent when removed). */
  readonly after?: Record<string, any>;
  readonly fields: readonly FieldChange[];
}

/** A workload of the head tree with what Reloader watches for it. */
interface Workload {
  readonly folder: string;
  readonly manifest: Record<string, any>;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
/**
 * vault-config-operator kinds whose deletion unmounts an engine in Vault and destroys its data (REFERENCE §9.4:
 * redhat-cop/vault-config-operator internal/controller/vaultresourcecontroller/reconcile_skeleton.go).
 */
const VAULT_MOUNTS = new Set(['AuthEngineMount', 'SecretEngineMount']);

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const nsName = (m: Record<string, any>): string => `${typeof m.metadata?.namespace === 'string' ? `${m.metadata.namespace}/` : ''}${String(m.metadata?.name)}`;
const subjectOf = (m: Record<string, any>): string => `${String(m.kind)} ${nsName(m)}`;

/**
 * The risks of a change. `objects` are the objects that differ; `headWorkloads` are the Deployments,
 * StatefulSets and DaemonSets of the head tree (changed or not) in the folders where a ConfigMap or Secret
 * changed, for Reloader's annotations.
 */
/**
 * `rolling`: the environments whose ApplicationSet (after the change) rolls out with RollingSync, one
 * step after the other (argo-cd docs operator-manual/applicationset/Progressive-Syncs.md: a step starts
 * once every Application of the previous one is Healthy); their store restarts do not overlap.
 */
export function assessRisks(objects: readonly ChangedObject[], headWorkloads: readonly { folder: string; manifest: Record<string, any> }[], rolling: ReadonlySet<string> = new Set()): Risk[] {
  const risks: Risk[] = [];
  const restarts = restartsOf(objects, headWorkloads);
  risks.push(...quorumRisks(restarts, objects, rolling));
  risks.push(...pruneRisks(objects));
  risks.push(...membershipRisks(objects));
  risks.push(...grouped(objects.filter((o) => o.change === 'changed' && o.after?.kind === 'Certificate'), identityDetail, 'identity'));
  risks.push(...grouped(objects.filter((o) => isGslb(o)), gslbDetail, 'gslb'));
  risks.push(...grouped(objects.filter((o) => (o.after ?? o.before)?.kind === 'NetworkPolicy'), networkDetail, 'network'));
  for (const r of restarts) {
    risks.push({ class: 'restart', subject: r.subject, clusters: r.clusters, detail: `pods restart (${r.reasons.join('; ')})`, pods: r.pods });
  }
  return risks;
}

interface Restart {
  readonly subject: string;
  readonly kind: string;
  readonly clusters: string[];
  readonly pods: Record<string, number | 'all'>;
  readonly reasons: string[];
  readonly environment?: string;
}

/** Workloads whose pods restart, one entry per workload (kind/namespace/name) and environment, clusters in order. */
function restartsOf(objects: readonly ChangedObject[], headWorkloads: readonly Workload[]): Restart[] {
  const byKey = new Map<string, Restart>();
  const add = (w: Workload, environment: string | undefined, reason: string): void => {
    const key = `${environment ?? ''}|${subjectOf(w.manifest)}`;
    const r = byKey.get(key) ?? { subject: subjectOf(w.manifest), kind: String(w.manifest.kind), clusters: [], pods: {}, reasons: [], ...(environment !== undefined ? { environment } : {}) };
    byKey.set(key, r);
    if (!r.clusters.includes(w.folder)) r.clusters.push(w.folder);
    const replicas = w.manifest.spec?.replicas;
    // no spec.replicas: an autoscaler (HPA) or a DaemonSet decides how many; all of them restart
    r.pods[w.folder] = typeof replicas === 'number' ? replicas : 'all';
    if (!r.reasons.includes(reason)) r.reasons.push(reason);
  };
  for (const o of objects) {
    if (o.change !== 'changed' || !o.after || !WORKLOADS.has(String(o.after.kind))) continue;
    const template = o.fields.filter((f) => f.path.startsWith('spec.template'));
    if (template.length > 0) add({ folder: o.folder, manifest: o.after }, o.environment, `pod template: ${[...new Set(template.map((f) => f.path.replace(/^spec\.template\./, '').split(' →')[0]!))].slice(0, 3).join(', ')}${template.length > 3 ? ', ...' : ''}`);
  }
  // Reloader (stakater/Reloader README, https://pkg.go.dev/github.com/stakater/Reloader): a workload annotated
  // `configmap.reloader.stakater.com/reload: a,b` / `secret.reloader.stakater.com/reload: a,b` rolls when one of
  // those changes; `reloader.stakater.com/auto: "true"` rolls on any ConfigMap or Secret its pods reference.
  // A Certificate whose identity changes is issued again: cert-manager writes the new key pair into its
  // spec.secretName, which is a Secret change as far as Reloader is concerned.
  const sources = objects.flatMap((o): { o: ChangedObject; kind: string; name: string; why: string }[] => {
    const kind = String((o.after ?? o.before)?.kind);
    if (o.change !== 'changed' || !o.after) return [];
    if ((kind === 'ConfigMap' || kind === 'Secret') && o.fields.some((f) => /^(data|stringData|binaryData)\b/.test(f.path))) return [{ o, kind, name: String(o.after.metadata?.name), why: `${kind} ${String(o.after.metadata?.name)} changed` }];
    if (kind === 'Certificate' && identityDetail(o) !== undefined && typeof o.after.spec?.secretName === 'string') return [{ o, kind: 'Secret', name: o.after.spec.secretName, why: `Certificate ${String(o.after.metadata?.name)} reissued into Secret ${o.after.spec.secretName}` }];
    return [];
  });
  for (const { o, kind, name, why } of sources) {
    const ns = o.after!.metadata?.namespace;
    for (const w of headWorkloads) {
      if (w.folder !== o.folder || w.manifest.metadata?.namespace !== ns) continue;
      if (reloadsOn(w.manifest, kind, name)) add(w, o.environment ?? w.manifest.metadata?.labels?.['meridian.dev/environment'], `${why}, Reloader restarts it`);
    }
  }
  const kindRank = (k: string): number => (k === 'StatefulSet' ? 0 : k === 'DaemonSet' ? 1 : 2);
  return [...byKey.values()].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || cmp(a.subject, b.subject) || cmp(a.environment ?? '', b.environment ?? ''));
}

function reloadsOn(w: Record<string, any>, kind: string, name: string): boolean {
  const a = isRecord(w.metadata?.annotations) ? (w.metadata.annotations as Record<string, unknown>) : {};
  const list = a[kind === 'ConfigMap' ? 'configmap.reloader.stakater.com/reload' : 'secret.reloader.stakater.com/reload'];
  if (typeof list === 'string' && list.split(',').map((s) => s.trim()).includes(name)) return true;
  if (a['reloader.stakater.com/auto'] !== 'true') return false;
  return referencedNames(w.spec?.template?.spec, kind).has(name);
}

/** Names of the ConfigMaps or Secrets a pod spec references (volumes, projected sources, env, envFrom). */
function referencedNames(spec: unknown, kind: string): Set<string> {
  const out = new Set<string>();
  const key = kind === 'ConfigMap' ? 'configMap' : 'secret';
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === key && isRecord(x)) out.add(String(kind === 'Secret' ? (x.secretName ?? x.name) : x.name));
        if ((k === `${key}KeyRef` || k === `${key}Ref`) && isRecord(x)) out.add(String(x.name));
        walk(x);
      }
    }
  };
  walk(spec);
  return out;
}

function quorumRisks(restarts: readonly Restart[], objects: readonly ChangedObject[], rolling: ReadonlySet<string>): Risk[] {
  // A store is a StatefulSet that has members (the same namespace/name) in several clusters of one environment.
  const members = new Map<string, Set<string>>();
  for (const o of objects) {
    const m = o.after ?? o.before;
    if (m?.kind === 'StatefulSet') members.set(`${o.environment ?? ''}|${subjectOf(m)}`, new Set([...(members.get(`${o.environment ?? ''}|${subjectOf(m)}`) ?? []), o.folder]));
  }
  return restarts
    .filter((r) => r.kind === 'StatefulSet' && r.clusters.length > 1)
    .map((r) => {
      const pods = `${r.clusters.length} clusters in the same change (${r.clusters.map((c) => `${c}: ${String(r.pods[c])} pods`).join(', ')})`;
      const stepwise = r.environment !== undefined && rolling.has(r.environment);
      const risk: Risk = {
        class: 'quorum' as const,
        subject: r.subject.replace(/^StatefulSet /, 'store '),
        clusters: r.clusters,
        detail: stepwise
          ? `members restart in ${pods}: the ApplicationSet's RollingSync syncs one step after the other, each once the previous step is Healthy (MER141: no step holds a majority of the voters), so the restarts do not overlap; check the store between steps (day-2 runbooks)`
          : `members restart in ${pods}: Argo CD syncs every cluster at once, so the rolling restarts overlap; hold the pods and roll one cluster at a time (partition steps of the day-2 runbooks)`,
        ...(stepwise ? {} : { severe: true as const }),
      };
      return risk;
    });
}

function pruneRisks(objects: readonly ChangedObject[]): Risk[] {
  const removed = objects.filter((o) => o.change === 'removed' && o.before);
  const stateful = (m: Record<string, any>): string | undefined => {
    if (m.kind === 'StatefulSet') return Array.isArray(m.spec?.volumeClaimTemplates) && m.spec.volumeClaimTemplates.length > 0 ? 'stateful: its pods stop; the PersistentVolumeClaims stay, unowned' : 'stateful: its pods stop';
    if (m.kind === 'PersistentVolumeClaim') return 'stateful: the volume is deleted with its data when the reclaim policy is Delete';
    if (m.kind === 'Namespace') return 'stateful: every object in the namespace is deleted with it, volumes included';
    if (VAULT_MOUNTS.has(String(m.kind)) && String(m.apiVersion).startsWith('redhatcop.redhat.io/')) return 'stateful: vault-config-operator unmounts the engine in Vault and its data is destroyed';
    const volumes = m.spec?.template?.spec?.volumes;
    if (Array.isArray(volumes) && volumes.some((v) => isRecord(v) && isRecord(v.persistentVolumeClaim))) return 'stateful: its pods mount PersistentVolumeClaims';
    return undefined;
  };
  const groups = new Map<string, { subject: string; clusters: string[]; why?: string }>();
  for (const o of removed) {
    const key = `${o.environment ?? ''}|${String(o.before!.apiVersion)}|${subjectOf(o.before!)}`;
    const g = groups.get(key) ?? { subject: subjectOf(o.before!), clusters: [], ...(stateful(o.before!) ? { why: stateful(o.before!)! } : {}) };
    groups.set(key, g);
    g.clusters.push(o.folder);
  }
  return [...groups.values()]
    .sort((a, b) => Number(a.why === undefined) - Number(b.why === undefined) || cmp(a.subject, b.subject))
    .map((g) => ({ class: 'prune' as const, subject: g.subject, clusters: g.clusters, detail: `Argo CD prunes it${g.why ? ` (${g.why})` : ''}`, ...(g.why ? { severe: true as const } : {}) }));
}

/** `host:port` of a `--join` item, or the host of a retry_join `leader_api_addr`. */
function peerOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.leader_api_addr === 'string') return value.leader_api_addr.replace(/^https?:\/\//, '');
  return undefined;
}

function membershipRisks(objects: readonly ChangedObject[]): Risk[] {
  // per namespace (a store's namespace holds its StatefulSet and its configuration) and environment
  const stores = new Map<string, { subject: string; added: Set<string>; removed: Set<string>; listedIn: Set<string>; members: string[]; gone: string[]; replicas: string[] }>();
  const storeOf = (o: ChangedObject): ReturnType<typeof stores.get> & object => {
    const m = (o.after ?? o.before)!;
    const ns = String(m.metadata?.namespace ?? '');
    const key = `${o.environment ?? ''}|${ns}`;
    const s = stores.get(key) ?? { subject: `store in namespace ${ns}`, added: new Set(), removed: new Set(), listedIn: new Set(), members: [], gone: [], replicas: [] };
    stores.set(key, s);
    if (m.kind === 'StatefulSet') s.subject = `store ${nsName(m)}`;
    return s;
  };
  for (const o of objects) {
    const m = (o.after ?? o.before)!;
    if (m.kind === 'StatefulSet') {
      if (o.change === 'added') storeOf(o).members.push(`${o.folder} (${String(m.spec?.replicas ?? 1)} pods)`);
      else if (o.change === 'removed') storeOf(o).gone.push(`${o.folder} (${String(m.spec?.replicas ?? 1)} pods)`);
    }
    for (const f of o.fields) {
      const join = /\[--join\]\[\]$/.test(f.path);
      const retry = /retry_join\[leader_api_addr=[^\]]*\]$/.test(f.path);
      if (m.kind === 'StatefulSet' && f.path === 'spec.replicas') storeOf(o).replicas.push(`${o.folder} ${String(f.old)} → ${String(f.new)}`);
      if (!join && !retry) continue;
      if (f.change !== 'added' && f.change !== 'removed') continue;
      const s = storeOf(o);
      const peer = peerOf(f.change === 'added' ? f.new : f.old);
      if (peer === undefined) continue;
      (f.change === 'added' ? s.added : s.removed).add(peer);
      s.listedIn.add(o.folder);
    }
  }
  const out: Risk[] = [];
  for (const s of [...stores.values()].sort((a, b) => cmp(a.subject, b.subject))) {
    const parts: string[] = [];
    if (s.added.size > 0) parts.push(`peers added: ${[...s.added].sort(cmp).join(', ')}`);
    if (s.removed.size > 0) parts.push(`peers removed: ${[...s.removed].sort(cmp).join(', ')}`);
    if (s.listedIn.size > 0) parts.push(`peer lists change in ${[...s.listedIn].join(', ')}`);
    if (s.members.length > 0) parts.push(`new members in ${s.members.join(', ')}`);
    if (s.gone.length > 0) parts.push(`members removed in ${s.gone.join(', ')}`);
    if (s.replicas.length > 0) parts.push(`replicas ${s.replicas.join(', ')}`);
    if (parts.length === 0) continue;
    const clusters = [...new Set([...s.listedIn, ...[...s.members, ...s.gone].map((x) => x.split(' ')[0]!)])];
    out.push({ class: 'membership', subject: s.subject, clusters, detail: `${parts.join('; ')}; the live membership changes only by the runbook steps` });
  }
  return out;
}

/** Objects of one subject across clusters, with one detail text each (undefined: no risk of that class). */
function grouped(objects: readonly ChangedObject[], detail: (o: ChangedObject) => string | undefined, klass: RiskClass): Risk[] {
  const groups = new Map<string, { subject: string; clusters: string[]; detail: string }>();
  for (const o of objects) {
    const d = detail(o);
    if (d === undefined) continue;
    const m = (o.after ?? o.before)!;
    const key = `${o.environment ?? ''}|${subjectOf(m)}|${d}`;
    const g = groups.get(key) ?? { subject: subjectOf(m), clusters: [], detail: d };
    groups.set(key, g);
    g.clusters.push(o.folder);
  }
  return [...groups.values()].sort((a, b) => cmp(a.subject, b.subject) || cmp(a.clusters[0] ?? '', b.clusters[0] ?? '')).map((g) => ({ class: klass, ...g }));
}

const shown = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function identityDetail(o: ChangedObject): string | undefined {
  const sans = o.fields.filter((f) => /^spec\.(dnsNames|ipAddresses|uris|emailAddresses|commonName)\b/.test(f.path));
  if (sans.length === 0) return undefined;
  const added = sans.filter((f) => f.change === 'added').map((f) => shown(f.new));
  const removed = sans.filter((f) => f.change === 'removed').map((f) => shown(f.old));
  const changed = sans.filter((f) => f.change === 'changed').map((f) => `${f.path} ${shown(f.old)} → ${shown(f.new)}`);
  const parts = [added.length > 0 ? `SANs added: ${added.join(', ')}` : '', removed.length > 0 ? `SANs removed: ${removed.join(', ')}` : '', ...changed].filter((p) => p !== '');
  return `${parts.join('; ')}: cert-manager issues a new certificate, and the pods that load it restart or reload`;
}

function isGslb(o: ChangedObject): boolean {
  const m = (o.after ?? o.before)!;
  return (m.kind === 'GlobalDNSRecord' && String(m.apiVersion).startsWith('redhatcop.redhat.io/')) || (m.kind === 'Gslb' && String(m.apiVersion).startsWith('k8gb.absa.oss/'));
}

function gslbDetail(o: ChangedObject): string | undefined {
  const m = (o.after ?? o.before)!;
  const targets = (x: Record<string, any> | undefined): string[] => (Array.isArray(x?.spec?.endpoints) ? x!.spec.endpoints.map((e: any) => String(e?.clusterName)) : []);
  if (m.kind === 'GlobalDNSRecord') {
    const a = targets(o.before);
    const b = targets(o.after);
    if (o.change === 'changed' && a.join() === b.join()) return undefined;
    return `targets ${a.length > 0 ? a.join(', ') : '(none)'} → ${b.length > 0 ? b.join(', ') : '(none)'}`;
  }
  if (o.change !== 'changed') return o.change === 'added' ? 'new global record' : 'global record removed';
  return o.fields.length > 0 ? `spec changes: ${o.fields.map((f) => f.path).join(', ')}` : undefined;
}

function networkDetail(o: ChangedObject): string | undefined {
  if (o.change === 'removed') return 'policy removed: what it denied is admitted unless another policy still selects the pods';
  if (o.change === 'added') {
    const rules = [...(o.after?.spec?.ingress ?? []), ...(o.after?.spec?.egress ?? [])];
    return rules.length > 0 ? `new policy admits ${rules.length} rule(s)` : undefined;
  }
  // An ipBlock's `except` lists what the block does NOT admit: an entry added there narrows the
  // policy, an entry removed from it opens it.
  const opening = o.fields.filter((f) => /^spec\.(ingress|egress)\b/.test(f.path) && (/\.except\b/.test(f.path) ? f.change === 'removed' : f.change !== 'removed'));
  if (opening.length === 0) return undefined;
  return `admits more: ${opening.map((f) => `${f.path} ${f.change === 'added' ? `+ ${shown(f.new)}` : `${shown(f.old)} → ${shown(f.new)}`}`).join('; ')}`;
}

/** `store vault/vault in cluster1, cluster2: detail`; restarts name the pods per cluster. */
export function riskText(r: Risk): string {
  return `${r.subject} in ${riskWhere(r)}: ${r.detail}`;
}

/** The clusters of a risk, with the pods that restart in each for restarts. */
export function riskWhere(r: Risk): string {
  return r.pods ? r.clusters.map((c) => `${c} (${String(r.pods![c])} pods)`).join(', ') : r.clusters.join(', ');
}

/** The classes of `risks` that are among `classes`. */
export function riskClassesPresent(risks: readonly Risk[], classes: readonly RiskClass[]): RiskClass[] {
  return classes.filter((c) => risks.some((r) => r.class === c));
}
