// A real `meridian synth` child process, stopped by SIGKILL or SIGINT at chosen steps of the write: the
// output is the old tree or the new one, at once or after the recovery every meridian command runs first,
// and nothing is left behind that a later run trips over.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthToDisk } from '../../src/main';
import { recoverOutput } from '../../src/synth/write';
import { FIXTURE_ENVIRONMENTS, readTree } from '../helpers';
import { scratch } from './scratch';

const BIN = path.resolve('bin/meridian.js');
const PRELOAD = path.resolve('test/synth/kill-at.cjs');
const V1 = fs.readFileSync(`${FIXTURE_ENVIRONMENTS}/minimal.yaml`, 'utf8');
const V2 = V1.replace('replicas: 7', 'replicas: 8');

function synthChild(root: string, kill: string): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', PRELOAD, BIN, 'synth', '-q', '--no-cache'], { cwd: root, env: { ...process.env, MERIDIAN_TEST_KILL: kill }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ signal, code, stderr }));
  });
}

describe('a synth child killed at any step of the write', () => {
  // Where the writer is stopped, and what the output must be right away (undefined: no dist/ until the
  // next meridian command recovers) and after that recovery.
  const points = [
    { step: 'writing the first file of the new tree', kill: 'writeFileSync:meridian-new/east/:SIGKILL', now: 'old', after: 'old' },
    { step: 'interrupted (Ctrl-C) while writing the new tree', kill: 'writeFileSync:meridian-new/west/:SIGINT', now: 'old', after: 'old' },
    { step: 'between the two renames', kill: 'renameSync:meridian-new:SIGKILL', now: undefined, after: 'new' },
    { step: 'after the swap, before the cleanup', kill: 'rmSync:meridian-commit:SIGKILL', now: 'new', after: 'new' },
  ] as const;

  it('leaves the old tree or the new one, and no leftovers once recovered', async () => {
    // The report names its environment file relative to the working directory, which differs between
    // these in-process synths and the child's: compare it without that path.
    const normalized = (dir: string): Map<string, string> =>
      new Map([...readTree(dir)].map(([f, text]) => [f, text.replace(/from \S*environments\/minimal\.yaml/, 'from environments/minimal.yaml')]));
    const expected = scratch({ environment: V2 });
    synthToDisk({ envDir: expected.envs, outDir: expected.out });
    const runs = points.map(() => {
      const r = scratch({ environment: V1 });
      synthToDisk({ envDir: r.envs, outDir: r.out });
      fs.writeFileSync(path.join(r.envs, 'minimal.yaml'), V2);
      return r;
    });
    const trees = { old: normalized(runs[0]!.out), new: normalized(expected.out) };
    expect(trees.new).not.toEqual(trees.old);
    const results = await Promise.all(points.map((p, i) => synthChild(runs[i]!.root, p.kill)));
    points.forEach((p, i) => {
      const r = runs[i]!;
      expect(results[i]!.signal, `${p.step}: ${results[i]!.stderr}`).toBe(p.kill.split(':')[2]);
      if (p.now === undefined) expect(fs.existsSync(r.out), p.step).toBe(false);
      else expect(normalized(r.out), p.step).toEqual(trees[p.now]);
      recoverOutput(r.out);
      expect(normalized(r.out), p.step).toEqual(trees[p.after]);
      expect(fs.readdirSync(r.root).filter((n) => n.startsWith('.dist')), p.step).toEqual([]);
    });
  }, 60_000);
});
