// Reads the files of a folder at a git revision without checking anything out: `git ls-tree` lists
// them with their blob ids, `git cat-file --batch` reads only the blobs asked for.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class GitError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

function git(args: readonly string[], cwd: string, input?: Buffer): Buffer {
  try {
    return execFileSync('git', args, { cwd, input, maxBuffer: 1024 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer; message: string };
    if (err.code === 'ENOENT') throw new GitError('git is not installed or not on PATH');
    const detail = err.stderr?.toString().trim().split('\n')[0] ?? err.message;
    throw new GitError(`git ${args[0]!} failed: ${detail}`);
  }
}

/** The nearest existing directory at or above `p` (the output folder may not exist in the working tree). */
function existingAncestor(p: string): string {
  let dir = path.resolve(p);
  while (!fs.existsSync(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? dir : path.dirname(dir);
}

/** The files of a folder at one revision, as `git ls-tree` lists them: nothing is read yet. */
export interface FolderListing {
  /** The repository's top-level directory. */
  readonly top: string;
  /** The commit the revision names. */
  readonly commit: string;
  /** Path relative to the folder -> git blob id, sorted by path. */
  readonly blobs: ReadonlyMap<string, string>;
}

/**
 * Every file under `dir` as committed at `ref`, by blob id. A folder that does not exist at that revision
 * is empty. `flag` names the option the revision came from, for the message when it is unknown.
 */
export function listFolderAtRef(dir: string, ref: string, flag = '--base'): FolderListing {
  const cwd = existingAncestor(dir);
  const top = git(['rev-parse', '--show-toplevel'], cwd).toString().trim();
  const rel = path.relative(fs.realpathSync(top), path.join(fs.realpathSync(cwd), path.relative(cwd, path.resolve(dir)))).split(path.sep).join('/');
  if (rel.startsWith('..')) throw new GitError(`${dir} is outside the git repository at ${top}`);
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top).toString().trim();
  } catch {
    throw new GitError(`unknown revision "${ref}"; give a branch, tag or commit (${flag})`);
  }
  const listing = git(['ls-tree', '-r', '-z', '--full-tree', commit, '--', rel === '' ? '.' : rel], top).toString();
  const blobs: [string, string][] = [];
  for (const line of listing.split('\0')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const [, type, sha] = line.slice(0, tab).split(' ');
    const full = line.slice(tab + 1);
    if (type !== 'blob') continue;
    const file = rel === '' ? full : full.slice(rel.length + 1);
    if (file.split('/').some((s) => s.startsWith('.'))) continue;
    blobs.push([file, sha!]);
  }
  return { top, commit, blobs: new Map(blobs.sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))) };
}

/** The text of the given files of a listing (one `git cat-file --batch`; each distinct blob is read once). */
export function readBlobs(listing: FolderListing, files: Iterable<string>): Map<string, string> {
  const wanted = [...files].map((file) => {
    const sha = listing.blobs.get(file);
    if (sha === undefined) throw new Error(`${file} is not in the listing of ${listing.commit}`);
    return { file, sha };
  });
  const shas = [...new Set(wanted.map((w) => w.sha))];
  const texts = new Map<string, string>();
  if (shas.length > 0) {
    const batch = git(['cat-file', '--batch'], listing.top, Buffer.from(shas.map((sha) => `${sha}\n`).join('')));
    let offset = 0;
    for (const sha of shas) {
      const eol = batch.indexOf(0x0a, offset);
      const header = batch.subarray(offset, eol).toString();
      const size = Number(header.split(' ')[2]);
      if (!header.startsWith(sha) || !Number.isFinite(size)) throw new GitError(`unexpected output of git cat-file for blob ${sha}: ${header}`);
      texts.set(sha, batch.subarray(eol + 1, eol + 1 + size).toString('utf8'));
      offset = eol + 1 + size + 1;
    }
  }
  return new Map(wanted.map((w) => [w.file, texts.get(w.sha)!]));
}

/**
 * Every file under `dir` as committed at `ref`: path relative to `dir` -> content, sorted by path. A folder
 * that does not exist at that revision is empty (everything in the fresh synth is then added).
 */
export function readFolderAtRef(dir: string, ref: string): Map<string, string> {
  const listing = listFolderAtRef(dir, ref);
  return readBlobs(listing, listing.blobs.keys());
}

/** The id git gives a blob with this text (`git hash-object`): sha1 of `blob <byte length>\0<bytes>`. */
export function gitBlobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
