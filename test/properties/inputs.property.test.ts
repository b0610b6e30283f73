// Hostile values in any field never crash meridian: every mutation of one field of the default
// environment either loads and synthesizes a bundle that passes every rule, or is a located
// TopologyError. (The wider fuzz run by hand covered every field with these values.)
import { fc, test } from '@fast-check/vitest';
import * as fs from 'node:fs';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { synthesize } from '../../src/synth/synthesize';
import { buildTopology, parseEnvironment, TopologyError } from '../../src/topology';
import { treeFromObjects, validateTree } from '../../src/validate';

const BASE = parse(fs.readFileSync('environments/prod.yaml', 'utf8'));

/** Paths of every scalar of the environment. */
function leaves(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  } else {
    out.push(at);
  }
  return out;
}
const PATHS = leaves(BASE);

const label = (n: number): string => `a${'b'.repeat(n - 1)}`;
/** Boundary lengths (DNS label 63/64, DNS name 253), wrong types, unicode, control characters, ports. */
const hostile = fc.oneof(
  fc.constantFrom(label(40), label(41), label(63), label(64), `${label(63)}.${label(63)}.${label(63)}.${label(61)}`, '', 'Ünï', '9abc', '01234', '1.10', 'a\u0000b', 'kube-system', 'vault', 'x.example.com:99999', 'https://a.example.com:65536', '010.0.0.0/8', '10.0.0.0/32', '../x'),
  fc.constantFrom(0, -1, 65536, 15001, 1.5, true, null),
  fc.string({ maxLength: 80 }),
);

test.prop([fc.constantFrom(...PATHS), hostile], { numRuns: 25 })('a hostile value in any one field is a located error or a valid bundle', (at, value) => {
  const env = structuredClone(BASE);
  const parent = at.slice(0, -1).reduce((o: any, k) => o[k], env);
  parent[at[at.length - 1]!] = value;
  let topology;
  try {
    topology = buildTopology([parseEnvironment(stringify(env), 'prop.yaml')]);
  } catch (e) {
    expect(e).toBeInstanceOf(TopologyError);
    for (const line of (e as Error).message.split('\n')) expect(line).toMatch(/^prop\.yaml:\d+:\d+: /);
    return;
  }
  const bundle = synthesize(topology);
  expect(validateTree(treeFromObjects(bundle.files, bundle.objects, 'dist'), { skip: ['MER001'] })).toEqual([]);
});
