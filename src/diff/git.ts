// Reads the files of a folder at a git revision without checking anything out
// (`git ls-tree` + `git cat-file --batch`).
import { execFileSync } from 'node:child_process';
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

/**
 * Every file under `dir` as committed at `ref`: path relative to `dir` -> content. A folder that does
 * not exist at that revision is empty (everything in the fresh synth is then added).
 */
export function readFolderAtRef(dir: string, ref: string): Map<string, string> {
  const cwd = existingAncestor(dir);
  const top = git(['rev-parse', '--show-toplevel'], cwd).toString().trim();
  const rel = path.relative(fs.realpathSync(top), path.join(fs.realpathSync(cwd), path.relative(cwd, path.resolve(dir)))).split(path.sep).join('/');
  if (rel.startsWith('..')) throw new GitError(`${dir} is outside the git repository at ${top}`);
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top);
  } catch {
    throw new GitError(`unknown revision "${ref}"; give a branch, tag or commit (--base)`);
  }
  const listing = git(['ls-tree', '-r', '-z', '--full-tree', ref, '--', rel === '' ? '.' : rel], top).toString();
  const blobs: { file: string; sha: string }[] = [];
  for (const line of listing.split('\0')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const [, type, sha] = line.slice(0, tab).split(' ');
    const full = line.slice(tab + 1);
    if (type !== 'blob') continue;
    const file = rel === '' ? full : full.slice(rel.length + 1);
    if (file.split('/').some((s) => s.startsWith('.'))) continue;
    blobs.push({ file, sha: sha! });
  }
  const out = new Map<string, string>();
  if (blobs.length === 0) return out;
  const batch = git(['cat-file', '--batch'], top, Buffer.from(blobs.map((b) => `${b.sha}\n`).join('')));
  let offset = 0;
  for (const b of blobs) {
    const eol = batch.indexOf(0x0a, offset);
    const header = batch.subarray(offset, eol).toString();
    const size = Number(header.split(' ')[2]);
    if (!header.startsWith(b.sha) || !Number.isFinite(size)) throw new GitError(`unexpected output of git cat-file for ${b.file}: ${header}`);
    out.set(b.file, batch.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    offset = eol + 1 + size + 1;
  }
  return new Map([...out].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)));
}
