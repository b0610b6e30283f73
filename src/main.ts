// The only module that reads environments/ and writes dist/ for synthesis (DESIGN §5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { OutputValidationError, synthesize, type Bundle, type ExtraFile, type PatchedObject, type SynthesizeOptions } from './synth/synthesize';
import type { Violation } from './validate';
import { keptEntries, ownedEntriesOf } from './synth/owned';
import { checkOutputPath, inspectOutput, OutputRefusedError, realPathOf, recoverHeld, withOutputLock, writeTreeAtomically } from './synth/write';
import { readYaml } from './lib/yaml';
import { buildTopology, MAX_FILE_BYTES, parseEnvironment, TopologyError, type CommittedFacts, type ParsedEnvironment, type Topology } from './topology';
import { treeFromObjects, validateTree, violationLine } from './validate';
import { readValidationRecord, writeValidationRecord } from './validate/cache';
import { cacheDir } from './lib/cache-dir';
import { createRequire } from 'node:module';
import { checkConfig, CONFIG_FILE, ConfigError, type MeridianConfig } from './synth/extensions';

export const DEFAULT_ENV_DIR = 'environments';
export const DEFAULT_OUT_DIR = 'dist';

/**
 * What went wrong reading an environment file, as `file: what is wrong` (no line or column: the file
 * could not be read at all). Anything else a read can throw is still an internal error.
 */
export function fileProblem(file: string, error: unknown): TopologyError['problems'][number] {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why: Record<string, string> = {
    ENOENT: 'cannot be read: it is a symbolic link to a file that does not exist (or was removed while reading); fix or remove the link',
    EISDIR: 'is a folder, not a file; environment files are *.yaml files, so rename the folder',
    EACCES: 'cannot be read: permission denied; make it readable (chmod a+r) or move it out of the environments folder',
    EPERM: 'cannot be read: operation not permitted; make it readable or move it out of the environments folder',
    ELOOP: 'cannot be read: it is a loop of symbolic links; fix or remove the link',
    EMFILE: 'cannot be read: too many open files; close other programs and retry',
  };
  const message = code !== undefined ? why[code] : undefined;
  if (message === undefined) throw error;
  return { source: file, line: 0, col: 0, path: '', message };
}

/**
 * Reads every `*.yaml`/`*.yml` file of `envDir` (sorted) and builds the checked topology. With
 * `outDir`, the facts of the committed output the checks need are read from it first (committedFacts).
 */
export function loadTopology(envDir: string, outDir?: string): Topology {
  if (!fs.existsSync(envDir) || !fs.statSync(envDir).isDirectory()) {
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: 'environment folder not found; run from the repository root or pass --environments <dir>' }]);
  }
  let entries: string[];
  try {
    entries = fs.readdirSync(envDir);
  } catch (e) {
    throw new TopologyError([fileProblem(envDir, e)]);
  }
  const files = entries.filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) {
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: 'no environment files (*.yaml); add one, e.g. by copying environments/prod.yaml' }]);
  }
  const problems: TopologyError['problems'][number][] = [];
  const parsed = [];
  for (const f of files) {
    const file = path.join(envDir, f);
    const source = path.relative(process.cwd(), file) || file;
    let bytes: Buffer;
    try {
      // Refuse an oversized file before reading it into memory (parseEnvironment checks the bytes again).
      const stat = fs.statSync(file);
      if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      if (!stat.isFile()) {
        // A pipe or device would block the read or never end.
        problems.push({ source, line: 0, col: 0, path: '', message: 'is not a regular file (a pipe, socket or device); environment files are plain *.yaml files' });
        continue;
      }
      if (stat.size > MAX_FILE_BYTES) {
        problems.push({ source, line: 1, col: 1, path: '', message: `file is ${stat.size} bytes; environment files are limited to ${MAX_FILE_BYTES} bytes` });
        continue;
      }
      bytes = fs.readFileSync(file);
    } catch (e) {
      problems.push(fileProblem(source, e));
      continue;
    }
    try {
      parsed.push(parseEnvironment(bytes, source));
    } catch (e) {
      if (!(e instanceof TopologyError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new TopologyError(problems);
  return buildTopology(parsed, outDir === undefined ? {} : committedFacts(outDir, parsed));
}

/**
 * Whether each environment's committed bundle runs globalnet: a Submariner CR with a globalCidr in
 * any of its cluster folders (src/charts/submariner.ts writes one only with globalnet on). An
 * environment with no committed Submariner CR has no fact, so a first synth decides freely.
 */
export function committedFacts(outDir: string, parsed: readonly ParsedEnvironment[]): CommittedFacts {
  const globalnet: Record<string, boolean> = {};
  for (const env of parsed) {
    for (const cluster of env.spec.clusters) {
      const file = path.join(outDir, cluster.name, 'submariner.yaml');
      if (!fs.existsSync(file)) continue;
      let docs: unknown[];
      try {
        docs = readYaml(fs.readFileSync(file, 'utf8'));
      } catch {
        continue; // `meridian validate` reports unreadable output; here it only means no fact
      }
      for (const d of docs) {
        const doc = d as { kind?: unknown; spec?: { globalCidr?: unknown } } | null;
        if (doc?.kind !== 'Submariner') continue;
        globalnet[env.spec.name] = (globalnet[env.spec.name] ?? false) || typeof doc.spec?.globalCidr === 'string';
      }
    }
  }
  return { globalnet };
}

export interface SynthOptions {
  readonly envDir?: string;
  readonly outDir?: string;
  /** Only this environment's folders are rewritten; the others in the output are kept. */
  readonly environment?: string;
  /** Skip the schema check of objects that passed it in an earlier run, and record those that pass (src/validate/cache.ts). @default true */
  readonly cache?: boolean;
  /** Warnings (Topology.warnings) are errors: nothing is written. @default false */
  readonly strict?: boolean;
}

export interface SynthResult {
  readonly topology: Topology;
  readonly bundle: Bundle;
  readonly outDir: string;
}

/**
 * The `*.yaml` files of every folder the environments' extraManifests declare (relative to `root`, the
 * working directory), by folder path as written. A folder that does not exist is left out: synthesize()
 * reports it at its place in the environment file.
 */
export function readExtraFiles(topology: Topology, root: string = process.cwd()): Map<string, ExtraFile[]> {
  const out = new Map<string, ExtraFile[]>();
  for (const decl of topology.environments.flatMap((e) => e.extraManifests ?? [])) {
    const dir = path.resolve(root, decl.path);
    if (out.has(decl.path) || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
    const names = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    out.set(decl.path, names.map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') })));
  }
  return out;
}

/** A rule violation on an object that a patch changed says so: the patch may be what broke the rule. */
export function blamePatch(v: Violation, line: string, patched: readonly PatchedObject[]): string {
  const l = v.location;
  const p = patched.find((o) => o.folder === l.folder && o.kind === l.kind && o.name === l.name && o.namespace === l.namespace);
  return p ? `${line} (after ${p.by.join(', ')})` : line;
}

/**
 * The repository's `meridian.config.mjs` (in `dir`, the working directory by default), or no config.
 * Loaded with require(): Node >= 20.19 loads a synchronous ES module graph with require() without a flag
 * or a warning (synthesize() is synchronous). Sources: Node v20.19.0 changelog "require(esm) is now
 * enabled by default" (nodejs/node doc/changelogs/CHANGELOG_V20.md, commit 07a99a5 on the warning) and
 * https://nodejs.org/api/modules.html#loading-ecmascript-modules-using-require.
 * An `import 'meridian'` in it gets the very module the CLI runs from (bin/meridian.js registers it).
 */
export function loadConfig(dir: string = process.cwd()): MeridianConfig {
  const file = path.resolve(dir, CONFIG_FILE);
  if (!fs.existsSync(file)) return {};
  let loaded: { default?: unknown };
  try {
    loaded = createRequire(file)(file) as { default?: unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    throw new ConfigError(`${CONFIG_FILE}: cannot load it: ${message}`);
  }
  return checkConfig(loaded.default ?? loaded, CONFIG_FILE);
}

/**
 * synthesize() with the repository's meridian.config.mjs (unless options.config is given), skipping the
 * schema check of objects that passed it in an earlier run when `useRecord` is set, and recording those
 * that pass now (src/validate/cache.ts).
 */
export function synthesizeRecorded(topology: Topology, options: SynthesizeOptions, useRecord: boolean): Bundle {
  const record = useRecord ? readValidationRecord(cacheDir()) : undefined;
  const config = options.config ?? loadConfig();
  const extraFiles = options.extraFiles ?? readExtraFiles(topology);
  const bundle = synthesize(topology, { ...options, config, extraFiles, offload: { ...options.offload, known: record?.known ?? [] } });
  if (record) writeValidationRecord(record, bundle.checked);
  return bundle;
}

/**
 * load -> check -> synthesize -> validate -> write atomically. Throws TopologyError or
 * OutputValidationError (then nothing is written), OutputRefusedError when the output folder may not be
 * written (checked before anything is), WriteError on a file-system error (the old tree stays).
 */
export function synthToDisk(options: SynthOptions = {}): SynthResult {
  const envDir = options.envDir ?? DEFAULT_ENV_DIR;
  const outDir = options.outDir ?? process.env.CDK8S_OUTDIR ?? DEFAULT_OUT_DIR;
  checkOutputPath(outDir, envDir);
  const topology = loadTopology(envDir, outDir);
  if (options.strict && topology.warnings.length > 0) throw new TopologyError(topology.warnings.map((w) => ({ ...w, message: `${w.message} (--strict)` })));
  const only = options.environment;
  if (only !== undefined && !topology.environments.some((e) => e.name === only)) {
    const known = topology.environments.map((e) => e.name).join(', ');
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: `no environment named "${only}"; known: ${known}` }]);
  }
  return withOutputLock(outDir, () => {
    recoverHeld(outDir);
    const { recorded } = inspectOutput(outDir);
    checkArgoCdPath(topology, outDir, envDir);
    const bundle = synthesizeRecorded(topology, only === undefined ? {} : { environments: [only] }, options.cache ?? true);
    // The cross-cluster rules of `meridian validate`; synthesize() has already checked every schema (MER001).
    const violations = validateTree(treeFromObjects(bundle.files, bundle.objects, outDir), { skip: ['MER001'] });
    if (violations.length > 0) throw new OutputValidationError(violations.map((v) => blamePatch(v, violationLine(v), bundle.patched)));
    const clusterEnvironment = new Map(topology.environments.flatMap((e) => e.clusters.map((c) => [c.name, e.name] as const)));
    const written = ownedEntriesOf(bundle.files.keys(), clusterEnvironment);
    const kept = (only === undefined ? [] : keptEntries(recorded, new Set([only]), new Set(topology.environments.map((e) => e.name)), new Set(bundle.files.keys())))
      // a recorded file removed by hand is not carried over (and no longer recorded)
      .filter((e) => fs.existsSync(path.join(outDir, e.path)));
    writeTreeAtomically(outDir, bundle.files, { keep: kept.map((e) => e.path), owned: [...written, ...kept] });
    return { topology, bundle, outDir };
  });
}

/**
 * The root of the repository `dir` lies in: the nearest folder at or above it holding `.git` (a folder,
 * or the file of a worktree), the way `git rev-parse --show-toplevel` finds it, without running git.
 */
export function repositoryRoot(dir: string): string | undefined {
  for (let d = realPathOf(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (d === path.dirname(d)) return undefined;
  }
}

/**
 * `--out` and every environment's `argocd.path` (relative to the repository root) must name the same
 * folder: the ApplicationSets in argocd/ watch argocd.path, and a bundle written anywhere else would
 * never be deployed. Inside a repository, --out relative to its root must equal argocd.path. Outside
 * any repository while the environments are in one, the output is a scratch folder that cannot be
 * committed there, and is not checked. In a checkout without git the root is unknown: --out must end
 * with argocd.path.
 */
function checkArgoCdPath(topology: Topology, outDir: string, envDir: string): void {
  const out = realPathOf(outDir);
  const root = repositoryRoot(out);
  if (root === undefined && repositoryRoot(envDir) !== undefined) return;
  const rel = root === undefined ? undefined : path.relative(root, out).split(path.sep).join('/');
  const normalize = (p: string): string => path.posix.normalize(p).replace(/^\.\/|\/+$/g, '');
  const agrees = (p: string): boolean => (rel !== undefined ? rel === p : `${out.split(path.sep).join('/')}`.endsWith(`/${p}`));
  const wrong = topology.environments.filter((e) => !agrees(normalize(e.argocd.path)));
  if (wrong.length === 0) return;
  throw new OutputRefusedError(
    wrong
      .map((e) => {
        const at = locate(e.source, ['argocd', 'path']);
        const where =
          rel !== undefined
            ? `--out ${outDir} writes to ${rel || '.'} (relative to the repository root ${shown(root!)})`
            : `--out ${outDir} does not end with it (no git repository here, so --out must end with argocd.path)`;
        const fix = rel !== undefined ? `set argocd.path to "${rel}", or synth with --out ${path.join(shown(root!), e.argocd.path)}` : `set argocd.path to the folder's path in the repository, or synth into a folder ending with ${e.argocd.path}`;
        return `${e.source}:${at.line}:${at.col}: argocd.path: is "${e.argocd.path}", but ${where}; the ApplicationSet would never deploy it: ${fix}`;
      })
      .join('\n'),
  );
}

/** Line and column of the deepest existing node on `segments` in an environment file (1:1 when unreadable). */
function locate(file: string, segments: readonly string[]): { line: number; col: number } {
  try {
    const lines = new LineCounter();
    const doc = parseDocument(fs.readFileSync(file, 'utf8'), { lineCounter: lines });
    let offset = 0;
    let node: unknown = doc.contents;
    for (const segment of segments) {
      if (!isMap(node)) break;
      const pair = node.items.find((it) => isScalar(it.key) && it.key.value === segment);
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    }
    return lines.linePos(offset);
  } catch {
    return { line: 1, col: 1 };
  }
}

function shown(p: string): string {
  return path.relative(process.cwd(), p) || '.';
}
