// The committed dist/ must equal a fresh synth of environments/ (Bitnami's test_generated.sh).
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { synthesize } from '../../src/synth/synthesize';
import { OWNED_FILE, ownedEntriesOf, renderOwned } from '../../src/synth/owned';
import { readTree } from '../helpers';

describe('committed dist/', () => {
  it('equals a fresh synth of environments/ (dist is stale: run npm run synth)', () => {
    const topology = loadTopology('environments');
    const bundle = synthesize(topology);
    // The record of owned files meridian writes beside the bundle (src/synth/owned.ts).
    const clusterEnvironment = new Map(topology.environments.flatMap((e) => e.clusters.map((c) => [c.name, e.name] as const)));
    const fresh = new Map([...bundle.files, [OWNED_FILE, renderOwned(ownedEntriesOf(bundle.files.keys(), clusterEnvironment))]]);
    const committed = readTree('dist');
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [file, content] of fresh) expect(committed.get(file), `dist/${file} is stale: run npm run synth`).toBe(content);
  });
});
