// Semantic difference between two dist/ trees: objects (identity = apiVersion, kind, namespace and
// name within a top-level folder) added, removed and changed, with the field paths and old -> new
// values of each change, grouped by folder (cluster) and component. Files that hold no objects
// (the environment reports) are compared as text. Secret values are never included.
import { parseAllDocuments } from 'yaml';
import { readYaml } from '../synth/yaml';
import { isRecord } from '../validate/tree';
import { isSecretName, isSecretValue, MASK } from '../validate/secrets';

/** A step of a field path: map key, list index, list item matched by its `name`, or the JSON document inside a string. */
export type DiffSegment = string | number | { readonly name: string } | { readonly json: true };

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
  return diffChangedFiles(new Map([...base].filter(([f, t]) => differs(f, t, head))), new Map([...head].filter(([f, t]) => differs(f, t, base))), labels);
}

/**
 * The same as `diffTrees` on two trees, given only their files whose text differs, each on the side(s) where
 * it exists. A file with the same text on both sides holds only identical objects, so it is neither needed
 * nor parsed; an object that moved between files is still found, because both files changed.
 */
export function diffChangedFiles(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>, labels: { base: string; head: string }): BundleDiff {
  const [baseDocuments, headDocuments] = documentsToCompare(base, head);
  const before = objectsOf(baseDocuments);
  const after = objectsOf(headDocuments);
  const entries: (ObjectEntry & { folder: string; component: string; environment?: string })[] = [];
  for (const [key, a] of before) {
    const b = after.get(key);
    if (!b) entries.push({ ...identity(a.manifest, a.file), change: 'removed', folder: a.folder, component: a.component, ...env(a) });
  }
  for (const [key, b] of after) {
    const a = before.get(key);
    if (!a) {
      entries.push({ ...identity(b.manifest, b.file), change: 'added', folder: b.folder, component: b.component, ...env(b) });
      continue;
    }
    const fields: FieldChange[] = [];
    diffValue(String(b.manifest.kind), a.manifest, b.manifest, [], fields);
    if (fields.length > 0 || a.file !== b.file) {
      entries.push({ ...identity(b.manifest, b.file), change: 'changed', folder: b.folder, component: b.component, ...env(b), ...(a.file !== b.file ? { movedFrom: a.file } : {}), fields });
    }
  }

  const folders = [...new Set(entries.map((e) => e.folder))].sort(cmp).map((folder): FolderDiff => {
    const mine = entries.filter((e) => e.folder === folder);
    const environment = mine.find((e) => e.environment !== undefined)?.environment;
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
  return { base: labels.base, head: labels.head, folders, files, summary: { added: sum('added'), removed: sum('removed'), changed: sum('changed'), files: files.length } };
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
    const component = file.slice(folder.length + 1).replace(/\.ya?ml$/, '');
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
  const keyA = namedItems(a);
  const keyB = namedItems(b);
  if (keyA && keyB) {
    for (const [name, item] of keyA) {
      if (!keyB.has(name)) out.push(field(kind, [...path, { name }], 'removed', item, undefined));
      else diffValue(kind, item, keyB.get(name), [...path, { name }], out);
    }
    for (const [name, item] of keyB) if (!keyA.has(name)) out.push(field(kind, [...path, { name }], 'added', undefined, item));
    return;
  }
  const scalars = [...a, ...b].every((x) => x === null || typeof x !== 'object');
  if (scalars && a.length !== b.length) {
    const counts = new Map<string, number>();
    for (const x of b) counts.set(JSON.stringify(x), (counts.get(JSON.stringify(x)) ?? 0) + 1);
    const removed: unknown[] = [];
    for (const x of a) {
      const k = JSON.stringify(x);
      if ((counts.get(k) ?? 0) > 0) counts.set(k, counts.get(k)! - 1);
      else removed.push(x);
    }
    const added: unknown[] = [];
    for (const [k, n] of counts) for (let i = 0; i < n; i++) added.push(JSON.parse(k));
    for (const x of removed) out.push(field(kind, [...path, '[]'], 'removed', x, undefined));
    for (const x of added) out.push(field(kind, [...path, '[]'], 'added', undefined, x));
    return;
  }
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) diffValue(kind, a[i], b[i], [...path, i], out);
  for (let i = common; i < a.length; i++) out.push(field(kind, [...path, i], 'removed', a[i], undefined));
  for (let i = common; i < b.length; i++) out.push(field(kind, [...path, i], 'added', undefined, b[i]));
}

/** Items keyed by a unique `name` (containers, env, ports, volumes, listeners...), or undefined. */
function namedItems(items: unknown[]): Map<string, unknown> | undefined {
  if (items.length === 0 || !items.every((x) => isRecord(x) && typeof x.name === 'string')) return undefined;
  const m = new Map<string, unknown>();
  for (const x of items as Record<string, any>[]) {
    if (m.has(x.name)) return undefined;
    m.set(x.name, x);
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
  return path.some((s, i) => typeof s === 'object' && 'name' in s && isSecretName(s.name) && path[i - 1] === 'env');
}

function maskDeep(kind: string, path: readonly DiffSegment[], value: unknown): unknown {
  const plain = path.filter((s): s is string | number => typeof s !== 'object');
  if (isSecretValue(kind, plain, value)) return MASK;
  if (Array.isArray(value)) {
    const named = namedItems(value);
    return value.map((v, i) => {
      const at: DiffSegment[] = [...path, named ? { name: String((v as Record<string, unknown>).name) } : i];
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
    else if (typeof s === 'object') out += `[name=${s.name}]`;
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
