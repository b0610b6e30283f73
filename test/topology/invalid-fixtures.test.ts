// One fixture per loader rule (test/fixtures/invalid): each must fail with exactly the located
// messages in its .expected file, never crash and never pass.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { buildTopology, parseEnvironment, TopologyError } from '../../src/topology';

const dir = 'test/fixtures/invalid';
const fixtures = fs
  .readdirSync(dir)
  .filter((f) => !f.endsWith('.expected'))
  .sort();

function load(fixture: string): void {
  const p = path.join(dir, fixture);
  if (fs.statSync(p).isDirectory()) loadTopology(p);
  else buildTopology([parseEnvironment(fs.readFileSync(p), p)]);
}

describe('invalid environment files', () => {
  it('has a fixture for every rule', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(45);
  });

  it.each(fixtures)('fails %s with its expected located errors', (fixture) => {
    const expected = fs.readFileSync(path.join(dir, `${fixture.replace(/\.yaml$/, '')}.expected`), 'utf8').trimEnd();
    let error: unknown;
    try {
      load(fixture);
    } catch (e) {
      error = e;
    }
    expect(error, `${fixture} was accepted`).toBeInstanceOf(TopologyError);
    const message = (error as TopologyError).message;
    expect(message).toBe(expected);
    for (const line of message.split('\n')) expect(line).toMatch(/^test\/fixtures\/invalid\/[^:]+:\d+:\d+: \S.*: \S/);
  });
});
