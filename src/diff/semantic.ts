// Semantic difference between two dist/ trees: objects (identity = apiVersion, kind, namespace and
// name within a top-level folder) added, removed and changed, with the field paths and old -> new
// values of each change, grouped by folder (cluster) and component. Files that hold no objects
// (the environment reports) are compared as text. Secret values are never included.
import { parseAllDocuments } from 'yaml';
import { readYaml } from '../synth/yaml';
import { isRecord } from '../validate/tree';
import { isSecretName, isSecretValue, MASK } from '../validate/secrets';
import type { Review } from './review';
import { assessRisks, type ChangedObject, type Risk } from './risk';

/** A step of a field path: map key, list index, list item matched by its identity (`name=shop`, a flag `--join`), or the JSON document inside a string. */
export type DiffSegment = string | number | { readonly key: string } | { readonly json: true };

export interface FieldChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Absent for added fields. */
  readonly old?: unknown;
  /** Absent for removed fields. */
  readonly new?: unknown;
}

export interface ObjectEntry {
  readonly change: 'added' | 'removed' | 'changed';
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** Path relative to dist/ (the new file for added and changed objects). */
  readonly file: string;
  /** Set when a changed object moved to another file (component). */
  readonly movedFrom?: string;
  /** Field changes of a changed object. */
  readonly fields?: readonly FieldChange[];
}

export interface ComponentDiff {
  readonly component: string;
  readonly entries: readonly ObjectEntry[];
}

export interface FolderDiff {
  /** A cluster name, or `argocd`. */
  readonly folder: string;
  readonly environment?: string;
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly components: readonly ComponentDiff[];
}

export interface FileEntry {
  readonly file: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly linesAdded: number;
  readonly linesRemoved: number;
}

export interface BundleDiff {
  readonly base: string;
  readonly head: string;
  readonly folders: readonly FolderDiff[];
  /** Files that hold no objects: reports beside the folders, anything not YAML. */
  readonly files: readonly FileEntry[];
  readonly summary: { readonly added: number; readonly removed: number; readonly changed: number; readonly files: number };
  /** What the change will do to the fleet, most severe class first (src/diff/risk.ts). */
  readonly risks: readonly Risk[];
  /** The reports' changes as meaning and the day-2 runbooks the change needs (when the environment files load on both sides). */
  readonly review?: Review;
}

/** The folder of the ApplicationSets (src/charts/argocd.ts), beside the cluster folders. */
const ARGOCD_FOLDER = 'argocd';

/** More of the head tree than its changed files, read only when a risk needs it. */
export interface DiffContext {
  /** --env: only this environment's objects (in argocd/ as in the cluster folders). */
  readonly environment?: string;
  /** The head files of these folders (all of them, changed or not): Reloader's annotations on unchanged workloads. */
  readonly headFiles?: (folders: ReadonlySet<string>) => ReadonlyMap<string, string>;
}

interface Located {
  readonly folder: string;
  readonly file: string;
  readonly component: string;
  readonly manifest: Record<string, any>;
}

/** A tree that cannot be compared: a file is not valid YAML, or --env names an environment neither tree holds. */
export class DiffInputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'DiffInputError';
  }
}

/** The `head` label of a diff against a fresh synth of the working tree (no git revision is spelled so). */
export const WORKING_TREE = 'working tree';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function diffTrees(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>, labels: { base: string; head: string }): BundleDiff {
  const differs = (file: string, text: string, other: ReadonlyMap<string, string>): boolean => other.get(file) !== text;
  const headFiles = (folders: ReadonlySet<string>): ReadonlyMap<string, string> => new Map([...head].filter(([f]) => folders.has(f.slice(0, f.indexOf('/')))));
  return diffChangedFiles(new Map([...base].filter(([f, t]) => differs(f, t, head))), new Map([...head].filter(([f, t]) => differs(f, t, base))), labels, { headFiles });
}

/**
 * The same as `diffTrees` on two trees, given only their files whose text differs, each on the side(s) where
 * it exists. A file with the same text on both sides holds only identical objects, so it is neither needed
 * nor parsed; an object that moved between files is still found, because both files changed.
 */
export function diffChangedFiles(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>, labels: { base: string; head: string }, context: DiffContext = {}): BundleDiff {
  const [baseDocuments, headDocuments] = documentsToCompare(base, head);
  const before = objectsOf(baseDocuments);
  const after = objectsOf(headDocuments);
  const entries: (ObjectEntry & { folder: string; component: string; environment?: string })[] = [];
  const changedObjects: ChangedObject[] = [];
  for (const [key, a] of before) {
    const b = after.get(key);
    if (!b) {
      entries.push({ ...identity(a.manifest, a.file), change: 'removed', folder: a.folder, component: a.component, ...env(a) });
      changedObjects.push({ folder: a.folder, ...env(a), change: 'removed', before: a.manifest, fields: [] });
    }
  }
  for (const [key, b] of after) {
    const a = before.get(key);
    if (!a) {
      entries.push({ ...identity(b.manifest, b.file), change: 'added', folder: b.folder, component: b.component, ...env(b) });
      changedObjects.push({ folder: b.folder, ...env(b), change: 'added', after: b.manifest, fields: [] });
      continue;
    }
    const fields: FieldChange[] = [];
    diffValue(String(b.manifest.kind), a.manifest, b.manifest, [], fields);
    if (fields.length > 0 || a.file !== b.file) {
      entries.push({ ...identity(b.manifest, b.file), change: 'changed', folder: b.folder, component: b.component, ...env(b), ...(a.file !== b.file ? { movedFrom: a.file } : {}), fields });
      if (fields.length > 0) changedObjects.push({ folder: b.folder, ...env(b), change: 'changed', before: a.manifest, after: b.manifest, fields });
    }
  }
  // --env: the argocd/ folder holds every environment's ApplicationSet; keep only this environment's objects
  // there (and the kustomization when one of its changes names this environment's file)
  const only = context.environment;
  const mentions = (e: { fields?: readonly FieldChange[]; file: string }): boolean => e.file === `${ARGOCD_FOLDER}/${only}.yaml` || (e.fields ?? []).some((f) => JSON.stringify([f.old, f.new]).includes(`${only}.yaml`));
  const inScope = (e: { folder: string; environment?: string; fields?: readonly FieldChange[]; file: string }): boolean =>
    only === undefined || e.environment === only || (e.environment === undefined && (e.folder !== ARGOCD_FOLDER || mentions(e)));
  const scoped = entries.filter(inScope);
  entries.length = 0;
  entries.push(...scoped);
  const scopedObjects = changedObjects.filter((o) => only === undefined || o.environment === undefined || o.environment === only);
  const risks = assessRisks(scopedObjects, reloadingWorkloads(scopedObjects, after, context), rollingEnvironments(after, context));

  const folders = [...new Set(entries.map((e) => e.folder))].sort(cmp).map((folder): FolderDiff => {
    const mine = entries.filter((e) => e.folder === folder);
    // argocd/ belongs to no single environment: it holds the ApplicationSets of all of them
    const environment = folder === ARGOCD_FOLDER ? undefined : mine.find((e) => e.environment !== undefined)?.environment;
    const components = [...new Set(mine.map((e) => e.component))].sort(cmp).map((component) => ({
      component,
      entries: mine
        .filter((e) => e.component === component)
        .sort((x, y) => cmp(x.kind, y.kind) || cmp(x.namespace ?? '', y.namespace ?? '') || cmp(x.name, y.name) || cmp(x.apiVersion, y.apiVersion))
        .map(({ folder: _f, component: _c, environment: _e, ...entry }) => entry),
    }));
    return {
      folder,
      ...(environment !== undefined ? { environment } : {}),
      added: mine.filter((e) => e.change === 'added').length,
      removed: mine.filter((e) => e.change === 'removed').length,
      changed: mine.filter((e) => e.change === 'changed').length,
      components,
    };
  });

  const files: FileEntry[] = [];
  const plain = (m: ReadonlyMap<string, string>): string[] => [...m.keys()].filter((f) => !holdsObjects(f));
  for (const file of [...new Set([...plain(base), ...plain(head)])].sort(cmp)) {
    const a = base.get(file);
    const b = head.get(file);
    if (a === b) continue;
    const { added, removed } = lineChanges(a ?? '', b ?? '');
    files.push({ file, change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed', linesAdded: added, linesRemoved: removed });
  }

  const sum = (k: 'added' | 'removed' | 'changed'): number => folders.reduce((n, f) => n + f[k], 0);
  return { base: labels.base, head: labels.head, folders, files, summary: { added: sum('added'), removed: sum('removed'), changed: sum('changed'), files: files.length }, risks };
}

const WORKLOAD_KINDS = /^kind: (Deployment|StatefulSet|DaemonSet)$/m;

/**
 * The head workloads that Reloader may restart: in the folders where a ConfigMap or Secret changed, those among
 * the changed objects and, through the context, the workload documents of the folders' other files (only the
 * documents that name a workload kind and a Reloader annotation are parsed).
 */
/** Environments whose ApplicationSet after the change rolls out with RollingSync (argocd/<env>.yaml). */
function rollingEnvironments(after: ReadonlyMap<string, Located>, context: DiffContext): Set<string> {
  const out = new Set<string>();
  const consider = (m: unknown): void => {
    if (isRecord(m) && m.kind === 'ApplicationSet' && isRecord(m.spec) && isRecord(m.spec.strategy) && m.spec.strategy.type === 'RollingSync') {
      const env = isRecord(m.metadata) && isRecord(m.metadata.labels) ? m.metadata.labels['meridian.dev/environment'] : undefined;
      if (typeof env === 'string') out.add(env);
    }
  };
  for (const o of after.values()) if (o.folder === ARGOCD_FOLDER) consider(o.manifest);
  for (const [file, text] of context.headFiles?.(new Set([ARGOCD_FOLDER])) ?? new Map<string, string>()) {
    if (!holdsObjects(file) || !text.includes('RollingSync')) continue;
    for (const m of documentsOf(file, text)) consider(m);
  }
  return out;
}

function reloadingWorkloads(objects: readonly ChangedObject[], after: ReadonlyMap<string, Located>, context: DiffContext): { folder: string; manifest: Record<string, any> }[] {
  const folders = new Set(objects.filter((o) => o.change === 'changed' && (o.after?.kind === 'ConfigMap' || o.after?.kind === 'Secret' || o.after?.kind === 'Certificate')).map((o) => o.folder));
  if (folders.size === 0) return [];
  const found = new Map<string, { folder: string; manifest: Record<string, any> }>();
  for (const [key, o] of after) if (folders.has(o.folder) && WORKLOAD_KINDS.test(`kind: ${String(o.manifest.kind)}`)) found.set(key, { folder: o.folder, manifest: o.manifest });
  for (const [file, text] of context.headFiles?.(folders) ?? new Map<string, string>()) {
    if (!holdsObjects(file) || !text.includes('reloader.stakater.com')) continue;
    const folder = file.slice(0, file.indexOf('/'));
    for (const doc of documentTexts(text) ?? [text]) {
      if (!WORKLOAD_KINDS.test(doc) || !doc.includes('reloader.stakater.com')) continue;
      for (const m of documentsOf(file, doc)) {
        if (!isRecord(m)) continue;
        const key = [folder, String(m.apiVersion), String(m.kind), String(m.metadata?.namespace ?? ''), String(m.metadata?.name)].join('|');
        if (!found.has(key)) found.set(key, { folder, manifest: m });
      }
    }
  }
  return [...found.values()];
}

export function hasChanges(d: BundleDiff): boolean {
  return d.folders.length > 0 || d.files.length > 0;
}

/** YAML files inside a folder hold objects; everything else is compared as text. */
function holdsObjects(file: string): boolean {
  return file.includes('/') && /\.ya?ml$/.test(file);
}

/**
 * The parsed documents of the files that hold objects, per side, in each side's order. In a file on both sides
 * only the documents whose text is not also on the other side are parsed: the others hold the same object in
 * the same file. (A document that moved to another file is parsed on both sides.)
 */
function documentsToCompare(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): [Map<string, unknown[]>, Map<string, unknown[]>] {
  const both = new Map<string, { readonly base: unknown[]; readonly head: unknown[] }>();
  for (const [file, a] of base) {
    const b = head.get(file);
    if (b !== undefined && holdsObjects(file)) both.set(file, changedDocuments(file, a, b));
  }
  const side = (files: ReadonlyMap<string, string>, which: 'base' | 'head'): Map<string, unknown[]> =>
    new Map([...files].filter(([file]) => holdsObjects(file)).map(([file, text]) => [file, both.get(file)?.[which] ?? documentsOf(file, text)]));
  return [side(base, 'base'), side(head, 'head')];
}

/** The documents of two versions of a file, less those whose text is on both sides (as often on each side). */
function changedDocuments(file: string, a: string, b: string): { readonly base: unknown[]; readonly head: unknown[] } {
  const docsA = documentTexts(a);
  const docsB = documentTexts(b);
  if (docsA && docsB) {
    try {
      return { base: unmatched(docsA, docsB).flatMap(readYaml), head: unmatched(docsB, docsA).flatMap(readYaml) };
    } catch {
      // a document js-yaml refuses: the whole files, for the message with the file's own line numbers
    }
  }
  return { base: documentsOf(file, a), head: documentsOf(file, b) };
}

/** The items of `xs` left when each item of `ys` takes away one equal item (multiset difference, order kept). */
function unmatched(xs: readonly string[], ys: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const y of ys) counts.set(y, (counts.get(y) ?? 0) + 1);
  return xs.filter((x) => {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    return n === 0;
  });
}

/**
 * The texts of a file's documents, split at its `---` lines, or undefined when the file has directives or
 * `...` document ends, which tie text across documents (YAML 1.2 forbids `---` at the start of a line inside
 * a document, so the split is exact).
 */
function documentTexts(text: string): string[] | undefined {
  if (/^(%|\.\.\.)/m.test(text)) return undefined;
  return text.split(/^---[ \t]*(?:\n|$)/m);
}

function objectsOf(files: ReadonlyMap<string, unknown[]>): Map<string, Located> {
  const out = new Map<string, Located>();
  for (const [file, documents] of files) {
    const folder = file.slice(0, file.indexOf('/'));
    // The component is the file's name: a cluster folder's tiers (sub-folders) hold files of the same components.
    const component = file.slice(file.lastIndexOf('/') + 1).replace(/\.ya?ml$/, '');
    for (const manifest of documents) {
      if (!isRecord(manifest)) continue;
      const name = typeof manifest.metadata?.name === 'string' ? manifest.metadata.name : `(${file.slice(folder.length + 1)})`;
      const key = [folder, String(manifest.apiVersion), String(manifest.kind), String(manifest.metadata?.namespace ?? ''), name].join('|');
      out.set(key, { folder, file, component, manifest });
    }
  }
  return out;
}

/**
 * The documents of a YAML file as plain values, empty documents as null (readYaml). Only when js-yaml
 * refuses a file does the `yaml` package read it, to say why in its words (or to read what js-yaml alone
 * refuses, such as nesting deeper than its limit).
 */
function documentsOf(file: string, text: string): unknown[] {
  try {
    return readYaml(text);
  } catch {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [];
    const bad = list.find((doc) => doc.errors.length > 0);
    if (bad) throw new DiffInputError(`${file}: not valid YAML: ${bad.errors[0]!.message.split('\n')[0]!}`);
    return list.map((doc): unknown => doc.toJS());
  }
}

function identity(m: Record<string, any>, file: string): Pick<ObjectEntry, 'apiVersion' | 'kind' | 'namespace' | 'name' | 'file'> {
  const ns = m.metadata?.namespace;
  return {
    apiVersion: String(m.apiVersion),
    kind: String(m.kind),
    ...(typeof ns === 'string' ? { namespace: ns } : {}),
    name: typeof m.metadata?.name === 'string' ? m.metadata.name : `(${file.slice(file.indexOf('/') + 1)})`,
    file,
  };
}

function env(o: Located): { environment?: string } {
  const e = o.manifest.metadata?.labels?.['meridian.dev/environment'];
  return typeof e === 'string' ? { environment: e } : {};
}

// ---------------------------------------------------------------------------------------------------
// Values

function diffValue(kind: string, a: unknown, b: unknown, path: DiffSegment[], out: FieldChange[]): void {
  if (deepEqual(a, b)) return;
  if (isRecord(a) && isRecord(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(cmp)) {
      if (!(k in b)) out.push(field(kind, [...path, k], 'removed', a[k], undefined));
      else if (!(k in a)) out.push(field(kind, [...path, k], 'added', undefined, b[k]));
      else diffValue(kind, a[k], b[k], [...path, k], out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    diffArray(kind, a, b, path, out);
    return;
  }
  if (typeof a === 'string' && typeof b === 'string' && !isSecretPath(kind, path)) {
    const ja = jsonObject(a);
    const jb = jsonObject(b);
    if (ja && jb) {
      diffValue(kind, ja, jb, [...path, { json: true }], out);
      return;
    }
  }
  out.push(field(kind, path, 'changed', a, b));
}

function diffArray(kind: string, a: unknown[], b: unknown[], path: DiffSegment[], out: FieldChange[]): void {
  const key = listKey(path, [...a, ...b]);
  if (key) {
    const keyA = keyedItems(a, key);
    const keyB = keyedItems(b, key);
    if (keyA && keyB) {
      for (const [id, item] of keyA) {
        if (!keyB.has(id)) out.push(field(kind, [...path, { key: id }], 'removed', item, undefined));
        else diffValue(kind, item, keyB.get(id), [...path, { key: id }], out);
      }
      for (const [id, item] of keyB) if (!keyA.has(id)) out.push(field(kind, [...path, { key: id }], 'added', undefined, item));
      return;
    }
  }
  if ([...a, ...b].every((x) => x === null || typeof x !== 'object')) {
    diffScalars(kind, a, b, path, out);
    return;
  }
  // Items without an identity (NetworkPolicy rules and peers, tolerations, ...) are a multiset: an item equal to one
  // on the other side is unchanged wherever it sits; of the rest, as many as both sides have are compared in order,
  // the others are added or removed.
  const removed = unmatchedValues(a, b);
  const added = unmatchedValues(b, a);
  const pairs = Math.min(removed.length, added.length);
  for (let i = 0; i < pairs; i++) diffValue(kind, removed[i]!.value, added[i]!.value, [...path, added[i]!.index], out);
  for (const r of removed.slice(pairs)) out.push(field(kind, [...path, r.index], 'removed', r.value, undefined));
  for (const x of added.slice(pairs)) out.push(field(kind, [...path, x.index], 'added', undefined, x.value));
}

/**
 * Lists of scalars are multisets: moving an item is no change. Flags spelled `--name=value` are matched by name
 * (a flag given once on each side), and a value that is a comma-separated list (CockroachDB `--join=a,b,c`) is
 * compared as a set of items, so one host added to `--join` is that host, not two complete strings. When
 * nothing was added or removed but the order changed, the order is the change (it matters in `command`).
 */
function diffScalars(kind: string, a: unknown[], b: unknown[], path: DiffSegment[], out: FieldChange[]): void {
  const found = out.length;
  const flagsA = flagItems(a);
  const flagsB = flagItems(b);
  const restA: unknown[] = [];
  const restB: unknown[] = [];
  for (const x of a) if (!(typeof x === 'string' && flagsA.has(flagName(x)!) && flagsB.has(flagName(x)!))) restA.push(x);
  for (const x of b) if (!(typeof x === 'string' && flagsB.has(flagName(x)!) && flagsA.has(flagName(x)!))) restB.push(x);
  for (const [flag, va] of flagsA) {
    const vb = flagsB.get(flag);
    if (vb === undefined || va === vb) continue;
    const at: DiffSegment[] = [...path, { key: flag }];
    if (va.includes(',') || vb.includes(',')) {
      const la = va.split(',');
      const lb = vb.split(',');
      for (const x of unmatchedValues(la, lb)) out.push(field(kind, [...at, '[]'], 'removed', x.value, undefined));
      for (const x of unmatchedValues(lb, la)) out.push(field(kind, [...at, '[]'], 'added', undefined, x.value));
      if (deepEqual([...la].sort(), [...lb].sort())) out.push(field(kind, at, 'changed', va, vb));
    } else out.push(field(kind, at, 'changed', va, vb));
  }
  const removed = unmatchedValues(restA, restB);
  const added = unmatchedValues(restB, restA);
  for (const x of removed) out.push(field(kind, [...path, '[]'], 'removed', x.value, undefined));
  for (const x of added) out.push(field(kind, [...path, '[]'], 'added', undefined, x.value));
  if (out.length === found && !deepEqual(a, b)) out.push(field(kind, path, 'changed', a, b));
}

/** `--name=value` items whose name occurs once in the list, by name (`--join`). */
function flagItems(items: readonly unknown[]): Map<string, string> {
  const seen = new Map<string, string | null>();
  for (const x of items) {
    const name = typeof x === 'string' ? flagName(x) : undefined;
    if (name === undefined) continue;
    seen.set(name, seen.has(name) ? null : (x as string).slice(name.length + 1));
  }
  return new Map([...seen].filter((e): e is [string, string] => e[1] !== null));
}

function flagName(s: string): string | undefined {
  return /^(--?[A-Za-z0-9][A-Za-z0-9-]*)=/.exec(s)?.[1];
}

/** The items of `xs` (with their index) left when each item of `ys` takes away one deep-equal item. */
function unmatchedValues(xs: readonly unknown[], ys: readonly unknown[]): { readonly index: number; readonly value: unknown }[] {
  const counts = new Map<string, number>();
  for (const y of ys) counts.set(canonical(y), (counts.get(canonical(y)) ?? 0) + 1);
  const out: { index: number; value: unknown }[] = [];
  xs.forEach((x, index) => {
    const k = canonical(x);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else out.push({ index, value: x });
  });
  return out;
}

/** JSON with sorted keys: equal for deep-equal values. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort(cmp).map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * The identity of the items of a list, by the field that holds it: the strategic-merge keys of the Kubernetes
 * core types (kubernetes/api core/v1/types.go: `patchMergeKey`/`listMapKey` — containers, initContainers, env,
 * volumes and imagePullSecrets by name; volumeMounts by mountPath; Container.ports by containerPort+protocol;
 * ServiceSpec.ports by port+protocol; topologySpreadConstraints by topologyKey+whenUnsatisfiable; hostAliases by
 * ip), and equivalent keys for the custom kinds meridian writes: GlobalDNSRecord endpoints by clusterName, Istio
 * ServiceEntry endpoints by address, Vault `retry_join` entries by leader_api_addr, StatefulSet
 * volumeClaimTemplates by metadata.name. Any other list of records that each have a unique `name` (Gateway
 * listeners, ServiceEntry ports, ...) is keyed by name. Undefined: no identity; the list is a multiset.
 */
function listKey(path: readonly DiffSegment[], items: readonly unknown[]): readonly string[] | undefined {
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  const records = items as Record<string, unknown>[];
  const last = path.at(-1);
  const has = (k: string): boolean => records.every((r) => k.split('.').reduce<unknown>((v, p) => (isRecord(v) ? v[p] : undefined), r) !== undefined);
  const known: Record<string, readonly string[]> = {
    volumeMounts: ['mountPath'],
    volumeDevices: ['devicePath'],
    topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
    hostAliases: ['ip'],
    retry_join: ['leader_api_addr'],
    volumeClaimTemplates: ['metadata.name'],
  };
  if (typeof last === 'string') {
    const k = known[last];
    if (k && has(k[0]!)) return k;
    if (last === 'ports' && has('containerPort')) return ['containerPort', 'protocol'];
    if (last === 'ports' && has('port')) return ['port', 'protocol'];
    if (last === 'endpoints' && has('clusterName')) return ['clusterName'];
    if (last === 'endpoints' && has('address')) return ['address'];
  }
  return has('name') && records.every((r) => typeof r.name === 'string') ? ['name'] : undefined;
}

/** Items by their identity (`name=shop`, `containerPort=8080,protocol=TCP`), or undefined when two items share one. */
function keyedItems(items: readonly unknown[], key: readonly string[]): Map<string, unknown> | undefined {
  const m = new Map<string, unknown>();
  for (const x of items as Record<string, unknown>[]) {
    const id = key
      .map((k) => {
        const v = k.split('.').reduce<unknown>((o, p) => (isRecord(o) ? o[p] : undefined), x);
        // protocol defaults to TCP in both ContainerPort and ServicePort (kubernetes/api core/v1/types.go)
        return `${k}=${v === undefined && k === 'protocol' ? 'TCP' : String(v)}`;
      })
      .join(',');
    if (m.has(id)) return undefined;
    m.set(id, x);
  }
  return m;
}

function field(kind: string, path: DiffSegment[], change: FieldChange['change'], a: unknown, b: unknown): FieldChange {
  const p = formatDiffPath(path);
  const secret = isSecretPath(kind, path);
  const mask = (v: unknown): unknown => (secret ? MASK : maskDeep(kind, path, v));
  return { path: p, change, ...(change !== 'added' ? { old: mask(a) } : {}), ...(change !== 'removed' ? { new: mask(b) } : {}) };
}

/** Paths whose values are secret whatever they hold: a Secret's data, ConfigMap keys and env variables named like secrets. */
function isSecretPath(kind: string, path: readonly DiffSegment[]): boolean {
  if (kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) return true;
  if (kind === 'ConfigMap' && (path[0] === 'data' || path[0] === 'binaryData') && typeof path[1] === 'string' && isSecretName(path[1])) return true;
  return path.some((s, i) => typeof s === 'object' && 'key' in s && s.key.startsWith('name=') && isSecretName(s.key.slice('name='.length)) && path[i - 1] === 'env');
}

function maskDeep(kind: string, path: readonly DiffSegment[], value: unknown): unknown {
  const plain = path.filter((s): s is string | number => typeof s !== 'object');
  if (isSecretValue(kind, plain, value)) return MASK;
  if (Array.isArray(value)) {
    const key = listKey(path, value);
    const keyed = key ? keyedItems(value, key) : undefined;
    const ids = keyed ? [...keyed.keys()] : [];
    return value.map((v, i) => {
      const at: DiffSegment[] = [...path, keyed ? { key: ids[i]! } : i];
      return isSecretPath(kind, at) ? MASK : maskDeep(kind, at, v);
    });
  }
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecretPath(kind, [...path, k]) ? MASK : maskDeep(kind, [...path, k], v)]));
  return value;
}

/** `spec.template.spec.containers[name=vault].env[name=X].value`, `data["vault.json"] → storage.raft.retry_join[9]`. */
export function formatDiffPath(path: readonly DiffSegment[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'object' && 'json' in s) out += ' →';
    else if (typeof s === 'object') out += `[${s.key}]`;
    else if (s === '[]') out += '[]';
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) out += out === '' || out.endsWith('→') ? `${out === '' ? '' : ' '}${s}` : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function jsonObject(s: string): Record<string, any> | undefined {
  if (!/^\s*[{[]/.test(s)) return undefined;
  try {
    const v: unknown = JSON.parse(s);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Lines added and removed between two texts (longest common subsequence on lines). */
export function lineChanges(a: string, b: string): { added: number; removed: number } {
  const x = a === '' ? [] : a.replace(/\n$/, '').split('\n');
  const y = b === '' ? [] : b.replace(/\n$/, '').split('\n');
  // trim the common head and tail first: reports change in few places
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--;
    endY--;
  }
  const xs = x.slice(start, endX);
  const ys = y.slice(start, endY);
  if (xs.length * ys.length > 4_000_000) return { added: ys.length, removed: xs.length };
  let prev = new Array<number>(ys.length + 1).fill(0);
  for (let i = 1; i <= xs.length; i++) {
    const row = new Array<number>(ys.length + 1).fill(0);
    for (let j = 1; j <= ys.length; j++) row[j] = xs[i - 1] === ys[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    prev = row;
  }
  const common = prev[ys.length]!;
  return { added: ys.length - common, removed: xs.length - common };
}
