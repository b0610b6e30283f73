// bin/meridian.js loads the bundled CLI (lib/meridian.js) through a V8 code cache. Here it runs against
// small stand-in bundles in a scratch copy of the layout, so the cache's life cycle can be observed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers';

const BUNDLE = `'use strict';
const path = require('node:path');
exports.main = (argv) => {
  if (argv[0] === 'throw') throw new Error('boom from the bundle');
  process.stdout.write(JSON.stringify({ argv, file: path.basename(__filename), dir: path.basename(__dirname), resolves: typeof require.resolve('node:fs') }) + '\\n');
  return argv[0] === 'fail' ? 3 : 0;
};
`;

function layout(bundle: string | null = BUNDLE): { root: string; cache: string; run: (...argv: string[]) => { status: number | null; stdout: string; stderr: string } } {
  const root = tempDir('meridian-bin-');
  fs.mkdirSync(path.join(root, 'bin'));
  fs.mkdirSync(path.join(root, 'lib', 'src', 'cli'), { recursive: true });
  fs.copyFileSync('bin/meridian.js', path.join(root, 'bin', 'meridian.js'));
  if (bundle !== null) fs.writeFileSync(path.join(root, 'lib', 'meridian.js'), bundle);
  // The code cache goes to the cache folder ($XDG_CACHE_HOME/meridian here), never into the installation.
  const env = { ...process.env, XDG_CACHE_HOME: path.join(root, 'cache') };
  const run = (...argv: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [path.join(root, 'bin', 'meridian.js'), ...argv], { encoding: 'utf8', env });
  return { root, cache: path.join(root, 'cache', 'meridian', 'meridian.js.cache'), run };
}

describe('bin/meridian.js', () => {
  it('runs the bundle as a CommonJS module with its arguments, and passes its exit code on', () => {
    const l = layout();
    const r = l.run('synth', '-q');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ argv: ['synth', '-q'], file: 'meridian.js', dir: 'lib', resolves: 'string' });
    expect(l.run('fail').status).toBe(3);
  });

  it('writes the code cache after the first run and reuses it unchanged afterwards', () => {
    const l = layout();
    expect(fs.existsSync(l.cache)).toBe(false);
    l.run('a');
    const first = fs.readFileSync(l.cache);
    expect(first.length).toBeGreaterThan(0);
    const stamp = new Date(2001, 0, 1);
    fs.utimesSync(l.cache, stamp, stamp);
    expect(l.run('b').status).toBe(0);
    expect(fs.statSync(l.cache).mtime).toEqual(stamp); // accepted by V8: not rewritten
  });

  it('replaces a damaged cache or one made for other source, and still runs', () => {
    const l = layout();
    fs.mkdirSync(path.dirname(l.cache), { recursive: true });
    fs.writeFileSync(l.cache, 'not a code cache');
    const r = l.run('a');
    expect(r.status).toBe(0);
    expect(fs.readFileSync(l.cache, 'utf8')).not.toBe('not a code cache');
    const old = fs.readFileSync(l.cache);
    // Same length, other code: V8 itself would accept the cache (it checks the length of the source).
    const bundle = path.join(l.root, 'lib', 'meridian.js');
    fs.writeFileSync(bundle, BUNDLE.replace("argv[0] === 'fail' ? 3 : 0", "argv[0] === 'fail' ? 3 : 7"));
    fs.utimesSync(bundle, new Date(2030, 0, 1), new Date(2030, 0, 1));
    expect(l.run('a').status).toBe(7);
    expect(fs.readFileSync(l.cache).equals(old)).toBe(false);
  });

  it('never writes into the installation, and runs without a cache when the cache folder is unwritable', () => {
    const l = layout();
    l.run('a');
    expect(fs.readdirSync(path.join(l.root, 'lib')).sort()).toEqual(['meridian.js', 'src']);
    fs.rmSync(path.join(l.root, 'cache'), { recursive: true });
    fs.writeFileSync(path.join(l.root, 'cache'), 'a file where the cache folder would be');
    const r = l.run('b');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(fs.existsSync(l.cache)).toBe(false);
  });

  it("shows the bundle's own errors", () => {
    const r = layout().run('throw');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('boom from the bundle');
  });

  it('without a bundle, loads the compiled modules, and says how to build when there are none', () => {
    const l = layout(null);
    const missing = l.run('synth');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('meridian: not built yet; run `npm run build` (or `npm run synth`) first\n');
    fs.writeFileSync(path.join(l.root, 'lib', 'src', 'cli', 'index.js'), BUNDLE);
    const r = l.run('x');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ argv: ['x'], file: 'index.js' });
    expect(fs.existsSync(l.cache)).toBe(false);
  });
});
