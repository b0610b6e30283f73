// `meridian diff`: dist/ at a git revision against a fresh in-memory synth of the working tree, or
// dist/ at two git revisions. Files are told apart by git blob id first, so identical files are never
// read from git nor parsed.
import * as path from 'node:path';
import { DEFAULT_ENV_DIR, DEFAULT_OUT_DIR, loadTopology, repositoryRoot, synthesizeRecorded } from '../main';
import { reportFile } from '../report';
import { OWNED_FILE } from '../lib/layout';
import { TopologyError } from '../topology';
import { gitBlobId, listFolderAtRef, readBlobs, type FolderListing } from './git';
import { reviewOf, tryEnvironmentsAtRef, type Review } from './review';
import { DiffInputError, diffChangedFiles, hasChanges, WORKING_TREE, type BundleDiff } from './semantic';

export { COMMENT_LIMIT, diffMarkdown, objectName, showValue } from './markdown';
export {
  DiffInputError,
  diffChangedFiles,
  diffTrees,
  hasChanges,
  WORKING_TREE,
  type BundleDiff,
  type DiffContext,
  type FieldChange,
  type FileEntry,
  type FolderDiff,
  type ObjectEntry,
} from './semantic';
export { environmentsAtRef, reportChangeLines, reviewOf, type ReportChange, type Review } from './review';
export { assessRisks, RISK_CLASSES, RISK_CLASS_DESCRIPTIONS, riskClassesPresent, riskText, riskWhere, type Risk, type RiskClass } from './risk';
export { gitBlobId, GitError, listFolderAtRef, readBlobs, readFolderAtRef, type FolderListing } from './git';

export interface DiffOptions {
  /** Git revision of the committed dist/. @default HEAD */
  readonly base?: string;
  readonly envDir?: string;
  readonly outDir?: string;
  /** Only this environment's folders and report. */
  readonly environment?: string;
}

export function diffWorkingTree(options: DiffOptions = {}): BundleDiff {
  const base = options.base ?? 'HEAD';
  const envDir = options.envDir ?? DEFAULT_ENV_DIR;
  const outDir = options.outDir ?? process.env.CDK8S_OUTDIR ?? DEFAULT_OUT_DIR;
  const topology = loadTopology(envDir, outDir);
  const only = options.environment;
  if (only !== undefined && !topology.environments.some((e) => e.name === only)) {
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: `no environment named "${only}"; known: ${topology.environments.map((e) => e.name).join(', ')}` }]);
  }
  const head = synthesizeRecorded(topology, only === undefined ? {} : { environments: [only] }, true);
  const before = new BlobReader(listFolderAtRef(outDir, base));
  let changed = [...before.listing.blobs].filter(([file, sha]) => !head.files.has(file) || gitBlobId(head.files.get(file)!) !== sha).map(([file]) => file);
  changed.push(...[...head.files.keys()].filter((file) => !before.listing.blobs.has(file)));
  // The record of owned files is the writer's bookkeeping, not part of the bundle.
  changed = changed.filter((file) => file !== OWNED_FILE);
  if (only !== undefined) changed = inEnvironment(only, changed, new Set(head.folders), [before]);
  const keep = new Set(changed);
  const headFiles = (folders: ReadonlySet<string>): ReadonlyMap<string, string> => new Map([...head.files].filter(([file]) => file.includes('/') && folders.has(folderOf(file))));
  const result = diffChangedFiles(before.texts(keep), new Map([...head.files].filter(([file]) => keep.has(file))), { base, head: WORKING_TREE }, { headFiles, ...(only !== undefined ? { environment: only } : {}) });
  const old = tryEnvironmentsAtRef(envDir, base);
  const mine = (e: { name: string }): boolean => only === undefined || e.name === only;
  return withReview(result, reviewOf(old.environments.filter(mine), topology.environments.filter(mine), old.note ? [old.note] : []));
}

export interface RefsDiffOptions {
  /** Git revision of the older dist/. @default HEAD */
  readonly base?: string;
  /** Git revision of the newer dist/. */
  readonly head: string;
  readonly outDir?: string;
  /** The environment files' folder, read at both revisions for the report changes and runbooks. @default environments */
  readonly envDir?: string;
  /** Only this environment's folders and report. */
  readonly environment?: string;
}

/** dist/ as committed at two revisions: no environment files, no synthesis; only the blobs that differ are read. */
export function diffRefs(options: RefsDiffOptions): BundleDiff {
  const base = options.base ?? 'HEAD';
  const outDir = options.outDir ?? process.env.CDK8S_OUTDIR ?? DEFAULT_OUT_DIR;
  const before = new BlobReader(listFolderAtRef(outDir, base, '--base'));
  const after = new BlobReader(listFolderAtRef(outDir, options.head, '--head'));
  const only = options.environment;
  if (only !== undefined && !before.listing.blobs.has(reportFile(only)) && !after.listing.blobs.has(reportFile(only))) {
    const known = [...new Set([...before.listing.blobs.keys(), ...after.listing.blobs.keys()])].filter((f) => !f.includes('/') && f.endsWith('.report.md')).map((f) => f.slice(0, -'.report.md'.length));
    throw new DiffInputError(`no environment named "${only}" in ${outDir} at ${base} or ${options.head} (no ${reportFile(only)}); known: ${known.sort().join(', ')}`);
  }
  let changed = [...before.listing.blobs].filter(([file, sha]) => after.listing.blobs.get(file) !== sha).map(([file]) => file);
  changed.push(...[...after.listing.blobs.keys()].filter((file) => !before.listing.blobs.has(file)));
  // The record of owned files is the writer's bookkeeping, not part of the bundle.
  changed = changed.filter((file) => file !== OWNED_FILE);
  if (only !== undefined) changed = inEnvironment(only, changed, new Set(), [before, after]);
  const keep = new Set(changed);
  const headFiles = (folders: ReadonlySet<string>): ReadonlyMap<string, string> => after.texts(new Set([...after.listing.blobs.keys()].filter((file) => file.includes('/') && folders.has(folderOf(file)))));
  const result = diffChangedFiles(before.texts(keep), after.texts(keep), { base, head: options.head }, { headFiles, ...(only !== undefined ? { environment: only } : {}) });
  // Both sides come from the repository that holds the output folder, so its environments/ is the
  // default, wherever meridian runs from (the working directory may be another repository).
  const envDir = options.envDir ?? path.join(repositoryRoot(outDir) ?? '.', DEFAULT_ENV_DIR);
  const sides = [tryEnvironmentsAtRef(envDir, base), tryEnvironmentsAtRef(envDir, options.head)];
  const mine = (e: { name: string }): boolean => only === undefined || e.name === only;
  return withReview(result, reviewOf(sides[0]!.environments.filter(mine), sides[1]!.environments.filter(mine), sides.flatMap((x) => (x.note ? [x.note] : []))));
}

/**
 * The diff with its review, when the review says anything and dist/ changed: the review explains what
 * the changed bundle does, so with dist/ equal on both sides (environment files edited but not
 * synthesized) there is nothing it could explain.
 */
function withReview(d: BundleDiff, review: Review): BundleDiff {
  return hasChanges(d) && review.reports.length + review.runbooks.length + review.notes.length > 0 ? { ...d, review } : d;
}

/** The blobs of one listing, read on demand and each only once. */
class BlobReader {
  private readonly cache = new Map<string, string>();

  public constructor(public readonly listing: FolderListing) {}

  /** The texts of these files (those of the listing), reading in one batch the ones not read yet. */
  public read(files: readonly string[]): ReadonlyMap<string, string> {
    const missing = files.filter((file) => !this.cache.has(file));
    if (missing.length > 0) for (const [file, text] of readBlobs(this.listing, missing)) this.cache.set(file, text);
    return this.cache;
  }

  /** The texts of those of `files` that the listing holds, in its order (by path). */
  public texts(files: ReadonlySet<string>): Map<string, string> {
    const mine = [...this.listing.blobs.keys()].filter((file) => files.has(file));
    const read = this.read(mine);
    return new Map(mine.map((file) => [file, read.get(file)!]));
  }
}

const folderOf = (file: string): string => file.slice(0, file.indexOf('/'));

/**
 * Of the changed files, those of environment `env`: its report, and the files of the folders it owns, which
 * are the folders in `own` and those where some file, on either side, carries its `meridian.dev/environment`
 * label. Only folders with a change can matter, so only their files are read.
 */
function inEnvironment(env: string, changed: readonly string[], own: ReadonlySet<string>, sides: readonly BlobReader[]): string[] {
  const label = new RegExp(`^\\s+meridian\\.dev/environment: "?${env}"?$`, 'm');
  const folders = new Set(own);
  const open = (): Set<string> => new Set(changed.filter((file) => file.includes('/') && !folders.has(folderOf(file))).map(folderOf));
  const look = (side: BlobReader, files: string[]): void => {
    const read = side.read(files);
    for (const file of files) if (label.test(read.get(file)!)) folders.add(folderOf(file));
  };
  // the changed files first (a folder in scope needs them anyway), then the other files of the folders still undecided
  for (const side of sides) {
    const undecided = open();
    look(side, changed.filter((file) => file.includes('/') && undecided.has(folderOf(file)) && side.listing.blobs.has(file)));
  }
  for (const side of sides) {
    const undecided = open();
    look(side, [...side.listing.blobs.keys()].filter((file) => file.includes('/') && undecided.has(folderOf(file))));
  }
  return changed.filter((file) => (file.includes('/') ? folders.has(folderOf(file)) : file === reportFile(env)));
}
