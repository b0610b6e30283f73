// A dist/ tree as the validation rules see it: every YAML document of every file, with the folder
// (cluster) it belongs to and the source position of any field, whether the tree comes from disk,
// from a git revision or from a fresh in-memory synthesis.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parse, parseAllDocuments, type Document } from 'yaml';
import { ARGOCD_FOLDER, OWNED_FILE } from '../lib/layout';
import { readYaml } from '../lib/yaml';

/** A step into a manifest: a map key or a list index. */
export type Segment = string | number;

export const KUSTOMIZATION = 'kustomization.yaml';
export const LABEL_ENVIRONMENT = 'meridian.dev/environment';
export const LABEL_CLUSTER = 'meridian.dev/cluster';

export interface DistObject {
  /** Top-level folder: a cluster name or `argocd`. */
  readonly folder: string;
  /** Path relative to the tree root, e.g. `cluster1/vault.yaml`. */
  readonly file: string;
  /** Position of the document in its file (0-based, counting only non-empty documents). */
  readonly index: number;
  // Manifests are read from YAML: rules walk them as plain data.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly manifest: Record<string, any>;
}

export interface Kustomization {
  readonly folder: string;
  readonly file: string;
  readonly resources: readonly string[];
}

export interface ParseProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

export interface DistTree {
  /** How the root is shown in messages, e.g. `dist`. */
  readonly root: string;
  /** Every file of the tree (relative path), sorted. */
  readonly files: readonly string[];
  /** Every Kubernetes object, in file then document order (kustomization files excluded). */
  readonly objects: readonly DistObject[];
  /** Folder -> its kustomization.yaml. */
  readonly kustomizations: ReadonlyMap<string, Kustomization>;
  readonly parseProblems: readonly ParseProblem[];
  /** The text of a file of the tree (any file, YAML or not), for rules that read what is not an object (the reports). */
  text(file: string): string | undefined;
  /** Text of the record of owned files at the root (`meridian-owned.txt`), when the tree has one. */
  readonly ownedRecord?: string;
  /**
   * JSON files beside the folders (e.g. `prod.prerequisites.json`), parsed; a file that does not parse
   * is absent. Rules that check the output against what meridian documents beside it read these.
   */
  readonly attachments: ReadonlyMap<string, unknown>;
  /** 1-based line and column of the deepest existing node on `segments` in an object's document. */
  position(object: Pick<DistObject, 'file' | 'index'>, segments: readonly Segment[]): { line: number; col: number };
}

/** Top-level folders that hold objects deployed to one cluster (everything but argocd/). */
export function isClusterFolder(folder: string): boolean {
  return folder !== ARGOCD_FOLDER && folder !== '';
}

/**
 * Builds a tree from file contents (path relative to the root -> text). Non-YAML files are listed but
 * not parsed.
 *
 * Most trees are generated output that parses cleanly, so each file is first read with js-yaml's fast
 * parser (YAML 1.2 core schema, like the `yaml` package's default), and source positions are worked
 * out only for files a rule reports on. A file that js-yaml refuses, that uses anchors (aliases could
 * multiply the work of every rule) or that has an empty or non-mapping document goes through the
 * `yaml` package's document model, which locates every problem exactly.
 */
export function treeFromFiles(files: ReadonlyMap<string, string>, root = 'dist'): DistTree {
  const objects: DistObject[] = [];
  const kustomizations = new Map<string, Kustomization>();
  const problems: ParseProblem[] = [];
  const parsed = new Map<string, ParsedFile>();
  const names = [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  for (const file of names) {
    if (!/\.ya?ml$/.test(file)) continue;
    const text = files.get(file)!;
    const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : '';
    const isKustomization = path.posix.basename(file) === KUSTOMIZATION;
    const fast = fastParse(text);
    if (fast) {
      fast.forEach((value, index) => {
        if (isKustomization) kustomizations.set(path.posix.dirname(file), { folder, file, resources: resourcesOf(value) });
        else objects.push({ folder, file, index, manifest: value });
      });
      continue;
    }
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (!Array.isArray(docs)) continue; // an empty stream
    const kept: Document[] = [];
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) {
          const at = lines.linePos(e.pos[0]);
          problems.push({ file, line: at.line, col: at.col, message: e.message.split('\n')[0]! });
        }
        continue;
      }
      if (doc.contents === null) continue;
      kept.push(doc);
    }
    parsed.set(file, { docs: kept, lines });
    kept.forEach((doc, index) => {
      let value: unknown;
      try {
        value = doc.toJS();
      } catch (e) {
        const at = lines.linePos((doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0);
        problems.push({ file, line: at.line, col: at.col, message: (e as Error).message });
        return;
      }
      if (isKustomization) {
        kustomizations.set(path.posix.dirname(file), { folder, file, resources: resourcesOf(value) });
        return;
      }
      if (!isRecord(value)) {
        const at = lines.linePos((doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0);
        problems.push({ file, line: at.line, col: at.col, message: 'a manifest must be a mapping with apiVersion, kind and metadata' });
        return;
      }
      objects.push({ folder, file, index, manifest: value });
    });
  }

  const ownedRecord = files.get(OWNED_FILE);
  return { root, files: names, objects, kustomizations, parseProblems: problems, ...(ownedRecord !== undefined ? { ownedRecord } : {}), attachments: attachmentsOf(files), position: positionsOf(files, parsed), text: (f) => files.get(f) };
}

/** Anchor syntax (`&name` where a node may start). Alias-free files are the fast parser's. */
const ANCHOR = /(?:^|[\s[{,:-])&[^\s,[\]{}]/;

/** Every document of a file when all are mappings and js-yaml reads them; otherwise undefined. */
function fastParse(text: string): Record<string, any>[] | undefined {
  if (ANCHOR.test(text)) return undefined;
  let docs: unknown[];
  try {
    docs = readYaml(text);
  } catch {
    return undefined;
  }
  return docs.length > 0 && docs.every(isRecord) ? docs : undefined;
}

function resourcesOf(value: unknown): string[] {
  return isRecord(value) && Array.isArray(value.resources) ? value.resources.filter((r): r is string => typeof r === 'string') : [];
}

/**
 * Source positions in `files`: a file is parsed with the `yaml` document model the first time a rule
 * needs a position in it (`known` holds the files parsed that way already).
 */
function positionsOf(files: ReadonlyMap<string, string>, known: Map<string, ParsedFile> = new Map()): DistTree['position'] {
  return (object, segments) => {
    let p = known.get(object.file);
    const text = files.get(object.file);
    if (!p && text !== undefined) {
      const lines = new LineCounter();
      const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
      p = { docs: Array.isArray(docs) ? docs.filter((d) => d.contents !== null) : [], lines };
      known.set(object.file, p);
    }
    return positionIn(p, object.index, segments);
  };
}

/**
 * Builds the tree of a bundle synthesized in memory: the objects are taken as they are, and a file is
 * parsed only when a rule needs a source position in it (synthesis output parses without problems, so
 * re-parsing every file up front would only cost time).
 */
export function treeFromObjects(
  files: ReadonlyMap<string, string>,
  synthesized: readonly { readonly folder: string; readonly file: string; readonly manifest: Record<string, any> }[],
  root = 'dist',
): DistTree {
  const names = [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const perFile = new Map<string, number>();
  // Same order as a tree read from files: by file name, then document order (the sort is stable).
  const byFile = [...synthesized].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const objects: DistObject[] = byFile.map((o) => {
    const index = perFile.get(o.file) ?? 0;
    perFile.set(o.file, index + 1);
    return { folder: o.folder, file: o.file, index, manifest: o.manifest };
  });
  const kustomizations = new Map<string, Kustomization>();
  for (const file of names.filter((f) => path.posix.basename(f) === KUSTOMIZATION)) {
    const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : '';
    kustomizations.set(path.posix.dirname(file), { folder, file, resources: resourcesOf(parse(files.get(file)!)) });
  }
  return { root, files: names, objects, kustomizations, parseProblems: [], attachments: attachmentsOf(files), position: positionsOf(files), text: (f) => files.get(f) };
}

/** Top-level `*.json` files, parsed (see DistTree.attachments). */
function attachmentsOf(files: ReadonlyMap<string, string>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [file, text] of files) {
    if (file.includes('/') || !file.endsWith('.json')) continue;
    try {
      out.set(file, JSON.parse(text));
    } catch {
      // not a document meridian wrote; the rules that need it report it missing
    }
  }
  return out;
}

interface ParsedFile {
  readonly docs: readonly Document[];
  readonly lines: LineCounter;
}

/** 1-based position of the deepest existing node on `segments` in document `index` of a parsed file. */
function positionIn(p: ParsedFile | undefined, index: number, segments: readonly Segment[]): { line: number; col: number } {
  {
    const doc = p?.docs[index];
    if (!p || !doc) return { line: 1, col: 1 };
    let node: unknown = doc.contents;
    let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    for (const segment of segments) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(segment));
        if (!pair) break;
        offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (!item) break;
        offset = (item as { range?: [number, number, number] }).range?.[0] ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return p.lines.linePos(offset);
  }
}

/** Reads every file under `dir` (hidden entries skipped) and builds the tree. */
export function treeFromDirectory(dir: string, root = dir): DistTree {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: no such folder; run \`meridian synth\` first or name the folder to validate`);
  const files = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const r = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(r);
      else if (entry.isFile()) files.set(r, fs.readFileSync(path.join(dir, r), 'utf8'));
    }
  };
  walk('');
  return treeFromFiles(files, root);
}

/** Builds the tree of the given manifest files (absolute or relative paths) under their common root. */
export function treeFromManifestPaths(paths: readonly string[]): { tree: DistTree; rootDir: string } {
  const absolute = paths.map((p) => path.resolve(p));
  // The root is the parent of the folders that hold a kustomization (one per cluster folder), else the common directory.
  const folders = absolute.filter((p) => path.basename(p) === KUSTOMIZATION).map((p) => path.dirname(p));
  const rootDir = commonDirectory(folders.length > 0 ? folders.map((f) => path.dirname(f)) : absolute.map((p) => path.dirname(p)));
  const files = new Map<string, string>();
  for (const p of absolute) files.set(path.relative(rootDir, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8'));
  // The JSON documents meridian writes beside the folders (DistTree.attachments) are no manifests, so
  // the manifest list never names them.
  for (const entry of fs.existsSync(rootDir) ? fs.readdirSync(rootDir, { withFileTypes: true }) : []) {
    if (entry.isFile() && entry.name.endsWith('.json') && !files.has(entry.name)) files.set(entry.name, fs.readFileSync(path.join(rootDir, entry.name), 'utf8'));
  }
  return { tree: treeFromFiles(files, path.relative(process.cwd(), rootDir) || '.'), rootDir };
}

function commonDirectory(dirs: readonly string[]): string {
  if (dirs.length === 0) return process.cwd();
  let common = dirs[0]!.split(path.sep);
  for (const d of dirs.slice(1)) {
    const parts = d.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}

export function isRecord(value: unknown): value is Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
