// Construct tests: synthesize one construct in a bare chart and validate what it renders against the
// same schemas synth uses, so a construct cannot render an object the API server or CRD would refuse.
import { Chart, Testing } from 'cdk8s';
import { expect } from 'vitest';
import { validateManifest } from '../../src/validate/schema';

export function chart(): Chart {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}

/** The chart's objects, each checked against its schema. */
export function synthValid(c: Chart): any[] {
  const objects = Testing.synth(c);
  for (const o of objects) expect(validateManifest(o), `${o.kind}/${o.metadata?.name}`).toEqual([]);
  return objects;
}
