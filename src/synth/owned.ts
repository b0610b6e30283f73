// The record of the files meridian wrote into an output folder (`dist/meridian-owned.txt`): which files
// it owns, and the environment each belongs to. A synth replaces and removes only the files listed
// there and refuses to run over anything else (write.ts). Pure: text in, entries out.
import { ARGOCD_FOLDER, OWNED_FILE } from '../lib/layout';

export { OWNED_FILE } from '../lib/layout';

/** Environment of the entries every synth rewrites whatever `--env` says (argocd/ describes all environments). */
export const SHARED = '-';

export interface OwnedEntry {
  /** Path relative to the output folder, `/`-separated. */
  readonly path: string;
  /** The environment the file belongs to, or SHARED. */
  readonly environment: string;
}

const HEADER = [
  `# The files of this folder that meridian synth wrote, each with its environment ("${SHARED}": all of them).`,
  '# meridian replaces and removes only these, and refuses to write over anything else. Generated: do not edit.',
];

/** Entry lines: a relative path of safe characters, a space, an environment name or SHARED. */
const LINE = /^([A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*) ([a-z0-9]([a-z0-9-]*[a-z0-9])?|-)$/;

export function renderOwned(entries: readonly OwnedEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `${[...HEADER, ...sorted.map((e) => `${e.path} ${e.environment}`)].join('\n')}\n`;
}

export class OwnedFileError extends Error {}

/** The entries of a record; throws OwnedFileError naming the first line that is not one meridian writes. */
export function parseOwned(text: string): OwnedEntry[] {
  const out: OwnedEntry[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const m = LINE.exec(line);
    const path = m?.[1];
    if (!m || path === undefined || path.split('/').some((s) => s === '.' || s === '..') || path === OWNED_FILE || seen.has(path)) {
      throw new OwnedFileError(`line ${i + 1} is not "<path> <environment>" for a file meridian writes`);
    }
    seen.add(path);
    out.push({ path, environment: m[2]! });
  });
  return out;
}

/**
 * The entries of the files of a synthesized bundle: argocd/ is shared, a top-level file is an environment
 * report (`<env>.report.md`), every other file belongs to the environment of its cluster folder.
 */
export function ownedEntriesOf(files: Iterable<string>, clusterEnvironment: ReadonlyMap<string, string>): OwnedEntry[] {
  const out: OwnedEntry[] = [];
  for (const file of files) {
    const slash = file.indexOf('/');
    const top = slash < 0 ? file : file.slice(0, slash);
    let environment: string | undefined;
    if (top === ARGOCD_FOLDER) environment = SHARED;
    else if (slash < 0) environment = file.endsWith('.report.md') ? file.slice(0, -'.report.md'.length) : undefined;
    else environment = clusterEnvironment.get(top);
    if (environment === undefined) throw new Error(`${file}: no environment owns this file of the bundle`);
    out.push({ path: file, environment });
  }
  return out;
}

/**
 * What a synth of `written` (the environments it rewrites) keeps of the entries already recorded: those
 * of other environments that still exist, outside the folders it writes now. Entries of environments
 * that are gone are dropped: no ApplicationSet excludes their folders any more, so keeping them would
 * deploy stale folders to clusters of the remaining environments.
 */
export function keptEntries(
  recorded: readonly OwnedEntry[],
  written: ReadonlySet<string>,
  existing: ReadonlySet<string>,
  newFiles: ReadonlySet<string>,
): OwnedEntry[] {
  const topOf = (p: string): string => (p.includes('/') ? p.slice(0, p.indexOf('/')) : p);
  const newTops = new Set([...newFiles].map(topOf));
  return recorded.filter(
    (e) => e.environment !== SHARED && !written.has(e.environment) && existing.has(e.environment) && !newTops.has(topOf(e.path)) && !newFiles.has(e.path),
  );
}
