// `meridian diff`: dist/ at a git revision against a fresh in-memory synth of the working tree.
import { DEFAULT_ENV_DIR, DEFAULT_OUT_DIR, loadTopology } from '../main';
import { reportFile } from '../report';
import { synthesize } from '../synth/synthesize';
import { TopologyError } from '../topology';
import { readFolderAtRef } from './git';
import { diffTrees, type BundleDiff } from './semantic';

export { diffMarkdown, objectName, showValue } from './markdown';
export { DiffInputError, diffTrees, hasChanges, type BundleDiff, type FieldChange, type FileEntry, type FolderDiff, type ObjectEntry } from './semantic';
export { GitError, readFolderAtRef } from './git';

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
  const topology = loadTopology(envDir);
  const only = options.environment;
  if (only !== undefined && !topology.environments.some((e) => e.name === only)) {
    throw new TopologyError([{ source: envDir, line: 1, col: 1, path: '', message: `no environment named "${only}"; known: ${topology.environments.map((e) => e.name).join(', ')}` }]);
  }
  const head = synthesize(topology, only === undefined ? {} : { environments: [only] });
  let before = readFolderAtRef(outDir, base);
  let after: ReadonlyMap<string, string> = head.files;
  if (only !== undefined) {
    const label = new RegExp(`^\\s+meridian\\.dev/environment: "?${only}"?$`, 'm');
    const ownFolders = new Set(head.folders);
    for (const [file, text] of before) if (file.includes('/') && label.test(text)) ownFolders.add(file.slice(0, file.indexOf('/')));
    const inScope = (file: string): boolean => (file.includes('/') ? ownFolders.has(file.slice(0, file.indexOf('/'))) : file === reportFile(only));
    before = new Map([...before].filter(([f]) => inScope(f)));
    after = new Map([...after].filter(([f]) => inScope(f)));
  }
  return diffTrees(before, after, { base, head: 'working tree' });
}
