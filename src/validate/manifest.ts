// Read-only helpers the rules share to look into manifests: identities, pod templates, containers,
// command-line flags, label selectors, DNS names and the JSON documents some ConfigMaps carry.
import { isClusterFolder, isRecord, LABEL_ENVIRONMENT, type DistObject, type DistTree, type Segment } from './tree';

/** `Kind namespace/name` (or `Kind name` when cluster-scoped): how messages name an object. */
export function describeObject(m: Record<string, any>): string {
  const ns = m.metadata?.namespace;
  return `${String(m.kind)} ${ns ? `${String(ns)}/` : ''}${String(m.metadata?.name)}`;
}

export function nameOf(o: DistObject): string {
  return String(o.manifest.metadata?.name ?? '');
}

export function namespaceOf(o: DistObject): string | undefined {
  const ns = o.manifest.metadata?.namespace;
  return typeof ns === 'string' ? ns : undefined;
}

export function labelsOf(o: DistObject): Record<string, string> {
  const l = o.manifest.metadata?.labels;
  return isRecord(l) ? (l as Record<string, string>) : {};
}

export function annotationsOf(o: DistObject): Record<string, string> {
  const a = o.manifest.metadata?.annotations;
  return isRecord(a) ? (a as Record<string, string>) : {};
}

export function kindOf(o: DistObject): string {
  return String(o.manifest.kind ?? '');
}

/** The API group of an object (`` for core). */
export function groupOf(o: DistObject): string {
  const v = String(o.manifest.apiVersion ?? '');
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

export function ofKind(tree: DistTree, kind: string, group?: string): DistObject[] {
  return tree.objects.filter((o) => kindOf(o) === kind && (group === undefined || groupOf(o) === group));
}

/** Objects of one kind in one folder, optionally one namespace. */
/** Objects of a folder by kind, indexed once per tree: rules look objects up inside loops over objects. */
const folderIndex = new WeakMap<DistTree, Map<string, DistObject[]>>();

export function inFolder(tree: DistTree, folder: string, kind: string, namespace?: string): DistObject[] {
  let index = folderIndex.get(tree);
  if (!index) {
    index = new Map();
    for (const o of tree.objects) {
      const key = `${o.folder}\u0000${kindOf(o)}`;
      const list = index.get(key);
      if (list) list.push(o);
      else index.set(key, [o]);
    }
    folderIndex.set(tree, index);
  }
  const all = index.get(`${folder}\u0000${kind}`) ?? [];
  return namespace === undefined ? [...all] : all.filter((o) => namespaceOf(o) === namespace);
}

/** Folder -> its environment (the first labelled object's), built once per tree. */
const environmentIndex = new WeakMap<DistTree, Map<string, string>>();

/**
 * The environment a folder belongs to: the `meridian.dev/environment` label its objects carry
 * (hand-written trees without labels form one unnamed environment).
 */
export function environmentOfFolder(tree: DistTree, folder: string): string {
  let index = environmentIndex.get(tree);
  if (!index) {
    index = new Map();
    for (const o of tree.objects) {
      if (index.has(o.folder)) continue;
      const env = labelsOf(o)[LABEL_ENVIRONMENT];
      if (typeof env === 'string') index.set(o.folder, env);
    }
    environmentIndex.set(tree, index);
  }
  return index.get(folder) ?? '';
}

/** Cluster folders grouped by environment, each list sorted. */
export function clusterFoldersByEnvironment(tree: DistTree): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const folders = [...new Set(tree.objects.map((o) => o.folder).concat([...tree.kustomizations.values()].map((k) => k.folder)))].filter(isClusterFolder).sort();
  for (const f of folders) {
    const env = environmentOfFolder(tree, f);
    out.set(env, [...(out.get(env) ?? []), f]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Pods

export interface PodTemplate {
  readonly object: DistObject;
  /** The pod spec. */
  readonly spec: Record<string, any>;
  /** Path of the pod spec inside the manifest. */
  readonly at: readonly Segment[];
  /** Labels of the pods (template metadata), for selectors. */
  readonly labels: Record<string, string>;
}

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);

export function podTemplateOf(o: DistObject): PodTemplate | undefined {
  const m = o.manifest;
  const kind = kindOf(o);
  let at: Segment[] | undefined;
  if (TEMPLATE_KINDS.has(kind)) at = ['spec', 'template'];
  else if (kind === 'CronJob') at = ['spec', 'jobTemplate', 'spec', 'template'];
  else if (kind === 'Pod') return isRecord(m.spec) ? { object: o, spec: m.spec, at: ['spec'], labels: (m.metadata?.labels ?? {}) as Record<string, string> } : undefined;
  if (!at) return undefined;
  const template = dig(m, at);
  if (!isRecord(template) || !isRecord(template.spec)) return undefined;
  const labels = isRecord(template.metadata?.labels) ? (template.metadata.labels as Record<string, string>) : {};
  return { object: o, spec: template.spec, at: [...at, 'spec'], labels };
}

const podTemplateIndex = new WeakMap<DistTree, PodTemplate[]>();

/** Every pod template of the tree, computed once per tree. */
export function podTemplates(tree: DistTree): PodTemplate[] {
  let templates = podTemplateIndex.get(tree);
  if (!templates) {
    templates = tree.objects.map(podTemplateOf).filter((p): p is PodTemplate => p !== undefined);
    podTemplateIndex.set(tree, templates);
  }
  return templates;
}

export interface ContainerRef {
  readonly container: Record<string, any>;
  readonly at: readonly Segment[];
  readonly list: 'containers' | 'initContainers' | 'ephemeralContainers';
}

export function containersOf(pod: PodTemplate, lists: readonly ContainerRef['list'][] = ['initContainers', 'containers', 'ephemeralContainers']): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const list of lists) {
    const items = pod.spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c, i) => {
      if (isRecord(c)) out.push({ container: c, at: [...pod.at, list, i], list });
    });
  }
  return out;
}

/** Secret names a pod mounts as volumes (plain or projected), with where. */
export function mountedSecrets(pod: PodTemplate): { name: string; at: Segment[] }[] {
  const out: { name: string; at: Segment[] }[] = [];
  const volumes = Array.isArray(pod.spec.volumes) ? pod.spec.volumes : [];
  volumes.forEach((v: unknown, i: number) => {
    if (!isRecord(v)) return;
    if (isRecord(v.secret) && typeof v.secret.secretName === 'string') out.push({ name: v.secret.secretName, at: [...pod.at, 'volumes', i, 'secret', 'secretName'] });
    const sources = isRecord(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources : [];
    sources.forEach((s: unknown, j: number) => {
      if (isRecord(s) && isRecord(s.secret) && typeof s.secret.name === 'string') out.push({ name: s.secret.name, at: [...pod.at, 'volumes', i, 'projected', 'sources', j, 'secret', 'name'] });
    });
  });
  return out;
}

/** ConfigMap names a pod mounts as volumes (plain or projected). */
export function mountedConfigMaps(pod: PodTemplate): string[] {
  const out: string[] = [];
  for (const v of Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []) {
    if (!isRecord(v)) continue;
    if (isRecord(v.configMap) && typeof v.configMap.name === 'string') out.push(v.configMap.name);
    for (const s of isRecord(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources : []) {
      if (isRecord(s) && isRecord(s.configMap) && typeof s.configMap.name === 'string') out.push(s.configMap.name);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Command lines

export interface FlagValue {
  readonly value: string;
  /** Path of the command/args item that holds it. */
  readonly at: readonly Segment[];
}

/**
 * Every value of `--<flag>` in a container's command and args, as `--flag=value` or `--flag value`,
 * also inside shell scripts (`sh -c "exec cockroach start --join=..."`).
 */
export function flagValues(c: ContainerRef, flag: string): FlagValue[] {
  const out: FlagValue[] = [];
  for (const field of ['command', 'args'] as const) {
    const items = c.container[field];
    if (!Array.isArray(items)) continue;
    const tokens: { token: string; at: Segment[] }[] = [];
    items.forEach((item: unknown, i: number) => {
      if (typeof item !== 'string') return;
      const at = [...c.at, field, i];
      const words = /\s/.test(item.trim()) ? item.split(/\s+/).map((w) => w.replace(/^["']|["'];?$/g, '')).filter((w) => w !== '' && w !== '\\') : [item];
      for (const w of words) tokens.push({ token: w, at });
    });
    tokens.forEach((t, i) => {
      if (t.token.startsWith(`--${flag}=`)) out.push({ value: t.token.slice(flag.length + 3), at: t.at });
      else if (t.token === `--${flag}` && tokens[i + 1] && !tokens[i + 1]!.token.startsWith('--')) out.push({ value: tokens[i + 1]!.token, at: tokens[i + 1]!.at });
    });
  }
  return out;
}

export function hasFlag(c: ContainerRef, flag: string): FlagValue | undefined {
  for (const field of ['command', 'args'] as const) {
    const items = c.container[field];
    if (!Array.isArray(items)) continue;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item !== 'string') continue;
      if (item.split(/\s+/).some((w) => w.replace(/^["']|["']$/g, '') === `--${flag}` || w.startsWith(`--${flag}=`))) return { value: item, at: [...c.at, field, i] };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Selectors

/** Whether a LabelSelector (matchLabels + matchExpressions) selects pods with these labels. Empty selects all. */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(selector)) return true;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isRecord(e)) continue;
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function isEmptySelector(selector: unknown): boolean {
  if (!isRecord(selector)) return true;
  const labels = isRecord(selector.matchLabels) ? Object.keys(selector.matchLabels) : [];
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return labels.length === 0 && exprs.length === 0;
}

// ---------------------------------------------------------------------------------------------------
// DNS names

export const CLUSTERSET_SUFFIX = '.svc.clusterset.local';

/** Whether a certificate DNS name (possibly `*.` wildcard) covers a host name. */
export function dnsNameCovers(dnsName: string, host: string): boolean {
  const a = dnsName.toLowerCase();
  const h = host.toLowerCase();
  if (a === h) return true;
  if (a.startsWith('*.')) {
    const rest = a.slice(1); // ".example.com"
    return h.endsWith(rest) && !h.slice(0, h.length - rest.length).includes('.') && h.length > rest.length;
  }
  return false;
}

export interface ClustersetName {
  readonly host: string;
  readonly service: string;
  readonly namespace: string;
  /** Set for `<cluster>.<svc>.<ns>` and `<pod>.<cluster>.<svc>.<ns>` names. */
  readonly cluster?: string;
  readonly pod?: string;
}

/** Parses `[<pod>.][<cluster>.]<svc>.<ns>.svc.clusterset.local` (REFERENCE §2.1); undefined for anything else. */
export function parseClustersetName(host: string): ClustersetName | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!h.endsWith(CLUSTERSET_SUFFIX)) return undefined;
  const labels = h.slice(0, -CLUSTERSET_SUFFIX.length).split('.');
  if (labels.some((l) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(l))) return undefined;
  if (labels.length === 2) return { host: h, service: labels[0]!, namespace: labels[1]! };
  if (labels.length === 3) return { host: h, cluster: labels[0]!, service: labels[1]!, namespace: labels[2]! };
  if (labels.length === 4) return { host: h, pod: labels[0]!, cluster: labels[1]!, service: labels[2]!, namespace: labels[3]! };
  return undefined;
}

/** Cheap pre-check before the name pattern: most strings mention no clusterset name. */
const MENTIONS_CLUSTERSET = /svc\.clusterset\.local/i;

/** Every clusterset name mentioned in any string of a value (names embedded in URLs, flags and JSON included). */
const clustersetNamesMemo = new WeakMap<object, { name: ClustersetName; at: Segment[] }[]>();

/** The clusterset names a manifest mentions, walked once per manifest object (several rules ask for them). */
export function clustersetNamesIn(value: unknown): { name: ClustersetName; at: Segment[] }[] {
  if (typeof value !== 'object' || value === null) return collectClustersetNames(value);
  let found = clustersetNamesMemo.get(value);
  if (!found) clustersetNamesMemo.set(value, (found = collectClustersetNames(value)));
  return found;
}

function collectClustersetNames(value: unknown): { name: ClustersetName; at: Segment[] }[] {
  const out: { name: ClustersetName; at: Segment[] }[] = [];
  walkStrings(value, [], (s, at) => {
    if (!MENTIONS_CLUSTERSET.test(s)) return;
    for (const m of s.matchAll(/(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\.){2,4}svc\.clusterset\.local\b/gi)) {
      const name = parseClustersetName(m[0]);
      if (name) out.push({ name, at: [...at] });
    }
  });
  return out;
}

/** Host of a URL or `host:port`; undefined when there is none. */
export function hostOf(address: string): string | undefined {
  const s = address.trim();
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return new URL(s).hostname || undefined;
  } catch {
    return undefined;
  }
  const host = s.replace(/:\d+$/, '');
  return host === '' ? undefined : host;
}

// ---------------------------------------------------------------------------------------------------
// Embedded documents

/**
 * JSON documents inside a ConfigMap's data (e.g. Vault reads its server configuration as JSON),
 * with the data key they came from.
 */
export function jsonDocumentsOf(configMap: DistObject): { key: string; doc: Record<string, any> }[] {
  const data = configMap.manifest.data;
  if (!isRecord(data)) return [];
  const out: { key: string; doc: Record<string, any> }[] = [];
  for (const [key, value] of Object.entries(data)) {
    const doc = parseJsonObject(value);
    if (doc) out.push({ key, doc });
  }
  return out;
}

export function parseJsonObject(value: unknown): Record<string, any> | undefined {
  if (typeof value !== 'string' || !/^\s*\{/.test(value)) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The blocks of one type in a Vault configuration, accepting both JSON layouts Vault reads:
 * `{"listener": {"tcp": {...}}}` and the HCL-shaped `{"listener": [{"tcp": [{...}]}]}`.
 */
export function vaultBlocks(config: Record<string, any>, block: string, type: string): { body: Record<string, any>; path: Segment[] }[] {
  const out: { body: Record<string, any>; path: Segment[] }[] = [];
  const outer = config[block];
  const outers: { v: unknown; path: Segment[] }[] = Array.isArray(outer) ? outer.map((v, i) => ({ v, path: [block, i] })) : [{ v: outer, path: [block] }];
  for (const o of outers) {
    if (!isRecord(o.v)) continue;
    const inner = o.v[type];
    if (Array.isArray(inner)) inner.forEach((b, i) => isRecord(b) && out.push({ body: b, path: [...o.path, type, i] }));
    else if (isRecord(inner)) out.push({ body: inner, path: [...o.path, type] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generic walking

export function dig(value: unknown, segments: readonly Segment[]): unknown {
  let v = value;
  for (const s of segments) {
    if (Array.isArray(v) && typeof s === 'number') v = v[s];
    else if (isRecord(v)) v = v[String(s)];
    else return undefined;
  }
  return v;
}

export function walkStrings(value: unknown, at: Segment[], visit: (s: string, at: readonly Segment[]) => void): void {
  // One path stack for the whole walk: `visit` must copy `at` to keep it.
  if (typeof value === 'string') visit(value, at);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      walkStrings(value[i], at, visit);
      at.pop();
    }
  } else if (isRecord(value)) {
    for (const k of Object.keys(value)) {
      at.push(k);
      walkStrings(value[k], at, visit);
      at.pop();
    }
  }
}

/** `spec.template.spec.containers[0].args[3]`, with `["app.kubernetes.io/name"]` for keys that are not identifiers. */
export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** JSON pointer (`/spec/replicas`) -> segments; numeric steps become list indexes. */
export function pointerToSegments(pointer: string): Segment[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function intOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

export function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
