import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { buildTopology, clusterViews, parseEnvironment, splitEvenly } from '../../src/topology';
import { envShape, membersOf, renderEnvironment } from './arbitraries';

const load = (text: string) => buildTopology([parseEnvironment(text, 'prop.yaml')]).environments[0]!;

describe('replica split', () => {
  test.prop([fc.integer({ min: 0, max: 100_000 }), fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 50 })])(
    'sums to the total, differs by at most one, and favours the first keys',
    (total, keys) => {
      const split = splitEvenly(total, keys);
      const shares = keys.map((k) => split[k]!);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      for (let i = 1; i < shares.length; i++) expect(shares[i - 1]!).toBeGreaterThanOrEqual(shares[i]!);
    },
  );
});

describe('model invariants over generated environments', () => {
  test.prop([envShape], { numRuns: 150 })('every valid environment loads and keeps its invariants', (shape) => {
    const env = load(renderEnvironment(shape));
    for (const s of env.services) {
      // replica shares sum to the total and no active cluster gets zero
      const shares = s.activeIn.map((c) => s.replicasByCluster[c]!);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(s.replicas);
      expect(Math.min(...shares)).toBeGreaterThanOrEqual(1);
      // at least one cluster serves; drained ∪ serving = active
      expect(s.servingIn.length).toBeGreaterThan(0);
      expect([...s.servingIn, ...s.drainedIn].sort()).toEqual([...s.activeIn].sort());
      for (const [, a] of Object.entries(s.autoscalingByCluster ?? {})) {
        expect(a.minReplicas).toBeGreaterThanOrEqual(1);
        expect(a.maxReplicas).toBeGreaterThanOrEqual(a.minReplicas);
      }
    }
    for (const store of [env.vault!, env.cockroachdb!]) {
      // placement: exactly the member clusters, in cluster order; every pod of every member exactly once
      const members = membersOf(shape, store.kind).map((i) => `c${i}`);
      expect(store.clusters).toEqual(members);
      expect([...new Set(store.peers.map((p) => p.cluster))]).toEqual(members);
      expect(Object.keys(store.quorum.votersPerCluster)).toEqual(members);
      // the loss of any one cluster keeps quorum
      expect(new Set(store.peers.map((p) => p.host)).size).toBe(members.length * store.replicasPerCluster);
      expect(store.quorum.voters - store.replicasPerCluster).toBeGreaterThanOrEqual(store.quorum.quorum);
      expect(store.quorum.clustersItCanLose).toBeGreaterThanOrEqual(1);
    }
    // globalnet slices are disjoint and present exactly when networks overlap
    expect(env.submariner.globalnet).toBe(shape.overlapping);
    if (shape.overlapping) expect(new Set(env.clusters.map((c) => c.globalCIDR)).size).toBe(shape.clusters);
    // every cluster view sees the same peer list
    const views = clusterViews({ environments: [env] });
    for (const v of views) expect(v.vault!.peers).toBe(env.vault!.peers);
    // the Vault voter bound holds; store pods only in member clusters
    expect(env.vault!.quorum.voters).toBeLessThanOrEqual(9);
    for (const v of views) {
      expect(v.vaultMember !== undefined).toBe(env.vault!.clusters.includes(v.cluster.name));
      expect(v.cockroachdbMember !== undefined).toBe(env.cockroachdb!.clusters.includes(v.cluster.name));
    }
  });

  test.prop([envShape], { numRuns: 50 })('loading is deterministic', (shape) => {
    const text = renderEnvironment(shape);
    expect(JSON.stringify(load(text))).toBe(JSON.stringify(load(text)));
  });
});
