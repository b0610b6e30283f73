// The record of owned files (src/lib/owned.ts) against the tree: what `meridian synth` would refuse to
// write over, or what was removed by hand, found before the next synth runs into it.
import { OWNED_FILE } from '../../lib/layout';
import { OwnedFileError, parseOwned } from '../../lib/owned';
import type { Finding, Rule } from '../rule';

export const ownedFilesRecorded: Rule = {
  id: 'MER081',
  name: 'owned-files-recorded',
  description: `when the tree has a ${OWNED_FILE}, it lists exactly the tree's files: a file it does not list was not written by meridian (synth refuses to run over it), a listed file that is missing was removed by hand`,
  fix: `move files meridian did not write out of the output folder, restore removed ones with \`meridian synth\`; never edit ${OWNED_FILE}`,
  check(tree) {
    if (tree.ownedRecord === undefined) return [];
    let listed: Set<string>;
    try {
      listed = new Set(parseOwned(tree.ownedRecord).map((e) => e.path));
    } catch (e) {
      if (!(e instanceof OwnedFileError)) throw e;
      return [{ file: OWNED_FILE, message: `${e.message}; restore the file meridian wrote (git checkout) and run \`meridian synth\`` }];
    }
    const out: Finding[] = [];
    const present = new Set(tree.files);
    for (const file of tree.files) {
      if (file !== OWNED_FILE && !listed.has(file)) out.push({ file, message: `${file} is not in ${OWNED_FILE}, so meridian did not write it and \`meridian synth\` refuses to run until it is moved out of ${tree.root}/` });
    }
    for (const file of [...listed].sort()) {
      if (!present.has(file)) out.push({ file: OWNED_FILE, message: `lists ${file}, which is missing: it was removed by hand; run \`meridian synth\` to restore it` });
    }
    return out;
  },
};
