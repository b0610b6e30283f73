// Valid environment files with surprising choices (test/fixtures/warnings): each loads, and its
// warnings are exactly the located lines of its .expected file (empty: none). `--strict` turns the
// same lines into errors (src/main.ts), so they must be located and say what to do.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTopology, formatProblem, parseEnvironment } from '../../src/topology';

const dir = 'test/fixtures/warnings';
const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('environment files with warnings', () => {
  it('has fixtures, some warning and some clean', () => {
    const expected = fixtures.map((f) => fs.readFileSync(path.join(dir, f.replace(/\.yaml$/, '.expected')), 'utf8'));
    expect(expected.some((e) => e.trim() === '')).toBe(true);
    expect(expected.some((e) => e.trim() !== '')).toBe(true);
  });

  it.each(fixtures)('loads %s with exactly its expected warnings', (fixture) => {
    const p = path.join(dir, fixture);
    const expected = fs.readFileSync(p.replace(/\.yaml$/, '.expected'), 'utf8').trimEnd();
    const warnings = buildTopology([parseEnvironment(fs.readFileSync(p), p)]).warnings.map(formatProblem);
    expect(warnings.join('\n')).toBe(expected);
    for (const w of warnings) expect(w).toMatch(/^test\/fixtures\/warnings\/[^:]+:\d+:\d+: \S.*: \S/);
  });
});
