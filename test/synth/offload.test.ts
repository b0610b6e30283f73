// Schema checks and YAML text per file: in the main thread or in a worker thread (large bundles), with
// objects that passed in an earlier run skipped. Whichever way, the files and verdicts are the same.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { synthesize } from '../../src/synth/synthesize';
import { ValidationCache } from '../../src/validate/cache';
import { FIXTURE_ENVIRONMENTS, readTree, synthFixture, tempDir } from '../helpers';

const namespace = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('ValidationCache', () => {
  it('records an object that passed, and a later run knows it without checking', () => {
    const dir = tempDir('meridian-cache-');
    const cache = ValidationCache.open(true, dir);
    expect(cache.validate(namespace('shop'))).toEqual([]);
    expect(cache.knows(namespace('shop'))).toBe(true);
    cache.save();
    const files = fs.readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^\.valid-[0-9a-f]{16}$/)]);
    expect(ValidationCache.open(true, dir).knows(namespace('shop'))).toBe(true);
    expect(ValidationCache.open(true, dir).knows(namespace('shop2'))).toBe(false);
  });

  it('never records an invalid object: it is reported on every run', () => {
    const dir = tempDir('meridian-cache-');
    const bad = namespace('Not_A_Label');
    const first = ValidationCache.open(true, dir);
    const violations = first.validate(bad);
    expect(violations).toEqual([expect.objectContaining({ path: '/metadata/name' })]);
    first.validate(namespace('ok'));
    first.save();
    const second = ValidationCache.open(true, dir);
    expect(second.knows(bad)).toBe(false);
    expect(second.validate(bad)).toEqual(violations);
  });

  it('any change to an object is a new object', () => {
    const dir = tempDir('meridian-cache-');
    const cache = ValidationCache.open(true, dir);
    cache.validate({ ...namespace('shop'), metadata: { name: 'shop', labels: { a: 'b' } } });
    expect(cache.knows({ ...namespace('shop'), metadata: { name: 'shop', labels: { a: 'c' } } })).toBe(false);
  });

  it('disabled, it neither reads nor writes the record', () => {
    const dir = tempDir('meridian-cache-');
    const enabled = ValidationCache.open(true, dir);
    enabled.validate(namespace('shop'));
    enabled.save();
    const before = readTree(dir);
    const disabled = ValidationCache.open(false, dir);
    expect(disabled.knows(namespace('shop'))).toBe(false);
    disabled.validate(namespace('other'));
    disabled.save();
    expect(readTree(dir)).toEqual(before);
    expect(ValidationCache.open(true, dir).knows(namespace('other'))).toBe(false);
  });

  it('a damaged or foreign cache file is ignored, and caches of other code versions are removed', () => {
    const dir = tempDir('meridian-cache-');
    const cache = ValidationCache.open(true, dir);
    cache.validate(namespace('shop'));
    cache.save();
    const [own] = fs.readdirSync(dir);
    fs.writeFileSync(path.join(dir, own!), 'garbage\n\u0000\nnot a digest at all, not at all\n');
    fs.writeFileSync(path.join(dir, '.valid-0000000000000000'), 'x\n');
    const damaged = ValidationCache.open(true, dir);
    expect(damaged.knows(namespace('shop'))).toBe(false);
    expect(damaged.validate(namespace('shop'))).toEqual([]);
    damaged.save();
    expect(fs.readdirSync(dir)).toEqual([own]);
  });

  it('a folder that cannot be written leaves the run unharmed', () => {
    const dir = path.join(tempDir('meridian-cache-'), 'missing', 'deeper');
    const cache = ValidationCache.open(true, dir);
    expect(cache.validate(namespace('shop'))).toEqual([]);
    expect(() => cache.save()).not.toThrow();
  });
});

// The worker runs compiled code (lib/, built by `npm test`'s pretest); under vitest, src/ runs inline.
const compiled = createRequire(__filename)('../../lib/src/synth/offload.js') as typeof import('../../src/synth/offload');

describe('offload', () => {
  const jobs = (): import('../../src/synth/render-file').FileJob[] => {
    const bundle = synthFixture('minimal');
    const files = [...new Set(bundle.objects.map((o) => o.file))];
    return [
      ...files.map((file) => ({ file, header: '# h\n', documents: bundle.objects.filter((o) => o.file === file).map((o) => o.manifest), validate: true })),
      { file: 'x/bad.yaml', header: '', documents: [namespace('Bad_Name'), namespace('good')], validate: true },
      { file: 'x/unchecked.yaml', header: '', documents: [namespace('Bad_Name')], validate: false },
    ];
  };
  const run = (where: 'inline' | 'worker'): unknown => {
    const offload = compiled.offloadFor(0, { where, cache: false });
    for (const job of jobs()) offload.add(job);
    return offload.finish();
  };

  it('a worker thread gives the same files and the same violations, in the same order, as the main thread', () => {
    const inline = run('inline');
    expect(run('worker')).toEqual(inline);
    expect((inline as { file: string; violations: string[] }[]).find((r) => r.file === 'x/bad.yaml')!.violations).toEqual([
      expect.stringMatching(/^dist\/x\/bad\.yaml: Namespace\/Bad_Name: \/metadata\/name: /),
    ]);
    expect((inline as { file: string; violations: string[] }[]).find((r) => r.file === 'x/unchecked.yaml')!.violations).toEqual([]);
  });

  it('a failure inside the worker is an error of the run, not a hang', () => {
    const offload = compiled.offloadFor(0, { where: 'worker', cache: false });
    // A Map crosses to the worker (structured clone) but is not YAML data.
    offload.add({ file: 'x/a.yaml', header: '', documents: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: new Map([['k', 'v']]) }], validate: false });
    expect(() => offload.finish()).toThrow(/the synthesis worker failed: .*unacceptable kind/s);
  });
});

describe('meridian synth with and without the worker', () => {
  it('writes byte-identical trees, equal to the in-process synthesis', () => {
    const envs = tempDir('meridian-envs-');
    for (const f of ['minimal.yaml', 'globalnet.yaml']) fs.copyFileSync(path.join(FIXTURE_ENVIRONMENTS, f), path.join(envs, f));
    const trees = (['inline', 'worker'] as const).map((mode) => {
      const out = path.join(tempDir('meridian-out-'), 'dist');
      const r = spawnSync(process.execPath, ['bin/meridian.js', 'synth', '-q', '--no-cache', '--environments', envs, '--out', out], { encoding: 'utf8', env: { ...process.env, MERIDIAN_OFFLOAD: mode } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return readTree(out);
    });
    expect(trees[1]).toEqual(trees[0]);
    const inProcess = synthesize(loadTopology(envs));
    expect(trees[0]).toEqual(new Map([...inProcess.files]));
  });
});
