// The only module that reads environments/ and writes dist/ for synthesis (DESIGN §5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputValidationError, synthesize, type Bundle, type SynthesizeOptions } from './synth/synthesize';
import { writeTreeAtomically } from './synth/write';
import { readYaml } from './synth/yaml';
import { buildTopology, parseEnvironment, TopologyError, type CommittedFacts, type ParsedEnvironment, type Topology } from './topology';
import { treeFromObjects, validateTree, violationLine } from './validate';
import { readValidationRecord, writeValidationRecord } from './validate/cache';

export const DEFAULT_ENV_DIR = 'environments';
export const DEFAULT_OUT_DIR = 'dist';

/**
 * Reads every `*.yaml`/`*.yml` file of `envDir` (sorted) and builds the checked topology. With
 * `outDir`, the facts of the committed output the checks need are read from it first (committedFacts).
 */
export function loadTopology(envDir: string, outDir?: string): Topology {
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

/** Top-level entries of the output a bundle owns: its folders and the files beside them (environment reports). */
function ownedEntries(bundle: Bundle): string[] {
  return [...new Set([...bundle.folders, ...[...bundle.files.keys()].filter((f) => !f.includes('/'))])].sort();
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

/** load -> check -> synthesize -> validate -> write atomically. Throws TopologyError or OutputValidationError; then nothing is written. */
export function synthToDisk(options: SynthOptions = {}): SynthResult {
  const envDir = options.envDir ?? DEFAULT_ENV_DIR;
  const outDir = options.outDir ?? process.env.CDK8S_OUTDIR ?? DEFAULT_OUT_DIR;
  const topology = loadTopology(envDir, outDir);
  if (options.strict && topology.warnings.length > 0) throw new TopologyError(topology.warnings.map((w) => ({ ...w, message: `${w.message} (--strict)` })));
  const only = options.environment;
  if (only !== undefined && !topology.environments.some((e) => e.name === only)) {
    const known = topology.environments.map((e) => e.name).join(', ');
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: `no environment named "${only}"; known: ${known}` }]);
  }
  const bundle = synthesizeRecorded(topology, only === undefined ? {} : { environments: [only] }, options.cache ?? true);
  // The cross-cluster rules of `meridian validate`; synthesize() has already checked every schema (MER001).
  const violations = validateTree(treeFromObjects(bundle.files, bundle.objects, outDir), { skip: ['MER001'] });
  if (violations.length > 0) throw new OutputValidationError(violations.map(violationLine));
  writeTreeAtomically(outDir, bundle.files, only === undefined ? {} : { owned: ownedEntries(bundle) });
  return { topology, bundle, outDir };
}
