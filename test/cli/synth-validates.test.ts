// synth runs the validation rules on the fresh bundle and writes nothing when one fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli';
import { readTree, tempDir } from '../helpers';

// A synthesizer that slips a stray file into a cluster folder: MER080 must catch it before writing.
vi.mock('../../src/synth/synthesize', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/synth/synthesize')>();
  return {
    ...original,
    synthesize: (...args: Parameters<typeof original.synthesize>) => {
      const bundle = original.synthesize(...args);
      return process.env.MERIDIAN_TEST_STRAY ? { ...bundle, files: new Map([...bundle.files, ['cluster1/NOTES.md', 'hand-written\n']]) } : bundle;
    },
  };
});

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), color: false };
  return { code: main(argv, io), out, err };
}

describe('meridian synth validates before it writes', () => {
  it('exits 1, names the rule and leaves the output untouched', () => {
    const out = path.join(tempDir(), 'dist');
    expect(run('synth', '--out', out, '--quiet').code).toBe(EXIT.OK);
    const before = readTree(out);
    process.env.MERIDIAN_TEST_STRAY = '1';
    try {
      const r = run('synth', '--out', out);
      expect(r.code).toBe(EXIT.ERROR);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/dist\/cluster1\/NOTES\.md:1:1: MER080 kustomization-lists-every-manifest: cluster1\/NOTES\.md is not a manifest/);
      expect(r.err).toMatch(/1 problem\(s\) in the generated output; nothing was written/);
    } finally {
      delete process.env.MERIDIAN_TEST_STRAY;
    }
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });
});
