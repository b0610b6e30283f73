// Which files of a synthesized bundle meridian owns, and which recorded files a `--env` synth keeps.
// The record's format is in src/lib/owned.ts (the validator reads it too). Pure: no IO.
import { ARGOCD_FOLDER } from '../lib/layout';
import { SHARED, type OwnedEntry } from '../lib/owned';

export { OWNED_FILE } from '../lib/layout';
export { OwnedFileError, parseOwned, renderOwned, SHARED, type OwnedEntry } from '../lib/owned';

/**
 * The entries of the files of a synthesized bundle: argocd/ is shared, a top-level file is an environment's
 * (`<env>.report.md`, `<env>.prerequisites.json`), every other file belongs to the environment of its cluster folder.
 */
export function ownedEntriesOf(files: Iterable<string>, clusterEnvironment: ReadonlyMap<string, string>): OwnedEntry[] {
  const out: OwnedEntry[] = [];
  const environments = new Set(clusterEnvironment.values());
  for (const file of files) {
    const slash = file.indexOf('/');
    const top = slash < 0 ? file : file.slice(0, slash);
    let environment: string | undefined;
    if (top === ARGOCD_FOLDER) environment = SHARED;
    // A file beside the folders is the environment's own (`<env>.report.md`, `<env>.prerequisites.json`):
    // environment names are DNS labels, so the name is what precedes the first dot.
    else if (slash < 0) environment = environments.has(file.slice(0, file.indexOf('.'))) ? file.slice(0, file.indexOf('.')) : undefined;
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
