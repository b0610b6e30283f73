// The record of the files meridian wrote into an output folder (`dist/meridian-owned.txt`): which files
// it owns, and the environment each belongs to. A synth replaces and removes only the files listed
// there and refuses to run over anything else (src/synth/write.ts); `meridian validate` checks that the
// tree holds exactly what it lists (MER081). Pure: text in, entries out.
import { OWNED_FILE } from './layout';

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

