// The report's survival claims against a brute force that knows nothing of the model's formulas:
// it places every member on a concrete node (and zone), tries every placement CockroachDB's
// diversity rule allows, removes each cluster, zone and region in turn (and every set of clusters),
// and counts what keeps a majority, per range for CockroachDB.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { stringify } from 'yaml';
import { buildReport } from '../../src/report';
import { buildTopology, parseEnvironment, type Environment } from '../../src/topology';
import { startArgs } from '../../src/topology/cockroachdb';

interface Shape {
  readonly clusters: readonly { readonly region: number; readonly zones: number }[];
  readonly vaultReplicas: number;
  readonly crdbReplicas: number;
  readonly regionGoal: boolean;
  /** Per cluster: whether Vault / CockroachDB members run there (random placement; at least one each). */
  readonly vaultOn: readonly boolean[];
  readonly crdbOn: readonly boolean[];
}

const shape: fc.Arbitrary<Shape> = fc.record({
  clusters: fc.array(fc.record({ region: fc.integer({ min: 0, max: 3 }), zones: fc.integer({ min: 1, max: 3 }) }), { minLength: 3, maxLength: 9 }),
  vaultReplicas: fc.integer({ min: 1, max: 3 }),
  crdbReplicas: fc.integer({ min: 1, max: 3 }),
  regionGoal: fc.boolean(),
  vaultOn: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
  crdbOn: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
});

/** Vault's voter bound (src/topology/vault-voters.ts): the generated layouts stay within it. */
const MAX_VAULT_VOTERS = 9;

/**
 * The clusters a store is placed on through the file (`<store>.clusters`): the chosen clusters, the
 * first of each region, when at least three regions are chosen; otherwise undefined (the default
 * placement, every cluster, is written, and `placed` moves the members to the random subset).
 */
function realPlacement(s: Shape, on: readonly boolean[]): number[] | undefined {
  const seen = new Set<number>();
  const out: number[] = [];
  s.clusters.forEach((c, i) => {
    if (!on[i] || seen.has(c.region)) return;
    seen.add(c.region);
    out.push(i);
  });
  return out.length >= 3 ? out : undefined;
}

/**
 * The environment with each store's members moved to a random subset of its clusters (the model's
 * votersPerCluster), as a placement would put them: the survival model reads only that. A store
 * placed through the file (realPlacement) keeps the model's own members.
 */
function placed(env: Environment, s: Shape): Environment {
  const only = <T extends NonNullable<Environment['vault'] | Environment['cockroachdb']>>(store: T, on: readonly boolean[]): T => {
    if (realPlacement(s, on)) return store;
    const names = env.clusters.map((c) => c.name);
    const chosen = names.filter((_, i) => on[i]);
    const keep = chosen.length > 0 ? chosen : [names[0]!];
    return { ...store, quorum: { ...store.quorum, votersPerCluster: Object.fromEntries(keep.map((c) => [c, store.replicasPerCluster])) } };
  };
  return { ...env, vault: only(env.vault!, s.vaultOn), cockroachdb: only(env.cockroachdb!, s.crdbOn) };
}

function environment(s: Shape): Environment {
  const vaultOn = realPlacement(s, s.vaultOn);
  const crdbOn = realPlacement(s, s.crdbOn);
  const regions = new Set((crdbOn ?? s.clusters.map((_, i) => i)).map((i) => s.clusters[i]!.region));
  const vaultClusters = vaultOn?.length ?? s.clusters.length;
  const text = stringify({
    name: 'surv',
    globalDomain: 'surv.example.com',
    argocd: { repoURL: 'https://git.example.com/x.git' },
    clusters: s.clusters.map((c, i) => ({
      name: `c${i}`,
      region: `r${c.region}`,
      zones: ['a', 'b', 'c'].slice(0, c.zones).map((z) => `r${c.region}${z}`),
      server: `https://c${i}.example.com:6443`,
      podCIDR: `10.${i}.0.0/16`,
      serviceCIDR: `172.${16 + i}.0.0/16`,
    })),
    submariner: { broker: 'c0', brokerApiServer: 'c0.example.com:6443', brokerSecret: 'b', ipsecPSKSecret: 'p' },
    pki: { rootCASecret: 'ca' },
    vault: {
      replicasPerCluster: Math.max(1, Math.min(s.vaultReplicas, Math.floor(MAX_VAULT_VOTERS / vaultClusters))),
      image: 'hashicorp/vault:1.17.6',
      seal: { awskms: { region: 'r0', kmsKeyId: 'k' } },
      ...(vaultOn ? { clusters: vaultOn.map((i) => `c${i}`) } : {}),
    },
    cockroachdb: {
      replicasPerCluster: s.crdbReplicas,
      image: 'cockroachdb/cockroach:v24.2.4',
      survivalGoal: s.regionGoal && regions.size >= 3 ? 'region' : 'zone',
      ...(crdbOn ? { clusters: crdbOn.map((i) => `c${i}`) } : {}),
    },
  });
  return buildTopology([parseEnvironment(text, 'surv.yaml')]).environments[0]!;
}

type Failure = { kind: 'cluster' | 'zone' | 'region'; name: string };

/** Every assignment of `pods` pods to `zones` (injective when one per zone is required). */
function assignments(pods: number, zones: readonly string[], injective: boolean): string[][] {
  let out: string[][] = [[]];
  for (let p = 0; p < pods; p++) out = out.flatMap((a) => zones.filter((z) => !injective || !a.includes(z)).map((z) => [...a, z]));
  return out;
}

const isLost = (cluster: Environment['clusters'][number], zone: string | undefined, failures: readonly Failure[]): boolean =>
  failures.some((f) => (f.kind === 'cluster' && f.name === cluster.name) || (f.kind === 'region' && f.name === cluster.region) || (f.kind === 'zone' && f.name === zone));

function vaultSurvives(env: Environment, failures: readonly Failure[]): boolean {
  return vaultLoss(env, failures).survives;
}

function vaultLoss(env: Environment, failures: readonly Failure[]): { lost: number; survives: boolean } {
  const vault = env.vault!;
  const voters = Object.values(vault.quorum.votersPerCluster).reduce((a, b) => a + b, 0);
  let lost = 0;
  for (const c of env.clusters.filter((x) => (vault.quorum.votersPerCluster[x.name] ?? 0) > 0)) {
    // The StatefulSet requires one pod per zone when the cluster lists enough zones (vault chart).
    const required = c.zones.length >= vault.replicasPerCluster;
    const ways = c.zones.length === 0 ? [Array<string | undefined>(vault.replicasPerCluster).fill(undefined)] : assignments(vault.replicasPerCluster, c.zones, required);
    lost += Math.max(...ways.map((w) => w.filter((z) => isLost(c, z, failures)).length));
  }
  return { lost, survives: voters - lost >= Math.floor(voters / 2) + 1 };
}

interface Node {
  readonly region: string;
  readonly locality: string;
  readonly lost: boolean;
}

/** CockroachDB nodes: their locality as the StatefulSet's --locality flag says. */
function crdbNodes(env: Environment, failures: readonly Failure[]): Node[] {
  return env.clusters.filter((x) => (env.cockroachdb!.quorum.votersPerCluster[x.name] ?? 0) > 0).flatMap((c) => {
    const flag = startArgs(env, c.name).find((a) => a.startsWith('--locality='))!.slice('--locality='.length);
    // Zone spread of CockroachDB pods is only preferred: a zone outage may take every node of a cluster listing it.
    const lost = failures.some((f) => (f.kind === 'cluster' && f.name === c.name) || (f.kind === 'region' && f.name === c.region) || (f.kind === 'zone' && c.zones.includes(f.name)));
    return Array.from({ length: env.cockroachdb!.replicasPerCluster }, () => ({ region: c.region, locality: flag, lost }));
  });
}

function combinations<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [head, ...rest] = xs;
  return [...combinations(rest, k - 1).map((c) => [head!, ...c]), ...combinations(rest, k)];
}

/** No group gets a second replica while another group with a free node has fewer by two or more. */
function diverse(chosen: readonly Node[], pool: readonly Node[], key: (n: Node) => string): boolean {
  const groups = [...new Set(pool.map(key))];
  const count = (g: string): number => chosen.filter((n) => key(n) === g).length;
  const cap = (g: string): number => pool.filter((n) => key(n) === g).length;
  return groups.every((a) => groups.every((b) => count(a) <= count(b) + 1 || count(b) === cap(b)));
}

/** Most lost replicas over every diverse choice of k nodes from the pool (regions, then localities). */
function worstChoice(pool: readonly Node[], k: number): number {
  const regions = [...new Set(pool.map((n) => n.region))];
  let worst = 0;
  for (const chosen of combinations(pool, Math.min(k, pool.length))) {
    if (!diverse(chosen, pool, (n) => n.region)) continue;
    if (!regions.every((r) => diverse(chosen.filter((n) => n.region === r), pool.filter((n) => n.region === r), (n) => n.locality))) continue;
    worst = Math.max(worst, chosen.filter((n) => n.lost).length);
  }
  return worst;
}

function rangeSurvives(env: Environment, home: string, failures: readonly Failure[]): boolean {
  return rangeLoss(env, home, failures).survives;
}

function rangeLoss(env: Environment, home: string, failures: readonly Failure[]): { lost: number; survives: boolean } {
  const nodes = crdbNodes(env, failures);
  const inHome = nodes.filter((n) => n.region === home);
  const others = nodes.filter((n) => n.region !== home);
  const [h, o] = env.cockroachdb!.survivalGoal === 'zone' ? [3, 0] : [2, 3];
  const voters = Math.min(h, inHome.length) + Math.min(o, others.length);
  const lost = worstChoice(inHome, h) + (o > 0 ? worstChoice(others, o) : 0);
  return { lost, survives: voters - lost >= Math.floor(voters / 2) + 1 };
}

function subsets<T>(xs: readonly T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);
}

describe('survival claims over generated topologies', () => {
  test.prop([shape], { numRuns: 40 })('match a brute-force count of what keeps a majority, for any placement', (s) => {
    const env = placed(environment(s), s);
    const report = buildReport(env);
    const hosts = (store: 'vault' | 'cockroachdb') => env.clusters.filter((c) => (env[store]!.quorum.votersPerCluster[c.name] ?? 0) > 0);
    const regions = [...new Set(hosts('cockroachdb').map((c) => c.region))];
    const [vault, crdb] = report.stores;
    const lossOf = (arithmetic: string): number => Number(/loses (\d+) →/.exec(arithmetic)![1]);
    // any cluster together with a zone it does not list: every pair, the worst one named
    const pairs = (hs: readonly Environment['clusters'][number][]): Failure[][] =>
      hs.flatMap((c) => [...new Set(hs.flatMap((x) => x.zones))].filter((z) => !c.zones.includes(z)).map((z) => [{ kind: 'cluster' as const, name: c.name }, { kind: 'zone' as const, name: z }]));
    const combo = (rows: typeof vault.survival, ps: Failure[][], truth: (fs: Failure[]) => { lost: number; survives: boolean }): void => {
      const row = rows.find((r) => r.kind === 'cluster+zone');
      if (ps.length === 0) return expect(row).toBeUndefined();
      const worst = Math.max(...ps.map((fs) => truth(fs).lost));
      expect([row!.survives, lossOf(row!.arithmetic)]).toEqual([ps.every((fs) => truth(fs).survives), worst]);
    };
    combo(vault!.survival, pairs(hosts('vault')), (fs) => vaultLoss(env, fs));
    combo(crdb!.survival, pairs(hosts('cockroachdb')), (fs) => rangeLoss(env, regions[0]!, fs));
    for (const row of vault!.survival.filter((r) => r.kind !== 'cluster+zone')) {
      const truth = vaultLoss(env, [row as Failure]);
      expect([row.kind, row.name, row.survives, lossOf(row.arithmetic)]).toEqual([row.kind, row.name, truth.survives, truth.lost]);
    }
    for (const row of crdb!.survival.filter((r) => r.kind !== 'cluster+zone')) {
      const truth = rangeLoss(env, regions[0]!, [row as Failure]);
      expect([row.kind, row.name, row.survives, lossOf(row.arithmetic)]).toEqual([row.kind, row.name, truth.survives, truth.lost]);
      expect([row.kind, row.name, row.homesLost]).toEqual([row.kind, row.name, regions.filter((home) => !rangeSurvives(env, home, [row as Failure]))]);
    }
    // every cluster, zone and region the members sit in appears exactly once
    const vh = hosts('vault');
    const zones = [...new Set(vh.flatMap((c) => c.zones))];
    const vregions = [...new Set(vh.map((c) => c.region))];
    expect(vault!.survival.filter((r) => r.kind !== 'cluster+zone').map((r) => `${r.kind}:${r.name}`).sort()).toEqual([...vh.map((c) => `cluster:${c.name}`), ...zones.map((z) => `zone:${z}`), ...vregions.map((r) => `region:${r}`)].sort());

    // "any k clusters": the largest k for which every set of k clusters keeps a majority
    const all = subsets(env.clusters.map((c) => ({ kind: 'cluster' as const, name: c.name })));
    const canLose = (ok: (fs: readonly Failure[]) => boolean): number => {
      let k = 0;
      while (k < env.clusters.length && all.filter((x) => x.length === k + 1).every(ok)) k += 1;
      return k;
    };
    expect(vault!.clustersItCanLose).toBe(canLose((fs) => vaultSurvives(env, fs)));
    expect(crdb!.clustersItCanLose).toBe(canLose((fs) => regions.every((home) => rangeSurvives(env, home, fs))));
  });
});
