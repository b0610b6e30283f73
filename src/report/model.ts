import { VAULT_SERVICE } from '../lib/names';
import { COCKROACHDB, cockroachClustersetPublicHost } from '../topology/cockroachdb';
import { remoteClientClusters } from '../topology/placement';
import { VAULT_PORTS, vaultClustersetServiceHost } from '../topology/vault';
import { prerequisites, type ClusterPrerequisites } from '../topology/prerequisites';
// The DR report of one environment as data (`meridian report --format json`), derived from the model
// only: what runs where, how much each store can lose, how fast traffic moves away from a dead
// region, and what must be done by hand (the runbook).
import type { Environment, Store } from '../topology';
import { day2Runbooks, type Day2Runbook } from './day2';
import { operationsReport, type OperationsReport } from './operations';
import {
  clustersItCanLose,
  cockroachRegions,
  cockroachZoneTier,
  failureDomains,
  majority,
  memberGroups,
  RANGE_VOTERS,
  rangeOutcome,
  vaultOutcome,
  type FailureDomain,
  type FailureKind,
  type MemberGroup,
} from '../topology/survival';
import { runbook, type RunbookStep } from './runbook';
import { sealLossRegion, vaultSeal } from '../topology/vault';

/** Lighthouse's default DNS record TTL for clusterset names (REFERENCE §2.1). */
export const LIGHTHOUSE_TTL_SECONDS = 5;
/** CockroachDB's claimed time to elect new leaseholders after losing a region (REFERENCE §6.2). */
export const COCKROACHDB_REELECTION_CLAIM = 'under 9 s by Cockroach Labs\' figure';

export interface ClusterReport {
  readonly name: string;
  readonly region: string;
  readonly zones: readonly string[];
  readonly server: string;
  readonly ingressDomain?: string;
  /** Bootstrap cluster (the first workload cluster in the file): Vault init, CockroachDB init Job, unless a placement names others. */
  readonly bootstrap: boolean;
  readonly broker: boolean;
  readonly gslbHub: boolean;
  /** `role: hub`: runs the control plane only, no store and no service. */
  readonly controlPlaneOnly: boolean;
}

/** One failure domain lost, and whether the store keeps a majority, with the arithmetic. */
export interface SurvivalRow {
  /** One domain, or `cluster+zone`: any cluster together with any zone of another cluster (the worst such pair is named). */
  readonly kind: FailureKind | 'cluster+zone';
  readonly name: string;
  /** Vault: the Raft group keeps a majority. CockroachDB: every range homed in the primary region does. */
  readonly survives: boolean;
  /** CockroachDB only: regions whose homed ranges (REGIONAL BY ROW rows) lose their majority. */
  readonly homesLost?: readonly string[];
  /** e.g. `9 voters, quorum 5; worst case loses 3 -> 6 left >= 5`. */
  readonly arithmetic: string;
}

export interface StoreReport {
  readonly kind: Store['kind'];
  readonly namespace: string;
  /** Members (pods) per cluster. */
  readonly votersPerCluster: Readonly<Record<string, number>>;
  /** Members in all clusters. */
  readonly members: number;
  /** How data is replicated: one group (Vault) or one group per range (CockroachDB). */
  readonly replication: string;
  /** Voters of one replication group (Vault: every member; CockroachDB: one range). */
  readonly voters: number;
  readonly quorum: number;
  /** Voters of one group that may fail while a majority remains. */
  readonly votersItCanLose: number;
  /** Any this many clusters may be lost at once (for CockroachDB: whatever the ranges' homes). */
  readonly clustersItCanLose: number;
  readonly survival: readonly SurvivalRow[];
  /**
   * Placement, when some workload cluster runs none of the store's pods: those clusters, and the
   * clusterset address their clients use (`<store>.clusters`, src/topology/placement.ts).
   */
  readonly remoteClients?: { readonly clusters: readonly string[]; readonly address: string };
  /** REFERENCE §6.4 class. */
  readonly drClass: string;
  readonly rpo: string;
  /** Time until the store serves writes again; client traffic routing (GSLB) is not part of it. */
  readonly rto: string;
  readonly survivalGoal?: 'region' | 'zone';
  readonly primaryRegion?: string;
  readonly databases?: readonly string[];
  /** Caveats of the model, stated in the report. */
  readonly notes: readonly string[];
}

export interface ServiceReport {
  readonly name: string;
  readonly namespace: string;
  readonly expose: 'global' | 'clusterset' | 'cluster';
  readonly hostname?: string;
  readonly replicas: number;
  readonly replicasByCluster: Readonly<Record<string, number>>;
  readonly autoscalingByCluster?: Readonly<Record<string, { readonly minReplicas: number; readonly maxReplicas: number }>>;
  readonly activeIn: readonly string[];
  readonly drainedIn: readonly string[];
  readonly servingIn: readonly string[];
  readonly uses: readonly string[];
  /** Serving capacity left after losing the serving cluster with the most: per-cluster maxima (HPA maxReplicas, else replicas) x surviving clusters. */
  readonly capacity: string;
  /** How clients move to another cluster when one fails. */
  readonly failover: string;
}

export interface GslbReport {
  readonly provider: string;
  readonly hub: string;
  readonly policy: string;
  readonly ttlSeconds: number;
  /** Only for global-load-balancer-operator: the only provider that runs HTTP health checks. */
  readonly healthCheck?: { readonly periodSeconds: number; readonly failureThreshold: number; readonly timeoutSeconds: number };
  /** periodSeconds x failureThreshold + ttl, when the provider has health checks; absent otherwise. */
  readonly reactionSeconds?: number;
  /** How the provider notices a dead region, in words (always set). */
  readonly reaction: string;
}

export interface ControlPlaneDependency {
  readonly component: string;
  readonly cluster: string;
  /** What stops, and for how long, while that cluster is lost. */
  readonly whenLost: string;
  /** Stores and services the same cluster runs (they are lost with it). */
  readonly sharesClusterWith: readonly string[];
}

export interface EnvironmentReport {
  readonly environment: string;
  readonly source: string;
  readonly strategy: 'active-active' | 'active-passive';
  readonly globalDomain: string;
  readonly clusters: readonly ClusterReport[];
  readonly regions: readonly string[];
  readonly tunnels: { readonly cableDriver: string; readonly globalnet: boolean; readonly broker: string; readonly pairs: readonly (readonly [string, string])[] };
  readonly stores: readonly StoreReport[];
  readonly services: readonly ServiceReport[];
  readonly globalLoadBalancer?: GslbReport;
  /** What every cluster must already have (operators, SCCs, DNS, out-of-band Secrets): topology/prerequisites.ts. */
  readonly prerequisites: readonly ClusterPrerequisites[];
  /** Single-instance control-plane components, where they run and what stops while their cluster is lost. */
  readonly controlPlane: readonly ControlPlaneDependency[];
  readonly runbook: readonly RunbookStep[];
  /** Day-2 runbooks: store image upgrades, removing a cluster (src/report/day2.ts). */
  readonly day2: readonly Day2Runbook[];
  /** Rollout, backups (RPO, restore) and alerts. */
  readonly operations: OperationsReport;
}

export function buildReport(env: Environment): EnvironmentReport {
  const gslb = env.globalLoadBalancer ? gslbReport(env) : undefined;
  const names = env.clusters.map((c) => c.name);
  return {
    environment: env.name,
    source: env.source,
    strategy: env.strategy,
    globalDomain: env.globalDomain,
    clusters: env.clusters.map((c) => ({
      name: c.name,
      region: c.region,
      zones: c.zones,
      server: c.server,
      ...(c.ingressDomain ? { ingressDomain: c.ingressDomain } : {}),
      // The first workload cluster: a hub bootstraps nothing (the stores' one-shot work runs in their first member cluster).
      bootstrap: c.name === env.clusters.find((x) => x.role === 'workload')?.name,
      broker: env.submariner.broker === c.name,
      gslbHub: env.globalLoadBalancer?.hub === c.name,
      controlPlaneOnly: c.role === 'hub',
    })),
    regions: [...new Set(env.clusters.map((c) => c.region))],
    tunnels: {
      cableDriver: env.submariner.cableDriver,
      globalnet: env.submariner.globalnet,
      broker: env.submariner.broker,
      pairs: names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b] as const)),
    },
    stores: [env.vault, env.cockroachdb].filter((s): s is Store => s !== undefined).map((s) => storeReport(env, s)),
    services: env.services.map((s) => ({
      name: s.name,
      namespace: s.namespace,
      expose: s.expose,
      ...(s.hostname ? { hostname: s.hostname } : {}),
      replicas: s.replicas,
      replicasByCluster: s.replicasByCluster,
      ...(s.autoscalingByCluster
        ? { autoscalingByCluster: Object.fromEntries(Object.entries(s.autoscalingByCluster).map(([c, a]) => [c, { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas }])) }
        : {}),
      activeIn: s.activeIn,
      drainedIn: s.drainedIn,
      servingIn: s.servingIn,
      uses: [...s.usesStores, ...s.usesServices],
      capacity: capacityAfterLoss(s),
      failover: failoverOf(s.expose, s.servingIn.length, gslb),
    })),
    ...(gslb ? { globalLoadBalancer: gslb } : {}),
    prerequisites: prerequisites(env),
    controlPlane: controlPlane(env),
    runbook: runbook(env),
    day2: day2Runbooks(env),
    operations: operationsReport(env),
  };
}

function gslbReport(env: Environment): GslbReport {
  const g = env.globalLoadBalancer!;
  const base = { provider: g.provider, hub: g.hub, policy: g.policy, ttlSeconds: g.ttl };
  if (g.provider === 'global-load-balancer-operator') {
    const h = g.healthCheck;
    const reactionSeconds = h.periodSeconds * h.failureThreshold + g.ttl;
    return {
      ...base,
      healthCheck: h,
      reactionSeconds,
      reaction: `Route53 health checks every ${h.periodSeconds} s mark a region out after ${h.failureThreshold} failures, then resolvers keep the old answer for up to the TTL: ${h.periodSeconds} s × ${h.failureThreshold} + ${g.ttl} s = ${reactionSeconds} s`,
    };
  }
  if (g.provider === 'k8gb') {
    // k8gb runs no HTTP probe: each cluster's controller publishes its own address while the
    // ingress backend has ready endpoints (Gslb status serviceHealth, k8gb-io/k8gb api/v1beta1/gslb_types.go).
    return {
      ...base,
      reaction: `k8gb sends no HTTP probe: a cluster leaves the answers when its gateway has no ready pods behind the service, then resolvers keep the old answer for up to the TTL (${g.ttl} s); a cluster that is up but failing requests stays in`,
    };
  }
  return {
    ...base,
    reaction: `external-dns runs no health checks (REFERENCE §1.6): a dead region stays in DNS until it is drained by hand (drainedIn), and resolvers keep the old answer for up to the TTL (${g.ttl} s) after that; failover is manual`,
  };
}


function storeReport(env: Environment, s: Store): StoreReport {
  const groups = memberGroups(env, s);
  const members = groups.reduce((a, g) => a + g.members, 0);
  const domains = failureDomains(groups);
  const canLose = clustersItCanLose(env, s);
  const clusters = groups.length;
  const clients = remoteClientClusters(env, s).map((c) => c.name);
  const remoteClients =
    clients.length > 0
      ? { clusters: clients, address: s.kind === 'vault' ? `https://${vaultClustersetServiceHost(s, VAULT_SERVICE)}:${VAULT_PORTS.api}` : `${cockroachClustersetPublicHost(s)}:${COCKROACHDB.grpcPort}` }
      : undefined;
  const base = { kind: s.kind, namespace: s.namespace, votersPerCluster: s.quorum.votersPerCluster, members, clustersItCanLose: canLose, ...(remoteClients ? { remoteClients } : {}) };
  const unknownZones = env.clusters.filter((c) => s.clusters.includes(c.name) && c.zones.length === 0).map((c) => c.name);
  const zoneNote = unknownZones.length > 0 ? [`zones of ${unknownZones.join(', ')} are not declared, so zone outages there are not evaluated`] : [];
  if (s.kind === 'vault') {
    const voters = members;
    const quorum = majority(voters);
    const survival = domains.map((f): SurvivalRow => {
      const o = vaultOutcome(groups, f);
      return { kind: f.kind, name: f.name, survives: o.survives, arithmetic: `${o.voters} voters, quorum ${o.quorum}; worst case loses ${o.lost} → ${o.voters - o.lost} left ${o.survives ? '≥' : '<'} ${o.quorum}` };
    });
    const pair = worstPair(groups, (fs) => vaultOutcome(groups, fs).lost);
    if (pair) {
      const o = vaultOutcome(groups, pair.failures);
      survival.push({ kind: 'cluster+zone', name: pair.name, survives: o.survives, arithmetic: `${o.voters} voters, quorum ${o.quorum}; the worst cluster with a zone elsewhere loses ${o.lost} → ${o.voters - o.lost} left ${o.survives ? '≥' : '<'} ${o.quorum}` });
    }
    const ok = clusters >= 3 && canLose >= 1;
    const preferred = groups.filter((g) => !g.onePerZone && g.zones.length > 0).map((g) => g.cluster);
    return {
      ...base,
      replication: `one Raft group of all ${voters} members; open-source Vault makes every member a voter (non-voters are Enterprise), so each write waits for ${quorum} of them`,
      voters,
      quorum,
      votersItCanLose: voters - quorum,
      survival,
      drClass: ok ? `consensus store over ${clusters} sites (active/active)` : `consensus store that cannot lose a site (${clusters} site(s))`,
      rpo: ok ? '0 for committed writes (a write commits only once a majority of the voters has it)' : '0 while quorum holds; none after losing the site that holds the majority',
      rto: ok ? 'Raft leader election among the remaining voters (election timeouts), then the standbys forward to the new leader; unseal is automatic with the configured seal' : 'manual recovery of the lost majority',
      notes: [
        ...(preferred.length > 0 ? [`${preferred.join(', ')} list fewer zones than pods, so zone spread is only preferred there and a zone outage is counted as taking every pod of the cluster`] : []),
        ...zoneNote,
        ...sealNote(env, s),
      ],
    };
  }
  const goal = s.survivalGoal;
  const zoneTier = cockroachZoneTier(env);
  const regions = cockroachRegions(groups);
  const primary = regions[0]!;
  const want = RANGE_VOTERS[goal];
  const voters = want.home + want.others;
  const quorum = majority(voters);
  const survival = domains.map((f): SurvivalRow => {
    const outcomes = regions.map((home) => rangeOutcome(groups, goal, zoneTier, home, f));
    const p = outcomes[0]!;
    const split = goal === 'zone' ? `${p.homeVoters} in ${primary}` : `${p.homeVoters} in ${primary}, ${p.otherVoters} in other regions`;
    return {
      kind: f.kind,
      name: f.name,
      survives: p.survives,
      homesLost: outcomes.filter((o) => !o.survives).map((o) => o.home),
      arithmetic: `range homed in ${primary}: ${p.voters} voters (${split}), quorum ${p.quorum}; worst case loses ${p.lost} → ${p.voters - p.lost} left ${p.survives ? '≥' : '<'} ${p.quorum}`,
    };
  });
  const pair = worstPair(groups, (fs) => rangeOutcome(groups, goal, zoneTier, primary, fs).lost);
  if (pair) {
    const o = rangeOutcome(groups, goal, zoneTier, primary, pair.failures);
    survival.push({
      kind: 'cluster+zone',
      name: pair.name,
      survives: o.survives,
      arithmetic: `range homed in ${primary}: ${o.voters} voters, quorum ${o.quorum}; the worst cluster with a zone elsewhere loses ${o.lost} → ${o.voters - o.lost} left ${o.survives ? '≥' : '<'} ${o.quorum}`,
    });
  }
  const regionLossSurvived = survival.filter((r) => r.kind === 'region').every((r) => (r.homesLost ?? []).length === 0);
  const under = regions.filter((home) => rangeOutcome(groups, goal, zoneTier, home, []).underReplicated);
  return {
    ...base,
    replication:
      goal === 'zone'
        ? `one Raft group per range; survival goal ZONE: 3 voting replicas in the range's home region (spread over its ${zoneTier ? 'zones' : 'nodes'}) and one non-voting replica in each other region, which never counts for quorum`
        : `one Raft group per range; survival goal REGION: 5 voting replicas, 2 in the range's home region and 3 in the other regions (at most 2 per region by replica diversity)`,
    voters,
    quorum,
    votersItCanLose: voters - quorum,
    survival,
    drClass: regionLossSurvived && canLose >= 1 ? `consensus store per range over ${regions.length} regions (active/active)` : `consensus store per range that does not survive the loss of ${goal === 'zone' ? "a range's home region" : 'every cluster'} (${regions.length} region(s))`,
    rpo: '0 for committed writes (a write commits once a majority of its range\'s voters has it)',
    rto: regionLossSurvived
      ? `leaseholder re-election among the remaining voters of each range (${COCKROACHDB_REELECTION_CLAIM})`
      : `leaseholder re-election (${COCKROACHDB_REELECTION_CLAIM}) for failures the ranges survive; after losing a range's home region its writes stop until that region returns (survival goal zone)`,
    survivalGoal: goal,
    primaryRegion: primary,
    databases: s.databases,
    notes: [
      `every table is homed in the primary region ${primary} unless it is REGIONAL BY ROW; rows homed in another region are shown under "homes that lose quorum"`,
      zoneTier ? 'nodes advertise a zone tier (every cluster declares one zone), so replicas of a range spread over zones' : 'nodes advertise only their region (a cluster declares zero or several zones), so replicas spread over nodes and a zone outage is counted as taking every node of each cluster listing that zone',
      'replica placement follows CockroachDB\'s diversity rule: a locality gets a second replica of a range only when every other locality with a free node has one',
      'system ranges (meta, liveness) keep their own replication settings and are not part of this model',
      ...(under.length > 0 ? [`ranges homed in ${under.join(', ')} cannot get all ${goal === 'zone' ? want.home : `${want.home} + ${want.others}`} voters (too few nodes) and stay under-replicated`] : []),
      ...zoneNote,
    ],
  };
}

/**
 * The pair (a cluster, a zone another member cluster lists but it does not) whose loss takes the most
 * voters, first in cluster then zone order on a tie; undefined when no such pair exists.
 */
/** What losing the seal's one region does to Vault (vault.ts sealLossRegion); nothing when the seal survives a region. */
function sealNote(env: Environment, s: Store): string[] {
  if (s.kind !== 'vault') return [];
  const lost = sealLossRegion(s.seal, [...new Set(env.clusters.filter((c) => s.clusters.includes(c.name)).map((c) => c.region))]);
  if (!lost) return [];
  return [`the ${vaultSeal(s.seal).type} seal's key lives in ${lost.region} only: losing it leaves every Vault pod that restarts afterwards sealed, in every cluster (running pods keep serving; open-source Vault needs the seal only to unseal), so quorum survives only as long as no voter restarts`];
}

function worstPair(groups: readonly MemberGroup[], lost: (failures: readonly FailureDomain[]) => number): { name: string; failures: FailureDomain[] } | undefined {
  let best: { name: string; failures: FailureDomain[]; lost: number } | undefined;
  const zones = [...new Set(groups.flatMap((g) => g.zones))].sort();
  for (const g of groups) {
    for (const zone of zones) {
      if (g.zones.includes(zone)) continue;
      const failures: FailureDomain[] = [{ kind: 'cluster', name: g.cluster }, { kind: 'zone', name: zone }];
      const n = lost(failures);
      if (!best || n > best.lost) best = { name: `cluster ${g.cluster} + zone ${zone}`, failures, lost: n };
    }
  }
  return best && { name: best.name, failures: best.failures };
}

/**
 * The components that run once per environment. The Submariner broker is the API every cluster
 * exchanges its Cluster and Endpoint objects (and Lighthouse its service imports) through, on a
 * single cluster (submariner.io/getting-started, "The Broker"; no Submariner pod runs there, it is a
 * datastore: submariner-io/submariner-website#139): tunnels that are up stay up while it is gone
 * (the syncers' informers lose the connection without touching the dataplane and re-sync every
 * resource once it is back, submariner-io/submariner#789; existing connections and exported
 * services keep working, #1990), but nothing new propagates until it returns. The
 * global-load-balancer-operator runs on a control cluster that watches the controlled clusters'
 * LoadBalancer Services and programs the DNS provider; Route53 health checks are created per
 * endpoint and run in Route53 itself (redhat-cop/global-load-balancer-operator readme.md, "AWS
 * Route53 provider"), so they keep acting while the control cluster is lost; with external-dns the
 * records are DNSEndpoints written by the operator and nothing checks health. Neither the broker
 * nor a GSLB controller fails over by itself; a hub cluster (`role: hub`) keeps both away from the
 * stores and services, so its loss costs only these changes.
 */
function controlPlane(env: Environment): ControlPlaneDependency[] {
  const residents = (cluster: string): string[] => [
    ...[env.vault, env.cockroachdb].filter((s): s is Store => s !== undefined && (s.quorum.votersPerCluster[cluster] ?? 0) > 0).map((s) => s.kind),
    ...env.services.filter((s) => s.activeIn.includes(cluster)).map((s) => s.name),
  ];
  const until = 'until that cluster is restored or the component is redeployed on another cluster by hand (nothing fails it over)';
  const out: ControlPlaneDependency[] = [
    {
      component: 'Submariner broker',
      cluster: env.submariner.broker,
      whenLost: `existing tunnels and already-synced clusterset names keep working; changes stop propagating: gateway endpoint changes, new or moved service exports, clusters joining, ${until}`,
      sharesClusterWith: residents(env.submariner.broker),
    },
  ];
  const g = env.globalLoadBalancer;
  if (g && g.provider !== 'k8gb') {
    out.push({
      component: `GSLB controller (${g.provider})`,
      cluster: g.hub,
      whenLost:
        g.provider === 'global-load-balancer-operator'
          ? `Route53 keeps answering and its health checks keep dropping dead regions, but record changes stop (new services, drains, new clusters), ${until}`
          : `the records stay as last written: a drain or a new cluster cannot be published, so a dead region stays in DNS, ${until}`,
      sharesClusterWith: residents(g.hub),
    });
  }
  return out;
}

/**
 * What still serves after the serving cluster with the largest maximum is lost: the sum of the
 * other serving clusters' maxima (HPA maxReplicas with autoscaling, else their fixed replicas).
 */
function capacityAfterLoss(s: Environment['services'][number]): string {
  const maxOf = (c: string): number => s.autoscalingByCluster?.[c]?.maxReplicas ?? s.replicasByCluster[c] ?? 0;
  const serving = s.servingIn.map((c) => ({ cluster: c, max: maxOf(c) }));
  if (serving.length === 0) return 'none';
  const largest = serving.reduce((a, b) => (b.max > a.max ? b : a));
  const rest = serving.filter((x) => x !== largest);
  const total = serving.reduce((a, b) => a + b.max, 0);
  const left = rest.reduce((a, b) => a + b.max, 0);
  const what = s.autoscalingByCluster ? 'HPA maxReplicas' : 'replicas';
  if (rest.length === 0) return `0 of ${total} (${what}): only ${largest.cluster} serves`;
  return `${left} of ${total} (${what}): without ${largest.cluster} (${largest.max}), ${rest.map((x) => `${x.cluster} ${x.max}`).join(' + ')}`;
}

function failoverOf(expose: ServiceReport['expose'], serving: number, gslb: GslbReport | undefined): string {
  if (expose === 'cluster') return 'none: reachable in its own cluster only';
  const east = `Lighthouse answers the clusterset name from another cluster when the local one has no healthy endpoints (DNS TTL ${LIGHTHOUSE_TTL_SECONDS} s)`;
  if (expose === 'clusterset') return serving > 1 ? east : 'none: served by a single cluster';
  if (!gslb) return `${east}; no global load balancer in this environment`;
  if (serving <= 1) return 'none: served by a single cluster';
  const global =
    gslb.reactionSeconds !== undefined
      ? `GSLB drops a dead region within ${gslb.reactionSeconds} s`
      : gslb.provider === 'k8gb'
        ? 'k8gb drops a cluster once its gateway has no ready pods, plus up to the TTL'
        : 'external-dns keeps a dead region until it is drained by hand (manual)';
  return `${global}; east-west: ${east}`;
}
