// Replaces an output tree atomically: the new tree is written beside it, then swapped in.
// On any failure before the swap the old tree is untouched; stale files vanish with the old tree.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WriteOptions {
  /**
   * Top-level entries of the output this write owns. Entries not listed are carried over from the
   * current tree (used by `--env`, which rewrites one environment's folders only).
   * @default - the write owns the whole tree
   */
  readonly owned?: readonly string[];
}

export function writeTreeAtomically(outDir: string, files: ReadonlyMap<string, string>, options: WriteOptions = {}): void {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.new-`));
  try {
    if (options.owned && fs.existsSync(target)) {
      for (const entry of fs.readdirSync(target)) {
        if (!options.owned.includes(entry)) fs.cpSync(path.join(target, entry), path.join(staging, entry), { recursive: true });
      }
    }
    const made = new Set<string>();
    for (const [rel, content] of files) {
      if (path.isAbsolute(rel) || rel.split('/').includes('..')) throw new Error(`refusing to write outside the output folder: ${rel}`);
      const file = path.join(staging, rel);
      const dir = path.dirname(file);
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      fs.writeFileSync(file, content);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  swap(staging, target);
}

function swap(staging: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(staging, target);
    return;
  }
  const old = `${staging}.old`;
  fs.renameSync(target, old);
  try {
    fs.renameSync(staging, target);
  } catch (e) {
    fs.renameSync(old, target);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
}
