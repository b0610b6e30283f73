// What each consensus store survives, computed from where its members sit. Pure: no cdk8s, no IO.
//
// Vault (integrated storage) is one Raft group: every member is a voter in open-source Vault
// (non-voters are Enterprise, REFERENCE §9.4), and a write needs floor(N/2)+1 of them.
//
// CockroachDB keeps one Raft group per range, and the survival goal decides how many voting
// replicas a range has and where they sit (cockroachlabs.com/docs/v22.2/when-to-use-zone-vs-region-survival-goals):
//   ZONE   (default) "3 voting replicas for every range, all in the home region", plus one
//          non-voting replica in each other region (non-voters never count for quorum);
//   REGION "2 voting replicas in the home region, and 3 voting replicas in non-home regions".
// A range's home is the database's primary region for every table by default (REGIONAL BY TABLE IN
// PRIMARY REGION); rows of REGIONAL BY ROW tables are homed in any database region, so every region
// is evaluated as a home. Inside the voters' regions the allocator spreads replicas over localities
// for diversity: no locality gets a second replica of a range while another one with a free node
// has none, and no node holds two replicas of one range. A failure is survived when, for the worst
// placement that rule allows, the range keeps a majority of its voters.
//
// Where a pod's zone is not fixed by the manifests (zone spread only preferred), the model assumes
// the worst: a zone outage may take every pod of a cluster that lists that zone.
import { locality } from './cockroachdb';
import type { Cluster, CockroachDbStore, Environment, Store } from './types';
import { vaultZoneSpreadRequired } from './vault';

export type FailureKind = 'cluster' | 'zone' | 'region';

/** One failure domain lost at once: a cluster, a zone (every cluster listing it), or a region. */
export interface FailureDomain {
  readonly kind: FailureKind;
  readonly name: string;
}

/** Members of one store in one cluster, and how a zone outage can hit them. */
export interface MemberGroup {
  readonly cluster: string;
  readonly region: string;
  readonly zones: readonly string[];
  readonly members: number;
  /** True when the manifests require at most one member per zone (Vault with enough zones). */
  readonly onePerZone: boolean;
}

/** Members of a group that a failure can take down in the worst case. */
export function membersLost(group: MemberGroup, failure: FailureDomain | readonly FailureDomain[]): number {
  const failures = Array.isArray(failure) ? (failure as readonly FailureDomain[]) : [failure as FailureDomain];
  let zoneHits = 0;
  for (const f of failures) {
    if ((f.kind === 'cluster' && f.name === group.cluster) || (f.kind === 'region' && f.name === group.region)) return group.members;
    if (f.kind === 'zone' && group.zones.includes(f.name)) zoneHits += 1;
  }
  if (zoneHits === 0) return 0;
  return group.onePerZone ? Math.min(group.members, zoneHits) : group.members;
}

export function memberGroups(env: Pick<Environment, 'clusters'>, store: Store): MemberGroup[] {
  return env.clusters
    .filter((c) => (store.quorum.votersPerCluster[c.name] ?? 0) > 0)
    .map((c: Cluster) => ({
      cluster: c.name,
      region: c.region,
      zones: c.zones,
      members: store.quorum.votersPerCluster[c.name]!,
      onePerZone: store.kind === 'vault' && c.zones.length > 0 && vaultZoneSpreadRequired(c, store.replicasPerCluster),
    }));
}

/** Every single failure domain the members sit in: clusters in file order, then zones, then regions. */
export function failureDomains(groups: readonly MemberGroup[]): FailureDomain[] {
  const zones = [...new Set(groups.flatMap((g) => g.zones))].sort();
  const regions = [...new Set(groups.map((g) => g.region))];
  return [
    ...groups.map((g) => ({ kind: 'cluster' as const, name: g.cluster })),
    ...zones.map((name) => ({ kind: 'zone' as const, name })),
    ...regions.map((name) => ({ kind: 'region' as const, name })),
  ];
}

export const majority = (voters: number): number => Math.floor(voters / 2) + 1;

// ---------------------------------------------------------------------------------------------------
// Placement trees: localities with a node count and the nodes a failure takes.

/** A locality: a leaf holds nodes; an inner node spreads replicas over its children. */
export type Locality = { readonly nodes: number; readonly lost: number } | { readonly children: readonly Locality[] };

export function capacity(t: Locality): number {
  return 'children' in t ? t.children.reduce((a, c) => a + capacity(c), 0) : t.nodes;
}

/**
 * The most replicas a failure takes when `k` replicas (k <= capacity) are spread over `t` by the
 * diversity rule. Children are filled level by level: the level L is the highest with
 * sum(min(cap_i, L)) <= k, and the e = k - sum remaining replicas go one each to e children with
 * room above L; the worst case gives them to the children where one more replica loses most.
 */
export function worstLoss(t: Locality, k: number): number {
  if (!('children' in t)) return Math.min(k, t.lost);
  const caps = t.children.map(capacity);
  let level = 0;
  const filled = (l: number): number => caps.reduce((a, c) => a + Math.min(c, l), 0);
  while (filled(level + 1) <= k && level < Math.max(0, ...caps)) level += 1;
  let extra = k - filled(level);
  let total = 0;
  const gains: number[] = [];
  t.children.forEach((child, i) => {
    const base = Math.min(caps[i]!, level);
    const at = worstLoss(child, base);
    total += at;
    if (caps[i]! > level) gains.push(worstLoss(child, base + 1) - at);
  });
  gains.sort((a, b) => b - a);
  for (const g of gains) {
    if (extra === 0) break;
    total += g;
    extra -= 1;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------
// Per product

/** A replication group and the arithmetic of one failure. */
export interface GroupOutcome {
  readonly voters: number;
  readonly quorum: number;
  /** Voters the failure takes in the worst case. */
  readonly lost: number;
  readonly survives: boolean;
}

function outcome(voters: number, lost: number): GroupOutcome {
  const quorum = majority(voters);
  return { voters, quorum, lost, survives: voters - lost >= quorum };
}

/** Vault: one Raft group of every member. */
export function vaultOutcome(groups: readonly MemberGroup[], failure: FailureDomain | readonly FailureDomain[]): GroupOutcome {
  const voters = groups.reduce((a, g) => a + g.members, 0);
  return outcome(voters, groups.reduce((a, g) => a + membersLost(g, failure), 0));
}

/** Voting replicas per range for a survival goal: [home region, other regions]. */
export const RANGE_VOTERS: Readonly<Record<CockroachDbStore['survivalGoal'], { readonly home: number; readonly others: number }>> = {
  zone: { home: 3, others: 0 },
  region: { home: 2, others: 3 },
};

/**
 * The locality tree of one region: one leaf per locality the nodes advertise. With a zone tier
 * (see `locality` in cockroachdb.ts) each zone is a locality; otherwise the region is one.
 */
function regionTree(groups: readonly MemberGroup[], region: string, zoneTier: boolean, failure: FailureDomain | readonly FailureDomain[]): Locality {
  const inRegion = groups.filter((g) => g.region === region);
  const leaf = (gs: readonly MemberGroup[]): Locality => ({ nodes: gs.reduce((a, g) => a + g.members, 0), lost: gs.reduce((a, g) => a + membersLost(g, failure), 0) });
  if (!zoneTier) return leaf(inRegion);
  const zones = [...new Set(inRegion.map((g) => g.zones[0]!))].sort();
  return { children: zones.map((z) => leaf(inRegion.filter((g) => g.zones[0] === z))) };
}

export interface RangeOutcome extends GroupOutcome {
  readonly home: string;
  /** Voters placed in the home region and in the others (fewer than the goal asks when nodes are missing). */
  readonly homeVoters: number;
  readonly otherVoters: number;
  /** True when the regions have fewer nodes than the goal's voters: the range stays under-replicated. */
  readonly underReplicated: boolean;
}

/** One range homed in `home`, under a failure. */
export function rangeOutcome(
  groups: readonly MemberGroup[],
  goal: CockroachDbStore['survivalGoal'],
  zoneTier: boolean,
  home: string,
  failure: FailureDomain | readonly FailureDomain[],
): RangeOutcome {
  const regions = [...new Set(groups.map((g) => g.region))];
  const want = RANGE_VOTERS[goal];
  const homeTree = regionTree(groups, home, zoneTier, failure);
  const othersTree: Locality = { children: regions.filter((r) => r !== home).map((r) => regionTree(groups, r, zoneTier, failure)) };
  const homeVoters = Math.min(want.home, capacity(homeTree));
  const otherVoters = Math.min(want.others, capacity(othersTree));
  const lost = worstLoss(homeTree, homeVoters) + worstLoss(othersTree, otherVoters);
  return { ...outcome(homeVoters + otherVoters, lost), home, homeVoters, otherVoters, underReplicated: homeVoters + otherVoters < want.home + want.others };
}

/** True when every cluster of the environment declares exactly one zone: then the nodes' locality has a zone tier. */
export function cockroachZoneTier(env: Pick<Environment, 'clusters'>): boolean {
  return env.clusters.length > 0 && env.clusters.every((c) => locality(env, c).includes(',zone='));
}

export function cockroachRegions(groups: readonly MemberGroup[]): string[] {
  return [...new Set(groups.map((g) => g.region))];
}

/** Survives for ranges homed in every region. */
export function cockroachSurvives(groups: readonly MemberGroup[], goal: CockroachDbStore['survivalGoal'], zoneTier: boolean, failure: FailureDomain | readonly FailureDomain[]): boolean {
  return cockroachRegions(groups).every((home) => rangeOutcome(groups, goal, zoneTier, home, failure).survives);
}

/**
 * The largest k such that losing any k clusters at once keeps a majority (Vault: the group;
 * CockroachDB: every range, whatever its home). Vault: losing the k largest clusters is the worst
 * case. CockroachDB: subsets are enumerated; no range has more than 5 voters, so k never exceeds 2
 * and at most triples are tried.
 */
export function clustersItCanLose(env: Pick<Environment, 'clusters'>, store: Store): number {
  const groups = memberGroups(env, store);
  if (store.kind === 'vault') {
    const sizes = groups.map((g) => g.members).sort((a, b) => b - a);
    const voters = sizes.reduce((a, b) => a + b, 0);
    let lost = 0;
    let k = 0;
    for (const s of sizes) {
      if (voters - lost - s < majority(voters)) break;
      lost += s;
      k += 1;
    }
    return k;
  }
  const zoneTier = cockroachZoneTier(env);
  const goal = store.survivalGoal;
  const maxVoters = RANGE_VOTERS[goal].home + RANGE_VOTERS[goal].others;
  const names = groups.map((g) => g.cluster);
  const survives = (subset: readonly string[]): boolean =>
    cockroachSurvives(groups, goal, zoneTier, subset.map((name) => ({ kind: 'cluster' as const, name })));
  let k = 0;
  for (let size = 1; size <= Math.min(names.length, maxVoters - majority(maxVoters) + 1); size++) {
    if (!everySubset(names, size, survives)) return k;
    k = size;
  }
  return k;
}

function everySubset(names: readonly string[], size: number, ok: (subset: readonly string[]) => boolean): boolean {
  const pick: string[] = [];
  const walk = (from: number): boolean => {
    if (pick.length === size) return ok(pick);
    for (let i = from; i <= names.length - (size - pick.length); i++) {
      pick.push(names[i]!);
      const good = walk(i + 1);
      pick.pop();
      if (!good) return false;
    }
    return true;
  };
  return walk(0);
}

