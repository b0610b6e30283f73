// The only module that reads environments/ and writes dist/ for synthesis (DESIGN §5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputValidationError, synthesize, type Bundle, type ExtraFile, type PatchedObject, type SynthesizeOptions } from './synth/synthesize';
import type { Violation } from './validate';
import { writeTreeAtomically } from './synth/write';
import { buildTopology, parseEnvironment, TopologyError, type Topology } from './topology';
import { treeFromObjects, validateTree, violationLine } from './validate';
import { readValidationRecord, writeValidationRecord } from './validate/cache';
import { cacheDir } from './lib/cache-dir';
import { createRequire } from 'node:module';
import { checkConfig, CONFIG_FILE, ConfigError, type MeridianConfig } from './synth/extensions';

export const DEFAULT_ENV_DIR = 'environments';
export const DEFAULT_OUT_DIR = 'dist';

/** Reads every `*.yaml`/`*.yml` file of `envDir` (sorted) and builds the checked topology. */
export function loadTopology(envDir: string): Topology {
  if (!fs.existsSync(envDir) || !fs.statSync(envDir).isDirectory()) {
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: 'environment folder not found; run from the repository root or pass --environments <dir>' }]);
  }
  const files = fs
    .readdirSync(envDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) {
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: 'no environment files (*.yaml); add one, e.g. by copying environments/prod.yaml' }]);
  }
  const problems: TopologyError['problems'][number][] = [];
  const parsed = [];
  for (const f of files) {
    const file = path.join(envDir, f);
    try {
      parsed.push(parseEnvironment(fs.readFileSync(file), path.relative(process.cwd(), file) || file));
    } catch (e) {
      if (!(e instanceof TopologyError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new TopologyError(problems);
  return buildTopology(parsed);
}

export interface SynthOptions {
  readonly envDir?: string;
  readonly outDir?: string;
  /** Only this environment's folders are rewritten; the others in the output are kept. */
  readonly environment?: string;
  /** Skip the schema check of objects that passed it in an earlier run, and record those that pass (src/validate/cache.ts). @default true */
  readonly cache?: boolean;
}

export interface SynthResult {
  readonly topology: Topology;
  readonly bundle: Bundle;
  readonly outDir: string;
}

/** Top-level entries of the output a bundle owns: its folders and the files beside them (environment reports). */
function ownedEntries(bundle: Bundle): string[] {
  return [...new Set([...bundle.folders, ...[...bundle.files.keys()].filter((f) => !f.includes('/'))])].sort();
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

/** load -> check -> synthesize -> validate -> write atomically. Throws TopologyError or OutputValidationError; then nothing is written. */
export function synthToDisk(options: SynthOptions = {}): SynthResult {
  const envDir = options.envDir ?? DEFAULT_ENV_DIR;
  const outDir = options.outDir ?? process.env.CDK8S_OUTDIR ?? DEFAULT_OUT_DIR;
  const topology = loadTopology(envDir);
  const only = options.environment;
  if (only !== undefined && !topology.environments.some((e) => e.name === only)) {
    const known = topology.environments.map((e) => e.name).join(', ');
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: `no environment named "${only}"; known: ${known}` }]);
  }
  const bundle = synthesizeRecorded(topology, only === undefined ? {} : { environments: [only] }, options.cache ?? true);
  // The cross-cluster rules of `meridian validate`; synthesize() has already checked every schema (MER001).
  const violations = validateTree(treeFromObjects(bundle.files, bundle.objects, outDir), { skip: ['MER001'] });
  if (violations.length > 0) throw new OutputValidationError(violations.map((v) => blamePatch(v, violationLine(v), bundle.patched)));
  writeTreeAtomically(outDir, bundle.files, only === undefined ? {} : { owned: ownedEntries(bundle) });
  return { topology, bundle, outDir };
}
