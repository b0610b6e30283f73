// Topology -> the files of dist/, in memory and validated. No IO: main.ts writes the result.
import { App } from 'cdk8s';
import { ArgoCdChart } from '../charts/argocd';
import { addClusterCharts } from '../charts/cluster';
import { renderCharts, type MeridianChart } from '../charts/meridian-chart';
import { inventoryOf, type BundleInventory } from '../lib/inventory';
import { renderPrerequisites, renderReport, reportFile } from '../report';
import { prerequisitesFile } from '../topology/prerequisites';
import { cmp, clusterView, RESERVED_CLUSTER_NAMES, type Topology } from '../topology';
import { offloadFor, type OffloadOptions } from './offload';
import { objectId } from './render-file';

/** The folder of dist/ that holds the ApplicationSets; never a cluster name (the loader reserves it). */
export const ARGOCD_FOLDER = 'argocd';

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

export interface SynthesizedObject {
  /** Top-level folder of dist/: a cluster name or `argocd`. */
  readonly folder: string;
  /** Path relative to dist/, e.g. `cluster1/namespaces.yaml`. */
  readonly file: string;
  readonly component: string;
  readonly environment: string;
  readonly manifest: Manifest;
}

export interface Bundle {
  /** Path relative to dist/ -> content, sorted by path. */
  readonly files: ReadonlyMap<string, string>;
  readonly objects: readonly SynthesizedObject[];
  /** Top-level folders of dist/ this bundle owns. */
  readonly folders: readonly string[];
  /** Digests of objects whose schema check passed in this run and that were not known before (validate/cache.ts). */
  readonly checked: readonly string[];
}

/** Output that fails its schema or the bundle's own rules; `dist/` must not be written. */
export class OutputValidationError extends Error {
  public constructor(public readonly violations: readonly string[]) {
    super(`generated output is invalid (${violations.length} problem(s)); dist/ was left untouched:\n${violations.join('\n')}`);
    this.name = 'OutputValidationError';
  }
}

export interface SynthesizeOptions {
  /** Synthesize only these environments (all are still part of the topology and its checks). */
  readonly environments?: readonly string[];
  /** Where schema checks and YAML writing run, and which objects passed before (offload.ts). */
  readonly offload?: OffloadOptions;
}

export function synthesize(topology: Topology, options: SynthesizeOptions = {}): Bundle {
  const selected = topology.environments.filter((e) => options.environments === undefined || options.environments.includes(e.name));
  const objects: SynthesizedObject[] = [];
  const files = new Map<string, string>();
  const folders: string[] = [];
  // Schema checks and YAML text, per file: in a worker thread for large bundles (offload.ts).
  const estimated = selected.reduce((n, e) => n + e.clusters.length * (e.services.length * 8 + 40), 0);
  const offload = offloadFor(estimated, options.offload);

  /** Synthesizes the charts of one folder; its files are written only when `write` is set. */
  const emit = (folder: string, charts: readonly MeridianChart[], origin: string, environmentOf: (chart: MeridianChart) => string, write = true): SynthesizedObject[] => {
    validateConstructTree(charts);
    const resources: string[] = [];
    const out: SynthesizedObject[] = [];
    const rendered = renderCharts(charts);
    charts.forEach((chart, c) => {
      const manifests = rendered[c] as Manifest[];
      if (manifests.length === 0) return;
      const file = `${folder}/${chart.component}.yaml`;
      resources.push(`${chart.component}.yaml`);
      if (write) offload.add({ file, header: header(origin), documents: manifests, validate: true });
      const environment = environmentOf(chart);
      for (const manifest of manifests) out.push({ folder, file, component: chart.component, environment, manifest });
    });
    if (write) {
      offload.add({ file: `${folder}/kustomization.yaml`, header: header(origin), documents: [kustomization(resources)], validate: false });
      objects.push(...out);
    }
    return out;
  };

  const violations: string[] = [];
  try {
    // Every environment is synthesized: dist/argocd describes all of them (the AppProject lists the kinds
    // and namespaces of each), but only the selected environments' folders are written.
    const inventories = new Map<string, BundleInventory>();
    for (const env of topology.environments) {
      const write = selected.includes(env);
      const envObjects: SynthesizedObject[] = [];
      for (const cluster of env.clusters) {
        const app = new App({ outdir: cluster.name });
        envObjects.push(...emit(cluster.name, addClusterCharts(app, clusterView(env, cluster.name)), `environment ${env.name}`, () => env.name, write));
        if (write) folders.push(cluster.name);
      }
      inventories.set(env.name, inventoryOf(envObjects));
    }

    // dist/argocd: one ApplicationSet per environment, each excluding every folder that is not its own
    // cluster (and the names reserved for folders that are never clusters).
    const allClusters = topology.environments.flatMap((e) => e.clusters.map((c) => ({ env: e.name, name: c.name })));
    const argoApp = new App({ outdir: ARGOCD_FOLDER });
    const argoCharts = topology.environments.map(
      (env) =>
        new ArgoCdChart(argoApp, {
          environment: env,
          excludedFolders: [ARGOCD_FOLDER, ...RESERVED_CLUSTER_NAMES, ...allClusters.filter((c) => c.env !== env.name).map((c) => c.name)],
          inventory: inventories.get(env.name)!,
        }),
    );
    const names = topology.environments.map((e) => e.name);
    emit(ARGOCD_FOLDER, argoCharts, `environment${names.length > 1 ? 's' : ''} ${names.join(', ')}`, (chart) => chart.component);
    folders.push(ARGOCD_FOLDER);

    // dist/<env>.report.md: the DR report and bootstrap runbook, beside the cluster folders (no Application deploys a file).
    for (const env of selected) files.set(reportFile(env.name), renderReport(env));
    // dist/<env>.prerequisites.json: what each cluster must already have, for the rules and preflight.
    for (const env of selected) files.set(prerequisitesFile(env.name), renderPrerequisites(env, objects));
    violations.push(...duplicateIdentities(objects));
  } catch (e) {
    offload.abort();
    throw e;
  }
  const checked: string[] = [];
  for (const r of offload.finish()) {
    files.set(r.file, r.text);
    violations.push(...r.violations);
    checked.push(...r.checked);
  }
  if (violations.length > 0) throw new OutputValidationError(violations);
  return { files: new Map([...files].sort(([a], [b]) => cmp(a, b))), objects, folders: folders.sort(cmp), checked };
}

function header(origin: string): string {
  return `# Generated by meridian from ${origin}. Do not edit: change the environment file and run \`npm run synth\`.\n`;
}

function kustomization(resources: readonly string[]): Record<string, unknown> {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources].sort(cmp) };
}

/** Runs every construct's `node.addValidation` checks, naming the construct path of each failure. */
function validateConstructTree(charts: readonly MeridianChart[]): void {
  const errors: string[] = [];
  for (const chart of charts) {
    for (const c of chart.node.findAll()) for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
  }
  if (errors.length > 0) throw new OutputValidationError(errors);
}

/** Identity (apiVersion, kind, namespace, name) unique per folder. */
function duplicateIdentities(objects: readonly SynthesizedObject[]): string[] {
  const violations: string[] = [];
  const identities = new Map<string, string>();
  for (const o of objects) {
    const m = o.manifest;
    const id = objectId(m);
    const key = `${o.folder}|${m.apiVersion}|${id}`;
    const first = identities.get(key);
    if (first) violations.push(`dist/${o.file}: ${id}: defined twice in ${o.folder} (also in dist/${first})`);
    else identities.set(key, o.file);
  }
  return violations;
}
