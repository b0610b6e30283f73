// `meridian synth --out` through the command line: refusals exit 2 and say that nothing was written;
// file-system errors exit 1 as `path: what is wrong`, never a stack trace; validate first restores a
// tree that a killed synth left set aside.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli';
import { synthToDisk } from '../../src/main';
import { readTree } from '../helpers';
import { scratch } from '../synth/scratch';

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), color: false };
  return { code: main(argv, io), out, err };
}

describe('meridian synth --out', () => {
  it('exits 2 on a refused folder, says why and that nothing was written', () => {
    const r = scratch();
    const res = run('synth', '--environments', r.envs, '--out', r.root);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.err).toMatch(/^--out .*: holds \.git, so it is the root of a repository; give a folder inside it/);
    expect(res.err).toMatch(/the output folder was refused; nothing was written\n$/);
    expect(fs.readdirSync(r.root).sort()).toEqual(['.git', 'environments']);
  });

  it('exits 2 when --out is not the argocd.path of the environments', () => {
    const r = scratch();
    const res = run('synth', '--environments', r.envs, '--out', path.join(r.root, 'elsewhere'));
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.err).toMatch(/minimal\.yaml:5:1: argocd\.path: is "dist", but --out .*elsewhere writes to elsewhere/);
  });

  it('exits 1 on a write error, with the path and no stack trace', () => {
    const r = scratch();
    // A file where a parent folder of --out must go: fails for root too, unlike a chmod-ed folder.
    const blocked = path.join(r.root, 'blocked');
    fs.writeFileSync(blocked, 'a file\n');
    const res = run('synth', '--environments', r.envs, '--out', path.join(blocked, 'dist'));
    expect(res.code).toBe(EXIT.ERROR);
    expect(res.err).toMatch(/blocked: a file stands where a folder is needed; .*dist was left as it was\n$/);
    expect(res.err).not.toMatch(/internal error|\n\s+at /);
  });

  it('validate puts back the tree a killed synth left set aside', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    const before = readTree(r.out);
    fs.renameSync(r.out, path.join(r.root, '.dist.meridian-old'));
    fs.mkdirSync(path.join(r.root, '.dist.meridian-new'));
    expect(run('validate', r.out).code).toBe(EXIT.OK);
    expect(readTree(r.out)).toEqual(before);
    expect(fs.readdirSync(r.root).sort()).toEqual(['.git', 'dist', 'environments']);
  });
});
