// The order in which a change reaches the clusters of an environment. Pure: no cdk8s.
import type { Cluster } from './types';

/**
 * One rollout step per region, regions in the order their first cluster appears in the file (the
 * bootstrap cluster's region first), each step naming that region's clusters in file order. The
 * ApplicationSet syncs one Application of a step at a time, so a change restarts the store members
 * of one cluster, then waits until that cluster is Healthy before the next.
 */
export function rolloutSteps(clusters: readonly Pick<Cluster, 'name' | 'region'>[]): string[][] {
  const byRegion = new Map<string, string[]>();
  for (const c of clusters) {
    const step = byRegion.get(c.region);
    if (step) step.push(c.name);
    else byRegion.set(c.region, [c.name]);
  }
  return [...byRegion.values()];
}
