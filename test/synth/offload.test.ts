// Schema checks and YAML text per file: in the main thread or in a worker thread (large bundles), with
// objects that passed in an earlier run skipped. Whichever way, the files and verdicts are the same.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { synthesize } from '../../src/synth/synthesize';
import { readValidationRecord, ValidationCache, writeValidationRecord } from '../../src/validate/cache';
import { OWNED_FILE } from '../../src/synth/owned';
import { FIXTURE_ENVIRONMENTS, readTree, synthFixture, tempDir, topologyOf } from '../helpers';

const namespace = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('ValidationCache and its record', () => {
  /** One run: checks the objects against the record in `dir`, then records what passed. */
  const runWith = (dir: string, objects: Record<string, unknown>[]): { cache: ValidationCache; violations: unknown[][] } => {
    const record = readValidationRecord(dir);
    const cache = new ValidationCache(record.known);
    const violations = objects.map((o) => cache.validate(o));
    writeValidationRecord(record, cache.added());
    return { cache, violations };
  };
  const knownIn = (dir: string): ValidationCache => new ValidationCache(readValidationRecord(dir).known);

  it('records an object that passed, and a later run knows it without checking', () => {
    const dir = tempDir('meridian-cache-');
    const { cache, violations } = runWith(dir, [namespace('shop')]);
    expect(violations).toEqual([[]]);
    expect(cache.knows(namespace('shop'))).toBe(true);
    expect(cache.added()).toHaveLength(1);
    expect(fs.readdirSync(dir)).toEqual([expect.stringMatching(/^\.valid-[0-9a-f]{16}$/)]);
    expect(knownIn(dir).knows(namespace('shop'))).toBe(true);
    expect(knownIn(dir).knows(namespace('shop2'))).toBe(false);
    expect(runWith(dir, [namespace('shop')]).cache.added()).toEqual([]);
  });

  it('never records an invalid object: it is reported on every run', () => {
    const dir = tempDir('meridian-cache-');
    const bad = namespace('Not_A_Label');
    const first = runWith(dir, [bad, namespace('ok')]);
    expect(first.violations[0]).toEqual([expect.objectContaining({ path: '/metadata/name' })]);
    expect(knownIn(dir).knows(bad)).toBe(false);
    expect(runWith(dir, [bad]).violations[0]).toEqual(first.violations[0]);
  });

  it('any change to an object is a new object', () => {
    const cache = new ValidationCache();
    cache.validate({ ...namespace('shop'), metadata: { name: 'shop', labels: { a: 'b' } } });
    expect(cache.knows({ ...namespace('shop'), metadata: { name: 'shop', labels: { a: 'c' } } })).toBe(false);
  });

  it('checks an object that appears twice in one run once', () => {
    const cache = new ValidationCache();
    cache.validate(namespace('shop'));
    cache.validate(namespace('shop'));
    expect(cache.added()).toHaveLength(1);
  });

  it('a damaged or foreign record is ignored, and records of other code versions are removed', () => {
    const dir = tempDir('meridian-cache-');
    runWith(dir, [namespace('shop')]);
    const [own] = fs.readdirSync(dir);
    fs.writeFileSync(path.join(dir, own!), 'garbage\n\u0000\nnot a digest at all, not at all\n');
    fs.writeFileSync(path.join(dir, '.valid-0000000000000000'), 'x\n');
    expect(knownIn(dir).knows(namespace('shop'))).toBe(false);
    expect(runWith(dir, [namespace('shop')]).violations).toEqual([[]]);
    expect(fs.readdirSync(dir)).toEqual([own]);
    expect(knownIn(dir).knows(namespace('shop'))).toBe(true);
  });

  it('a folder that cannot be written leaves the run unharmed', () => {
    const blocker = path.join(tempDir('meridian-cache-'), 'a-file');
    fs.writeFileSync(blocker, 'a file where the cache folder would be');
    const dir = path.join(blocker, 'deeper');
    expect(() => runWith(dir, [namespace('shop')])).not.toThrow();
    expect(readValidationRecord(dir).known).toEqual([]);
  });
});

describe('synthesize and the record', () => {
  it('reports the digests of the objects it checked, and checks none of those it is told passed before', () => {
    const topology = topologyOf(path.join(FIXTURE_ENVIRONMENTS, 'minimal.yaml'));
    const unseen = synthesize(topology, { offload: { known: [] } });
    expect(unseen.checked.length).toBeGreaterThan(0);
    expect(unseen.checked.length).toBe(new Set(unseen.checked).size);
    const again = synthesize(topology, { offload: { known: unseen.checked } });
    expect(again.checked).toEqual([]);
    expect([...again.files]).toEqual([...unseen.files]);
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
    const offload = compiled.offloadFor(0, { where });
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
    const offload = compiled.offloadFor(0, { where: 'worker' });
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
      // fleet's located warnings (globalnet switched on by auto, an even voter count) and nothing else
      expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '))).toEqual([]);
      expect(r.status).toBe(0);
      return readTree(out);
    });
    expect(trees[1]).toEqual(trees[0]);
    const inProcess = synthesize(loadTopology(envs));
    // Beside the bundle, the writer records the files it owns (src/synth/owned.ts).
    expect(trees[0].get(OWNED_FILE)).toMatch(/^minimal\.report\.md minimal$/m);
    expect(new Map([...trees[0]].filter(([f]) => f !== OWNED_FILE))).toEqual(new Map([...inProcess.files]));
  });
});
