// Writes the output folder (dist/) so that it only ever holds the old tree or the new one, and only
// ever replaces what meridian wrote.
//
// Ownership: every synth records the files it wrote in `<out>/meridian-owned.txt` (owned.ts). Before
// anything is written, the folder is inspected: a file or folder there that the record does not list
// (or, for a tree from before the record existed, that is not a file meridian writes) is named and the
// synth refused. The folder is never one holding `.git` or the environment files.
//
// Atomicity: the new tree is built in a sibling `.<out>.meridian-new`, then swapped in with two renames
// (`<out>` -> `.<out>.meridian-old`, `.<out>.meridian-new` -> `<out>`). A marker file
// `.<out>.meridian-commit`, created once the new tree is complete and removed once it is in place, tells
// a later run which way to finish a swap that was interrupted (SIGKILL): forward when the
// marker exists, back otherwise. Every meridian command that reads or writes the folder runs that
// recovery first (recoverOutput), so what meridian sees is always the old tree or the new one.
// A lock file `.<out>.meridian-lock` (holding the writer's pid) keeps two synths from building at once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARGOCD_FOLDER, OWNED_FILE } from '../lib/layout';
import { tierFolder, TIERS } from '../lib/sync-wave';
import { readYaml } from '../lib/yaml';
import { OwnedFileError, parseOwned, renderOwned, SHARED, type OwnedEntry } from './owned';

/** The output folder cannot be written as asked (exit 2): the message says why and what to do. */
export class OutputRefusedError extends Error {}

/** A file-system error while writing (exit 1): `path: what is wrong`; the previous output is untouched. */
export class WriteError extends Error {}

const KUSTOMIZATION = 'kustomization.yaml';
/** Folders with more entries than this are not a meridian output; the walk stops there. */
const MAX_ENTRIES = 20_000;

/** Path as shown in messages: relative to the working directory. */
function shown(p: string): string {
  return path.relative(process.cwd(), p) || '.';
}

interface Siblings {
  readonly target: string;
  readonly parent: string;
  readonly staging: string;
  readonly old: string;
  readonly commit: string;
  readonly lock: string;
}

function siblings(outDir: string): Siblings {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  const at = (suffix: string): string => path.join(parent, `.${base}.meridian-${suffix}`);
  return { target, parent, staging: at('new'), old: at('old'), commit: at('commit'), lock: at('lock') };
}

// ---------------------------------------------------------------------------------------------------
// Errors of the file system

const REASONS: Record<string, string> = {
  EACCES: 'permission denied; make the folder writable for this user',
  EPERM: 'operation not permitted; make the folder writable for this user',
  EROFS: 'read-only file system; write the output to a writable folder',
  ENOSPC: 'no space left on device; free some space and run again',
  EDQUOT: 'disk quota exceeded; free some space and run again',
  ENOTDIR: 'a file stands where a folder is needed',
  EEXIST: 'a file stands where a folder is needed',
  EISDIR: 'a folder stands where a file is needed',
  EMFILE: 'too many open files; raise the limit (ulimit -n) and run again',
  EBUSY: 'busy (a mount point, or in use by another program)',
  ENOENT: 'no such file or folder (removed while meridian was writing?)',
};

/** A file-system error as `path: what is wrong`, naming the output that was left as it was. */
function writeError(e: unknown, outDir: string): Error {
  if (e instanceof WriteError || e instanceof OutputRefusedError) return e;
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code !== 'string') return e as Error;
  const where = typeof err.path === 'string' ? shown(err.path) : shown(outDir);
  return new WriteError(`${where}: ${REASONS[err.code] ?? `failed (${err.code})`}; ${shown(outDir)} was left as it was`);
}

// ---------------------------------------------------------------------------------------------------
// Refusals

/**
 * Refusals that need only the paths: an output that is a file or a symbolic link, that holds `.git`, or
 * that is, holds or lies inside the environments folder.
 */
export function checkOutputPath(outDir: string, envDir: string): void {
  const out = path.resolve(outDir);
  const flag = `--out ${outDir}`;
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(out);
  } catch {
    stat = undefined;
  }
  if (stat?.isSymbolicLink()) throw new OutputRefusedError(`${flag}: is a symbolic link; give the folder itself (meridian replaces the output folder, which would replace the link)`);
  if (stat && !stat.isDirectory()) throw new OutputRefusedError(`${flag}: is a file, not a folder; give a folder for the generated bundles (default: dist)`);
  if (stat && fs.existsSync(path.join(out, '.git'))) {
    throw new OutputRefusedError(`${flag}: holds .git, so it is the root of a repository; give a folder inside it for the generated bundles (default: dist)`);
  }
  const realOut = realPathOf(out);
  const realEnv = realPathOf(path.resolve(envDir));
  const inside = (a: string, b: string): boolean => a === b || a.startsWith(b.endsWith(path.sep) ? b : `${b}${path.sep}`);
  if (inside(realOut, realEnv)) {
    throw new OutputRefusedError(`${flag}: is ${realOut === realEnv ? '' : 'inside '}the environments folder ${shown(envDir)}; write the bundles to a folder of their own (default: dist)`);
  }
  if (inside(realEnv, realOut)) {
    throw new OutputRefusedError(`${flag}: holds the environments folder ${shown(envDir)}; write the bundles to a folder of their own beside it (default: dist)`);
  }
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
export function realPathOf(p: string): string {
  const rest: string[] = [];
  let dir = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...rest);
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return path.join(dir, ...rest);
      rest.unshift(path.basename(dir));
      dir = parent;
    }
  }
}

export interface OutputState {
  /** What the folder holds that meridian wrote, by the record or, for an older tree, by its contents. */
  readonly recorded: readonly OwnedEntry[];
}

/**
 * What the output folder holds, once recovered: refused when it holds `.git` at any depth, a record that
 * meridian did not write, or anything the record does not list (a tree without a record is accepted
 * when every file in it is one meridian writes: see legacyEntries).
 */
export function inspectOutput(outDir: string): OutputState {
  try {
    return inspect(outDir);
  } catch (e) {
    throw writeError(e, outDir);
  }
}

function inspect(outDir: string): OutputState {
  const out = path.resolve(outDir);
  if (!fs.existsSync(out)) return { recorded: [] };
  const { files, others } = walk(out, outDir);
  const git = [...files, ...others].find((p) => p.split('/').includes('.git'));
  if (git !== undefined) throw new OutputRefusedError(`--out ${outDir}: holds a repository at ${shown(path.join(out, git))}; meridian never writes over .git: give a folder without one`);
  if (files.length === 0 && others.length === 0) return { recorded: [] };

  let recorded: OwnedEntry[];
  let foreign: string[];
  if (files.includes(OWNED_FILE)) {
    try {
      recorded = parseOwned(fs.readFileSync(path.join(out, OWNED_FILE), 'utf8'));
    } catch (e) {
      if (!(e instanceof OwnedFileError)) throw writeError(e, outDir);
      throw new OutputRefusedError(`${shown(path.join(out, OWNED_FILE))}: ${e.message}; restore the file meridian wrote (git checkout -- ${shown(path.join(out, OWNED_FILE))}) and run again`);
    }
    const listed = new Set(recorded.map((e) => e.path));
    foreign = files.filter((f) => f !== OWNED_FILE && !listed.has(f));
    // Folders count as foreign when nothing meridian owns lies below them.
    const ownedDirs = new Set(recorded.flatMap((e) => e.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
    foreign.push(...others.filter((o) => !ownedDirs.has(o.replace(/\/$/, ''))));
  } else {
    const legacy = legacyEntries(out, files, others);
    recorded = legacy.entries;
    foreign = legacy.foreign;
    if (recorded.length === 0) {
      throw new OutputRefusedError(
        `--out ${outDir}: is not empty and was not written by meridian (no ${OWNED_FILE}; it holds ${list(foreign)}); give an empty or new folder, or move that content away first`,
      );
    }
  }
  if (foreign.length > 0) {
    throw new OutputRefusedError(
      `${shown(out)}: holds ${foreign.length === 1 ? 'a file' : 'files'} meridian did not write: ${list(foreign.map((f) => `${shown(path.join(out, f))}${f.endsWith('/') ? '/' : ''}`))}; ` +
        `meridian deletes only what it wrote, and Argo CD would apply whatever sits in a cluster folder: move ${foreign.length === 1 ? 'it' : 'them'} out of ${shown(out)} ` +
        '(to ship extra manifests with a cluster, put them in a folder of their own and list it under extraManifests in the environment file), then run synth again',
    );
  }
  return { recorded };
}

function list(items: readonly string[]): string {
  const shownItems = items.slice(0, 10);
  return `${shownItems.join(', ')}${items.length > shownItems.length ? ` and ${items.length - shownItems.length} more` : ''}`;
}

/** Every regular file (relative, `/`-separated) and every other entry (folders with a trailing `/`, links, devices) under `out`. */
function walk(out: string, outDir: string): { files: string[]; others: string[] } {
  const files: string[] = [];
  const others: string[] = [];
  let count = 0;
  const visit = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(out, rel), { withFileTypes: true });
    } catch (e) {
      throw writeError(e, outDir);
    }
    for (const entry of entries) {
      if (++count > MAX_ENTRIES) throw new OutputRefusedError(`--out ${outDir}: holds more than ${MAX_ENTRIES} entries, so it is not a folder meridian wrote; give an empty or new folder`);
      const r = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        others.push(`${r}/`);
        if (entry.name !== '.git') visit(r);
      } else if (entry.isFile()) files.push(r);
      else others.push(r);
    }
  };
  visit('');
  return { files: files.sort(), others: others.sort() };
}

/**
 * The entries of a tree written before the record existed, when its files are ones meridian writes:
 * top-level `<env>.report.md` files starting with meridian's header and `<env>.prerequisites.json` files
 * naming that environment; folders of YAML files only, each
 * with a kustomization.yaml, every file starting with meridian's header and every object labelled
 * `app.kubernetes.io/managed-by: meridian` (cluster folders take the environment of their
 * `meridian.dev/environment` label; argocd/ is shared). Everything else is foreign.
 */
/** The sub-folders of a folder meridian writes: the tiers of a cluster folder, and of argocd/. */
const TIER_FOLDERS: ReadonlySet<string> = new Set(TIERS.map(tierFolder).filter((f) => f !== ''));

function legacyEntries(out: string, files: readonly string[], others: readonly string[]): { entries: OwnedEntry[]; foreign: string[] } {
  const entries: OwnedEntry[] = [];
  // A folder, or a cluster folder's tier sub-folder (src/lib/sync-wave.ts, TIERS).
  const isFolder = (o: string): boolean => /^[^/]+\/$/.test(o) || (/^[^/]+\/[^/]+\/$/.test(o) && TIER_FOLDERS.has(o.split('/')[1]!));
  const foreign: string[] = others.filter((o) => !isFolder(o));
  const folders = new Map<string, string[]>();
  for (const f of files) {
    const parts = f.split('/');
    if (parts.length === 1) {
      const m = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.report\.md$/.exec(f);
      const json = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.prerequisites\.json$/.exec(f);
      if (m && readHead(path.join(out, f)).startsWith('<!-- Generated by meridian')) entries.push({ path: f, environment: m[1]! });
      else if (json && prerequisitesOf(path.join(out, f)) === json[1]) entries.push({ path: f, environment: json[1]! });
      else foreign.push(f);
    } else if (parts.length === 2 || (parts.length === 3 && TIER_FOLDERS.has(parts[1]!))) folders.set(parts[0]!, [...(folders.get(parts[0]!) ?? []), parts.slice(1).join('/')]);
    else foreign.push(f);
  }
  for (const o of others) if (isFolder(o) && !folders.has(o.split('/')[0]!)) foreign.push(o);
  for (const [folder, names] of folders) {
    const subs = new Set(names.filter((n) => n.includes('/')).map((n) => n.slice(0, n.indexOf('/'))));
    const ok = names.includes(KUSTOMIZATION) && [...subs].every((sub) => names.includes(`${sub}/${KUSTOMIZATION}`)) && names.every((n) => n.endsWith('.yaml'));
    const environments = new Set<string>();
    const bad: string[] = [];
    for (const n of names) {
      const file = `${folder}/${n}`;
      const text = ok ? fs.readFileSync(path.join(out, file), 'utf8') : '';
      if (!ok || !text.startsWith('# Generated by meridian')) {
        bad.push(file);
        continue;
      }
      if (path.posix.basename(n) === KUSTOMIZATION) continue;
      let docs: unknown[];
      try {
        docs = readYaml(text).filter((d) => d !== null);
      } catch {
        bad.push(file);
        continue;
      }
      const labels = docs.map((d) => (d as { metadata?: { labels?: Record<string, unknown> } })?.metadata?.labels ?? {});
      if (labels.length === 0 || labels.some((l) => l['app.kubernetes.io/managed-by'] !== 'meridian')) bad.push(file);
      for (const l of labels) if (typeof l['meridian.dev/environment'] === 'string') environments.add(l['meridian.dev/environment']);
    }
    const environment = folder === ARGOCD_FOLDER ? SHARED : environments.size === 1 ? [...environments][0]! : undefined;
    if (bad.length > 0 || environment === undefined) {
      foreign.push(...(bad.length > 0 ? bad : names.map((n) => `${folder}/${n}`)));
      continue;
    }
    entries.push(...names.map((n) => ({ path: `${folder}/${n}`, environment })));
  }
  return { entries, foreign: foreign.sort() };
}

function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------------
// Lock and recovery

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` holding the output's lock; a lock left by a process that is gone is taken over. */
export function withOutputLock<T>(outDir: string, fn: () => T): T {
  const s = siblings(outDir);
  try {
    fs.mkdirSync(s.parent, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        fs.writeFileSync(s.lock, `${process.pid}\n`, { flag: 'wx' });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
        const pid = Number.parseInt(fs.readFileSync(s.lock, 'utf8'), 10);
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw new WriteError(`${shown(s.lock)}: another meridian synth (pid ${pid}) is writing ${shown(s.target)}; wait for it to finish`);
        }
        fs.rmSync(s.lock, { force: true });
      }
    }
  } catch (e) {
    throw writeError(e, outDir);
  }
  try {
    return fn();
  } finally {
    fs.rmSync(s.lock, { force: true });
  }
}

/** Leftovers of the writer before this one: `.<out>.new-XXXXXX` staging folders and their `.old` twins. */
function legacyLeftovers(s: Siblings): string[] {
  if (!fs.existsSync(s.parent)) return [];
  const base = path.basename(s.target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${base}\\.new-[A-Za-z0-9]{6}(\\.old)?$`);
  return fs.readdirSync(s.parent).filter((n) => pattern.test(n)).sort().map((n) => path.join(s.parent, n));
}

function interrupted(s: Siblings): boolean {
  return [s.staging, s.old, s.commit].some((p) => fs.existsSync(p)) || legacyLeftovers(s).length > 0;
}

/** Finishes or undoes a swap that was interrupted; the caller holds the lock. */
function recover(s: Siblings): void {
  if (fs.existsSync(s.commit)) {
    // The new tree was complete: finish the swap.
    if (fs.existsSync(s.staging)) {
      if (fs.existsSync(s.target)) {
        fs.rmSync(s.old, { recursive: true, force: true });
        fs.renameSync(s.target, s.old);
      }
      fs.renameSync(s.staging, s.target);
    }
    fs.rmSync(s.commit, { force: true });
  } else if (!fs.existsSync(s.target) && fs.existsSync(s.old)) {
    // Not reachable by this writer (the marker exists while the old tree is set aside), kept for safety.
    fs.renameSync(s.old, s.target);
  }
  fs.rmSync(s.staging, { recursive: true, force: true });
  fs.rmSync(s.old, { recursive: true, force: true });
  // The earlier writer renamed the tree to `<staging>.old` before moving the staging folder in.
  for (const leftover of legacyLeftovers(s)) {
    if (leftover.endsWith('.old') && !fs.existsSync(s.target)) fs.renameSync(leftover, s.target);
    else fs.rmSync(leftover, { recursive: true, force: true });
  }
}

/** recover() for a caller that holds the lock (synthToDisk), with file-system errors as WriteError. */
export function recoverHeld(outDir: string): void {
  try {
    recover(siblings(outDir));
  } catch (e) {
    throw writeError(e, outDir);
  }
}

/**
 * Completes or rolls back a write that a killed synth left half done, so readers see the old tree or
 * the new one. A no-op when nothing was interrupted or a live synth holds the lock.
 */
export function recoverOutput(outDir: string): void {
  const s = siblings(outDir);
  if (!fs.existsSync(s.parent) || !interrupted(s)) return;
  try {
    withOutputLock(outDir, () => recover(s));
  } catch (e) {
    if (e instanceof WriteError && fs.existsSync(s.lock)) return; // a synth is running: it recovers first
    throw writeError(e, outDir);
  }
}

// ---------------------------------------------------------------------------------------------------
// Writing

export interface WriteOptions {
  /** Files of the current output to carry over unchanged (used by `--env`, which rewrites one environment). */
  readonly keep?: readonly string[];
  /** The record to write as `<out>/meridian-owned.txt`: every file of the new tree, with its environment. */
  readonly owned?: readonly OwnedEntry[];
}

/**
 * Replaces the output folder with `files` (plus the kept files and the record), atomically: the new tree
 * is built beside it and swapped in. On any error the previous tree is left as it was and the staging
 * folder removed. The caller has inspected the folder (inspectOutput) and holds its lock.
 */
export function writeTreeAtomically(outDir: string, files: ReadonlyMap<string, string>, options: WriteOptions = {}): void {
  const s = siblings(outDir);
  try {
    fs.mkdirSync(s.parent, { recursive: true });
    recover(s);
    fs.mkdirSync(s.staging);
  } catch (e) {
    throw writeError(e, outDir);
  }
  try {
    const made = new Set<string>();
    const put = (rel: string, write: (file: string) => void): void => {
      if (path.isAbsolute(rel) || rel.split('/').some((p) => p === '..' || p === '.' || p === '')) throw new WriteError(`refusing to write outside the output folder: ${rel}`);
      const file = path.join(s.staging, rel);
      const dir = path.dirname(file);
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      write(file);
    };
    for (const rel of options.keep ?? []) put(rel, (file) => fs.copyFileSync(path.join(s.target, rel), file));
    for (const [rel, content] of files) put(rel, (file) => fs.writeFileSync(file, content));
    if (options.owned) put(OWNED_FILE, (file) => fs.writeFileSync(file, renderOwned(options.owned!)));
    // The commit point: from here on a later run finishes the swap instead of undoing it.
    fs.writeFileSync(s.commit, '');
  } catch (e) {
    fs.rmSync(s.staging, { recursive: true, force: true });
    throw writeError(e, outDir);
  }
  try {
    if (fs.existsSync(s.target)) fs.renameSync(s.target, s.old);
    fs.renameSync(s.staging, s.target);
    fs.rmSync(s.commit, { force: true });
  } catch (e) {
    // Undo: put the old tree back where it was.
    try {
      if (!fs.existsSync(s.target) && fs.existsSync(s.old)) fs.renameSync(s.old, s.target);
      fs.rmSync(s.staging, { recursive: true, force: true });
      fs.rmSync(s.commit, { force: true });
    } catch {
      // recover() at the next run finishes what is left
    }
    throw writeError(e, outDir);
  }
  fs.rmSync(s.old, { recursive: true, force: true });
}

/** The environment a prerequisites file names (its `environment` field), or undefined when it is not one. */
function prerequisitesOf(file: string): string | undefined {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    const env = typeof doc === 'object' && doc !== null ? (doc as { environment?: unknown }).environment : undefined;
    return typeof env === 'string' && Array.isArray((doc as { clusters?: unknown }).clusters) ? env : undefined;
  } catch {
    return undefined;
  }
}
