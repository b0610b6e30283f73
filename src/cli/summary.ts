import type { SynthResult } from '../main';
import type { Environment, Store } from '../topology';
import { clustersItCanLose, RANGE_VOTERS } from '../topology/survival';
import type { Style } from './style';

/** Per-cluster rows are shown up to this many clusters; beyond, totals per component keep it on one screen. */
const MAX_CLUSTER_ROWS = 12;

export function formatSynthSummary(result: SynthResult, seconds: number, s: Style): string {
  const { bundle, topology, outDir } = result;
  const lines: string[] = [];
  const synthesized = new Set(bundle.objects.map((o) => o.environment));
  const envs = topology.environments.filter((e) => synthesized.has(e.name));
  const clusters = envs.reduce((n, e) => n + e.clusters.length, 0);
  lines.push(
    `${s.green('synthesized')} ${envs.length} environment(s), ${clusters} cluster(s), ${bundle.objects.length} objects in ${bundle.files.size} files -> ${outDir}/ ${s.dim(`(${seconds.toFixed(2)} s)`)}`,
  );
  for (const env of envs) {
    const objects = bundle.objects.filter((o) => o.environment === env.name && o.folder !== 'argocd');
    const components = [...new Set(objects.map((o) => o.component))].sort();
    lines.push('', s.bold(`${env.name}`) + s.dim(` (${env.source}, ${env.strategy})`));
    const header = ['cluster', 'region', ...components, 'total'];
    const rows: string[][] = [];
    const count = (cluster: string | undefined, component?: string): number =>
      objects.filter((o) => (cluster === undefined || o.folder === cluster) && (component === undefined || o.component === component)).length;
    if (env.clusters.length <= MAX_CLUSTER_ROWS) {
      for (const c of env.clusters) rows.push([c.name, c.region, ...components.map((k) => String(count(c.name, k))), String(count(c.name))]);
    }
    rows.push([`all ${env.clusters.length}`, '', ...components.map((k) => String(count(undefined, k))), String(count(undefined))]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => `  ${r.map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')}`;
    lines.push(s.dim(fmt(header)), ...rows.map(fmt));
    for (const store of [env.vault, env.cockroachdb].filter((x): x is Store => x !== undefined)) lines.push(`  ${storeLine(env, store)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function storeLine(env: Environment, store: Store): string {
  const q = store.quorum;
  const split = Object.values(q.votersPerCluster).join('/');
  const lose = clustersItCanLose(env, store);
  if (store.kind === 'vault') return `vault: ${q.voters} voters (${split} per cluster), quorum ${q.quorum}, survives the loss of any ${lose} cluster(s)`;
  const v = RANGE_VOTERS[store.survivalGoal];
  return `cockroachdb: ${q.voters} nodes (${split} per cluster), ${v.home + v.others} voters per range (survival goal ${store.survivalGoal}), survives the loss of any ${lose} cluster(s)`;
}
