import { prerequisites, type ClusterPrerequisites } from '../topology/prerequisites';
// The DR report of one environment as data (`meridian report --format json`), derived from the model
// only: what runs where, how much each store can lose, how fast traffic moves away from a dead
// region, and what must be done by hand (the runbook).
import type { Environment, Store } from '../topology';
import { day2Runbooks, type Day2Runbook } from './day2';
import { operationsReport, type OperationsReport } from './operations';
import { runbook, type RunbookStep } from './runbook';

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
  /** Bootstrap cluster (first in the file): Vault init, CockroachDB init Job. */
  readonly bootstrap: boolean;
  readonly broker: boolean;
  readonly gslbHub: boolean;
}

export interface StoreReport {
  readonly kind: Store['kind'];
  readonly namespace: string;
  readonly votersPerCluster: Readonly<Record<string, number>>;
  readonly voters: number;
  readonly quorum: number;
  /** Voters that may fail while a majority remains. */
  readonly votersItCanLose: number;
  readonly clustersItCanLose: number;
  /** REFERENCE §6.4 class. */
  readonly drClass: string;
  readonly rpo: string;
  readonly rto: string;
  readonly survivalGoal?: 'region' | 'zone';
  readonly databases?: readonly string[];
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
  /** How clients move to another cluster when one fails. */
  readonly failover: string;
}

export interface GslbReport {
  readonly provider: string;
  readonly hub: string;
  readonly policy: string;
  readonly ttlSeconds: number;
  readonly healthCheck: { readonly periodSeconds: number; readonly failureThreshold: number; readonly timeoutSeconds: number };
  /** periodSeconds x failureThreshold + ttl: the worst case until clients stop resolving a dead region. */
  readonly reactionSeconds: number;
  readonly note?: string;
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
      bootstrap: c.index === 0,
      broker: env.submariner.broker === c.name,
      gslbHub: env.globalLoadBalancer?.hub === c.name,
    })),
    regions: [...new Set(env.clusters.map((c) => c.region))],
    tunnels: {
      cableDriver: env.submariner.cableDriver,
      globalnet: env.submariner.globalnet,
      broker: env.submariner.broker,
      pairs: names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b] as const)),
    },
    stores: [env.vault, env.cockroachdb].filter((s): s is Store => s !== undefined).map((s) => storeReport(s, gslb)),
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
      failover: failoverOf(s.expose, s.servingIn.length, gslb),
    })),
    ...(gslb ? { globalLoadBalancer: gslb } : {}),
    prerequisites: prerequisites(env),
    runbook: runbook(env),
    day2: day2Runbooks(env),
    operations: operationsReport(env),
  };
}

function gslbReport(env: Environment): GslbReport {
  const g = env.globalLoadBalancer!;
  const h = g.healthCheck;
  return {
    provider: g.provider,
    hub: g.hub,
    policy: g.policy,
    ttlSeconds: g.ttl,
    healthCheck: h,
    reactionSeconds: h.periodSeconds * h.failureThreshold + g.ttl,
    ...(g.provider === 'external-dns' ? { note: 'external-dns runs no health checks (REFERENCE §1.6): a dead region stays in DNS until its endpoints are removed, so the reaction time only holds once that happens' } : {}),
  };
}

function storeReport(s: Store, gslb: GslbReport | undefined): StoreReport {
  const q = s.quorum;
  const clusters = Object.keys(q.votersPerCluster).length;
  const consensus = clusters >= 3 && q.clustersItCanLose >= 1;
  const reelection = s.kind === 'cockroachdb' ? `leaseholder re-election (${COCKROACHDB_REELECTION_CLAIM})` : 'raft leader re-election among the remaining voters';
  const traffic = gslb ? ` + GSLB reaction for client traffic (${gslb.reactionSeconds} s)` : '';
  return {
    kind: s.kind,
    namespace: s.namespace,
    votersPerCluster: q.votersPerCluster,
    voters: q.voters,
    quorum: q.quorum,
    votersItCanLose: q.voters - q.quorum,
    clustersItCanLose: q.clustersItCanLose,
    drClass: consensus ? `consensus store over ${clusters} sites (active/active)` : `consensus store that cannot lose a site (${clusters} site(s))`,
    rpo: consensus ? '0 for committed writes (a write commits only once a majority across clusters has it)' : '0 while quorum holds; none after losing the site that holds the majority',
    rto: consensus ? `${reelection}${traffic}` : 'manual recovery of the lost majority',
    ...(s.kind === 'cockroachdb' ? { survivalGoal: s.survivalGoal, databases: s.databases } : {}),
  };
}

function failoverOf(expose: ServiceReport['expose'], serving: number, gslb: GslbReport | undefined): string {
  if (expose === 'cluster') return 'none: reachable in its own cluster only';
  const east = `Lighthouse answers the clusterset name from another cluster when the local one has no healthy endpoints (DNS TTL ${LIGHTHOUSE_TTL_SECONDS} s)`;
  if (expose === 'clusterset') return serving > 1 ? east : 'none: served by a single cluster';
  if (!gslb) return `${east}; no global load balancer in this environment`;
  return serving > 1 ? `GSLB drops a dead region within ${gslb.reactionSeconds} s; east-west: ${east}` : 'none: served by a single cluster';
}
