// What a change means for each environment's DR report, and the day-2 runbooks it needs: the report
// models of the environment files before and after (read from git at the base revision, and from the
// working tree or git at the head revision), compared as meaning instead of report lines.
import * as path from 'node:path';
import { buildReport, runbooksForChange, type Day2Runbook, type EnvironmentReport } from '../report';
import { buildTopology, parseEnvironment, TopologyError, type Environment } from '../topology';
import { GitError, readFolderAtRef } from './git';

export interface StoreChange {
  readonly kind: string;
  readonly before?: StoreFigures;
  readonly after?: StoreFigures;
}

export interface StoreFigures {
  /** Pods of the store in every cluster. */
  readonly members: number;
  /** Voters of one replication group (Vault: every member; CockroachDB: one range). */
  readonly voters: number;
  readonly votersPerCluster: Readonly<Record<string, number>>;
  readonly quorum: number;
  readonly clustersItCanLose: number;
}

export interface SplitChange {
  readonly service: string;
  readonly before?: Readonly<Record<string, number>>;
  readonly after?: Readonly<Record<string, number>>;
}

export interface TargetChange {
  readonly service: string;
  readonly hostname?: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface ReportChange {
  readonly environment: string;
  /** The report file this replaces as `+n −m lines` (dist/<env>.report.md). */
  readonly file: string;
  readonly clustersAdded: readonly string[];
  readonly clustersRemoved: readonly string[];
  readonly stores: readonly StoreChange[];
  readonly replicaSplits: readonly SplitChange[];
  readonly gslbTargets: readonly TargetChange[];
}

export interface Review {
  readonly reports: readonly ReportChange[];
  readonly runbooks: readonly Day2Runbook[];
  /** Why a side could not be read (its environment files at that revision do not load), if so. */
  readonly notes: readonly string[];
}

/** The environments of the environment files under `envDir` as committed at `ref` (none when the folder is absent there). */
export function environmentsAtRef(envDir: string, ref: string): Environment[] {
  const files = [...readFolderAtRef(envDir, ref)].filter(([f]) => !f.includes('/') && /\.ya?ml$/.test(f));
  if (files.length === 0) return [];
  return [...buildTopology(files.map(([f, text]) => parseEnvironment(text, path.join(envDir, f)))).environments];
}

/** `environmentsAtRef`, or a note saying why that side has no environments. */
export function tryEnvironmentsAtRef(envDir: string, ref: string): { environments: Environment[]; note?: string } {
  try {
    return { environments: environmentsAtRef(envDir, ref) };
  } catch (e) {
    if (e instanceof TopologyError) return { environments: [], note: `the environment files at ${ref} do not load (${e.problems.length} problem(s), first: ${e.problems[0]!.source}:${e.problems[0]!.line}: ${e.problems[0]!.message}), so the report changes are shown as lines` };
    if (e instanceof GitError) return { environments: [], note: `${e.message}; the report changes are shown as lines` };
    throw e;
  }
}

const figures = (r: EnvironmentReport['stores'][number]): StoreFigures => ({ members: r.members, voters: r.voters, votersPerCluster: r.votersPerCluster, quorum: r.quorum, clustersItCanLose: r.clustersItCanLose });
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Per environment present on both sides (or one), the changes of its report's figures; environments without any are left out. */
export function reviewOf(before: readonly Environment[], after: readonly Environment[], notes: readonly string[] = []): Review {
  const names = [...new Set([...before.map((e) => e.name), ...after.map((e) => e.name)])].sort();
  const reports: ReportChange[] = [];
  const runbooks: Day2Runbook[] = [];
  for (const name of names) {
    const b = before.find((e) => e.name === name);
    const a = after.find((e) => e.name === name);
    const rb = b ? buildReport(b) : undefined;
    const ra = a ? buildReport(a) : undefined;
    const had = new Set(rb?.clusters.map((c) => c.name) ?? []);
    const has = new Set(ra?.clusters.map((c) => c.name) ?? []);
    const kinds = [...new Set([...(rb?.stores ?? []), ...(ra?.stores ?? [])].map((s) => s.kind))];
    const stores = kinds.flatMap((kind): StoreChange[] => {
      const x = rb?.stores.find((s) => s.kind === kind);
      const y = ra?.stores.find((s) => s.kind === kind);
      const fx = x ? figures(x) : undefined;
      const fy = y ? figures(y) : undefined;
      return same(fx, fy) ? [] : [{ kind, ...(fx ? { before: fx } : {}), ...(fy ? { after: fy } : {}) }];
    });
    const services = [...new Set([...(rb?.services ?? []), ...(ra?.services ?? [])].map((s) => s.name))];
    const replicaSplits = services.flatMap((service): SplitChange[] => {
      const x = rb?.services.find((s) => s.name === service)?.replicasByCluster;
      const y = ra?.services.find((s) => s.name === service)?.replicasByCluster;
      return same(x, y) ? [] : [{ service, ...(x ? { before: x } : {}), ...(y ? { after: y } : {}) }];
    });
    const gslbTargets = services.flatMap((service): TargetChange[] => {
      const x = rb?.services.find((s) => s.name === service && s.expose === 'global');
      const y = ra?.services.find((s) => s.name === service && s.expose === 'global');
      if (!x && !y) return [];
      const bx = x?.servingIn ?? [];
      const by = y?.servingIn ?? [];
      const hostname = y?.hostname ?? x?.hostname;
      return same(bx, by) ? [] : [{ service, ...(hostname ? { hostname } : {}), before: bx, after: by }];
    });
    const clustersAdded = [...has].filter((c) => !had.has(c));
    const clustersRemoved = [...had].filter((c) => !has.has(c));
    if (stores.length + replicaSplits.length + gslbTargets.length + clustersAdded.length + clustersRemoved.length > 0) {
      reports.push({ environment: name, file: `${name}.report.md`, clustersAdded, clustersRemoved, stores, replicaSplits, gslbTargets });
    }
    runbooks.push(...runbooksForChange(b, a));
  }
  return { reports, runbooks, notes };
}

/**
 * `9 voters (3/3/3), quorum 5, survives ...` for a store whose members all vote (Vault); `9 members
 * (3/3/3), 5 voters per range, quorum 3, survives ...` for one that replicates per range (CockroachDB).
 */
export function storeFiguresText(f: StoreFigures | undefined): string {
  if (!f) return 'none';
  const split = Object.values(f.votersPerCluster).join('/');
  const who = f.members === f.voters ? `${f.voters} voters (${split})` : `${f.members} members (${split}), ${f.voters} voters per range`;
  return `${who}, quorum ${f.quorum}, survives the loss of ${f.clustersItCanLose} cluster(s)`;
}

export function splitText(s: Readonly<Record<string, number>> | undefined): string {
  return s ? Object.entries(s).map(([c, n]) => `${c}: ${n}`).join(', ') : 'none';
}

/** Lines of meaning for one report change (markdown without the bullet). */
export function reportChangeLines(r: ReportChange): string[] {
  const out: string[] = [];
  if (r.clustersAdded.length > 0) out.push(`clusters added: ${r.clustersAdded.join(', ')}`);
  if (r.clustersRemoved.length > 0) out.push(`clusters removed: ${r.clustersRemoved.join(', ')}`);
  const membership = r.clustersAdded.length + r.clustersRemoved.length > 0;
  for (const s of r.stores) {
    out.push(`${s.kind}: ${storeFiguresText(s.before)} → ${storeFiguresText(s.after)}${membership ? ' after the steps of the runbook below (until then the live membership is the old one)' : ''}`);
  }
  for (const s of r.replicaSplits) out.push(`${s.service} replicas: ${splitText(s.before)} → ${splitText(s.after)}`);
  for (const g of r.gslbTargets) out.push(`${g.service}${g.hostname ? ` (${g.hostname})` : ''} GSLB targets: ${g.before.join(', ') || 'none'} → ${g.after.join(', ') || 'none'}`);
  return out;
}
