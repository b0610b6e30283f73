// Every bundle meridian synthesizes passes every rule: the fixture environments, and random valid
// environments (the report of each must render too).
import * as fs from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report';
import { synthesize } from '../../src/synth/synthesize';
import { buildTopology, parseEnvironment } from '../../src/topology';
import { treeFromFiles, validateTree, violationLine } from '../../src/validate';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';
import { envShape, membersOf, renderEnvironment } from '../properties/arbitraries';

describe('synthesized bundles', () => {
  it('of all fixture environments together pass every rule', () => {
    const bundle = synthesize(topologyOf(...['active-passive', 'globalnet', 'minimal'].map((f) => `${FIXTURE_ENVIRONMENTS}/${f}.yaml`)));
    expect(validateTree(treeFromFiles(bundle.files)).map(violationLine)).toEqual([]);
  });

  // Each fixture alone too: placement, hubs and operate exercise what the three above do not.
  it.each(fs.readdirSync(FIXTURE_ENVIRONMENTS).filter((f) => f.endsWith('.yaml')).sort())('of fixture %s pass every rule', (file) => {
    const bundle = synthesize(topologyOf(`${FIXTURE_ENVIRONMENTS}/${file}`));
    expect(validateTree(treeFromFiles(bundle.files)).map(violationLine)).toEqual([]);
  });

  test.prop([envShape], { numRuns: 10 })('of generated environments pass every rule and report their quorum', (shape) => {
    const topology = buildTopology([parseEnvironment(renderEnvironment(shape), 'prop.yaml')]);
    const bundle = synthesize(topology);
    expect(validateTree(treeFromFiles(bundle.files)).map(violationLine)).toEqual([]);
    const report = buildReport(topology.environments[0]!);
    for (const s of report.stores) {
      expect(s.members).toBe(membersOf(shape, s.kind).length * Object.values(s.votersPerCluster)[0]!);
      expect(s.clustersItCanLose).toBeGreaterThanOrEqual(1);
    }
    expect(report.tunnels.pairs).toHaveLength((shape.clusters * (shape.clusters - 1)) / 2);
  });
});
