// The only module that reads environments/ and writes dist/ for synthesis (DESIGN §5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputValidationError, synthesize, type Bundle, type SynthesizeOptions } from './synth/synthesize';
import { writeTreeAtomically } from './synth/write';
import { buildTopology, MAX_FILE_BYTES, parseEnvironment, TopologyError, type Topology } from './topology';
import { treeFromObjects, validateTree, violationLine } from './validate';
import { readValidationRecord, writeValidationRecord } from './validate/cache';

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

/** Reads every `*.yaml`/`*.yml` file of `envDir` (sorted) and builds the checked topology. */
export function loadTopology(envDir: string): Topology {
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
  const topology = loadTopology(envDir);
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
