// The only module that reads environments/ and writes dist/ for synthesis (DESIGN §5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { OutputValidationError, synthesize, type Bundle, type SynthesizeOptions } from './synth/synthesize';
import { keptEntries, ownedEntriesOf } from './synth/owned';
import { checkOutputPath, inspectOutput, OutputRefusedError, realPathOf, recoverHeld, withOutputLock, writeTreeAtomically } from './synth/write';
import { buildTopology, parseEnvironment, TopologyError, type Topology } from './topology';
import { treeFromObjects, validateTree, violationLine } from './validate';
import { readValidationRecord, writeValidationRecord } from './validate/cache';

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

/**
 * synthesize(), skipping the schema check of objects that passed it in an earlier run when `useRecord`
 * is set, and recording those that pass now (src/validate/cache.ts).
 */
export function synthesizeRecorded(topology: Topology, options: SynthesizeOptions, useRecord: boolean): Bundle {
  const record = useRecord ? readValidationRecord() : undefined;
  const bundle = synthesize(topology, { ...options, offload: { ...options.offload, known: record?.known ?? [] } });
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
  const topology = loadTopology(envDir);
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
    if (violations.length > 0) throw new OutputValidationError(violations.map(violationLine));
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
