// The committed dist/ must equal a fresh synth of environments/ (Bitnami's test_generated.sh).
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { synthesize } from '../../src/synth/synthesize';
import { readTree } from '../helpers';

describe('committed dist/', () => {
  it('equals a fresh synth of environments/ (dist is stale: run npm run synth)', () => {
    const fresh = synthesize(loadTopology('environments')).files;
    const committed = readTree('dist');
    expect([...committed.keys()]).toEqual([...fresh.keys()]);
    for (const [file, content] of fresh) expect(committed.get(file), `dist/${file} is stale: run npm run synth`).toBe(content);
  });
});
