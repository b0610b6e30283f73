// Topology -> the files of dist/, in memory and validated. No IO: main.ts writes the result.
import { ApiObject, App } from 'cdk8s';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ArgoCdChart } from '../charts/argocd';
import { addClusterCharts } from '../charts/cluster';
import { renderCharts, type MeridianChart } from '../charts/meridian-chart';
import { inventoryOf, type BundleInventory } from '../lib/inventory';
import { ARGOCD_FOLDER } from '../lib/layout';
import { planTiers, tierFolder, TIERS } from '../lib/sync-wave';
import { renderPrerequisites, renderReport, reportFile } from '../report';
import { prerequisitesFile } from '../topology/prerequisites';
import { cmp, clusterView, RESERVED_CLUSTER_NAMES, TopologyError, type ClusterView, type Environment, type Patch, type Topology } from '../topology';
import { MeridianChart as ExtraChart } from '../charts/meridian-chart';
import { applyPatch, PatchError, targets } from './patches';
import { addExtensionCharts, type MeridianConfig } from './extensions';
import { offloadFor, type OffloadOptions } from './offload';
import { objectId } from './render-file';

export { ARGOCD_FOLDER } from '../lib/layout';

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
  /** Objects the environment files' patches changed, so a violation on one can name the patch. */
  readonly patched: readonly PatchedObject[];
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
  /**
   * A repository's `meridian.config.mjs` (loaded by main.ts): team charts added to every cluster folder.
   * @default - meridian's own charts only
   */
  readonly config?: MeridianConfig;
  /**
   * The files of each folder an environment's `extraManifests` declare (read by main.ts): folder path
   * as written -> its `*.yaml` files (name relative to the folder, content), sorted by name.
   * @default - no folder can be read: declaring extraManifests is then an error
   */
  readonly extraFiles?: ReadonlyMap<string, readonly ExtraFile[]>;
}

/** One file of a folder of extra manifests. */
export interface ExtraFile {
  readonly name: string;
  readonly text: string;
}

/** What patches did: per object (folder, kind, namespace, name), the patches that changed it. */
export interface PatchedObject {
  readonly folder: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** `patches[0] (environments/prod.yaml:40:5)` for each patch that changed it. */
  readonly by: readonly string[];
}

export function synthesize(topology: Topology, options: SynthesizeOptions = {}): Bundle {
  const selected = topology.environments.filter((e) => options.environments === undefined || options.environments.includes(e.name));
  const objects: SynthesizedObject[] = [];
  const files = new Map<string, string>();
  const folders: string[] = [];
  // Schema checks and YAML text, per file: in a worker thread for large bundles (offload.ts).
  const estimated = selected.reduce((n, e) => n + e.clusters.length * (e.services.length * 8 + 40), 0);
  const offload = offloadFor(estimated, options.offload);

  const patched: PatchedObject[] = [];
  /** Synthesizes the charts of one folder; its files are written only when `write` is set. Patches apply to cluster folders. */
  /**
   * Synthesizes the charts of one folder; its files are written only when `write` is set. Patches apply to
   * cluster folders. A cluster folder is split into its tiers (src/lib/sync-wave.ts, planTiers), each a
   * sub-folder with its own kustomization, written even when empty so that every tier's Application
   * finds its path; `sub` puts a folder's files into one sub-folder instead (dist/argocd/<tier>/).
   */
  const emit = (folder: string, charts: readonly MeridianChart[], origin: string, environmentOf: (chart: MeridianChart) => string, write = true, patching?: PatchRun, place: { tiered: true } | { sub: string } = { sub: '' }): SynthesizedObject[] => {
    validateConstructTree(charts);
    const out: SynthesizedObject[] = [];
    const rendered = renderCharts(charts);
    if (patching) patched.push(...patching.apply(folder, rendered as Manifest[][], write));
    const tiers = 'tiered' in place ? planTiers(rendered.flat()) : [];
    const dirs = new Map<string, string[]>('tiered' in place ? TIERS.map((t) => [tierFolder(t), []]) : [[(place as { sub: string }).sub, []]]);
    let n = 0;
    charts.forEach((chart, c) => {
      const manifests = rendered[c] as Manifest[];
      const bySub = new Map<string, Manifest[]>();
      for (const m of manifests) {
        const sub = 'tiered' in place ? tierFolder(tiers[n]!) : (place as { sub: string }).sub;
        n++;
        bySub.set(sub, [...(bySub.get(sub) ?? []), m]);
      }
      for (const [sub, docs] of [...bySub].sort(([a], [b]) => cmp(a, b))) {
        const dir = sub === '' ? folder : `${folder}/${sub}`;
        const file = `${dir}/${chart.component}.yaml`;
        dirs.get(sub)!.push(`${chart.component}.yaml`);
        if (write) offload.add({ file, header: header(origin), documents: docs, validate: true });
        const environment = environmentOf(chart);
        for (const manifest of docs) out.push({ folder, file, component: chart.component, environment, manifest });
      }
    });
    if (write) {
      for (const [sub, resources] of dirs) {
        offload.add({ file: `${sub === '' ? folder : `${folder}/${sub}`}/kustomization.yaml`, header: header(origin), documents: [kustomization(resources)], validate: false });
      }
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
      const patching = new PatchRun(env);
      for (const cluster of env.clusters) {
        const app = new App({ outdir: cluster.name });
        const view = clusterView(env, cluster.name);
        const own = addClusterCharts(app, view);
        const team = addExtensionCharts(app, view, options.config ?? {}, own.map((c) => c.component));
        const extra = addExtraManifestCharts(app, view, options.extraFiles ?? new Map(), [...own, ...team].map((c) => c.component));
        envObjects.push(...emit(cluster.name, [...own, ...team, ...extra], `environment ${env.name}`, () => env.name, write, patching, { tiered: true }));
        if (write) folders.push(cluster.name);
      }
      patching.checkAllMatched();
      inventories.set(env.name, inventoryOf(envObjects));
    }

    // dist/argocd: one ApplicationSet per environment, each excluding every folder that is not its own
    // cluster (and the names reserved for folders that are never clusters).
    const allClusters = topology.environments.flatMap((e) => e.clusters.map((c) => ({ env: e.name, name: c.name })));
    // One ApplicationSet per environment and tier: dist/argocd/<env>.yaml (with the AppProject) is applied
    // before the first sync, dist/argocd/<tier>/<env>.yaml by the runbook step that makes the tier deployable.
    const names = topology.environments.map((e) => e.name);
    for (const tier of TIERS) {
      const argoApp = new App({ outdir: ARGOCD_FOLDER });
      const argoCharts = topology.environments.map(
        (env) =>
          new ArgoCdChart(argoApp, {
            environment: env,
            tier,
            excludedFolders: [ARGOCD_FOLDER, ...RESERVED_CLUSTER_NAMES, ...allClusters.filter((c) => c.env !== env.name).map((c) => c.name)],
            inventory: inventories.get(env.name)!,
          }),
      );
      emit(ARGOCD_FOLDER, argoCharts, `environment${names.length > 1 ? 's' : ''} ${names.join(', ')}`, (chart) => chart.component, true, undefined, { sub: tierFolder(tier) });
    }
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
  if (violations.length > 0) throw new OutputValidationError(violations.map((v) => blamePatches(v, patched)));
  return { files: new Map([...files].sort(([a], [b]) => cmp(a, b))), objects, folders: folders.sort(cmp), checked, patched };
}

/** A schema violation (`dist/<folder>/<file>: <Kind>/<ns>/<name>: ...`) on a patched object names the patches. */
function blamePatches(line: string, patched: readonly PatchedObject[]): string {
  for (const p of patched) {
    const id = `${p.kind}/${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name}`;
    if (line.startsWith(`dist/${p.folder}/`) && line.includes(`: ${id}: `)) return `${line} (after ${p.by.join(', ')})`;
  }
  return line;
}

/** The patches of one environment over its cluster folders: applies them and remembers which matched. */
class PatchRun {
  private readonly matched = new Set<Patch>();

  public constructor(private readonly env: Environment) {}

  /** Patches the rendered manifests of one cluster folder in place; returns the objects changed (only for written folders). */
  public apply(folder: string, perChart: Manifest[][], write: boolean): PatchedObject[] {
    const changed: PatchedObject[] = [];
    const patches = (this.env.patches ?? []).filter((p) => p.cluster === undefined || p.cluster === folder);
    if (patches.length === 0) return changed;
    for (const manifests of perChart) {
      manifests.forEach((m, i) => {
        const by: string[] = [];
        let current = m;
        for (const p of patches) {
          if (!targets(p, current)) continue;
          this.matched.add(p);
          try {
            current = applyPatch(p, current as unknown as Record<string, unknown>) as unknown as Manifest;
          } catch (e) {
            if (e instanceof PatchError) throw new TopologyError([{ ...e.location, message: `${e.message} (cluster ${folder})` }]);
            throw e;
          }
          by.push(`${p.location.path} (${p.location.source}:${p.location.line}:${p.location.col})`);
        }
        if (by.length === 0) return;
        manifests[i] = current;
        if (write) changed.push({ folder, kind: m.kind, ...(m.metadata.namespace !== undefined ? { namespace: m.metadata.namespace } : {}), name: m.metadata.name, by });
      });
    }
    return changed;
  }

  /** A patch that matched nothing in any of its clusters is an error at its place in the file. */
  public checkAllMatched(): void {
    const problems = (this.env.patches ?? [])
      .filter((p) => !this.matched.has(p))
      .map((p) => {
        const t = p.target;
        const where = p.cluster !== undefined ? `cluster ${p.cluster}` : `any cluster of environment ${this.env.name}`;
        return {
          ...p.location,
          message: `the patch matches no generated object: no ${t.apiVersion !== undefined ? `${t.apiVersion} ` : ''}${t.kind} named ${t.namespace !== undefined ? `${t.namespace}/` : ''}${t.name} in ${where}; fix target (kind and name as in dist/) or remove the patch`,
        };
      });
    if (problems.length > 0) throw new TopologyError(problems);
  }
}

/**
 * The environment's extraManifests for one cluster: a chart per file, `extra-<file>.yaml`, holding its
 * objects as written, so they carry meridian's labels, get sync waves and are validated and listed
 * like every other component. A file that does not parse is reported at its line.
 */
function addExtraManifestCharts(app: App, view: ClusterView, extraFiles: ReadonlyMap<string, readonly ExtraFile[]>, reserved: readonly string[]): MeridianChart[] {
  const charts: MeridianChart[] = [];
  const taken = new Map<string, string>();
  for (const decl of view.environment.extraManifests ?? []) {
    if (decl.cluster !== undefined && decl.cluster !== view.cluster.name) continue;
    const files = extraFiles.get(decl.path);
    if (files === undefined) throw new TopologyError([{ ...decl.location, message: `folder ${decl.path} not found; create it (relative to the repository root) or remove the entry` }]);
    for (const f of files) {
      const component = `extra-${f.name.replace(/\.ya?ml$/, '').replace(/[^a-z0-9-]+/g, '-')}`;
      const source = `${decl.path}/${f.name}`;
      const first = taken.get(component);
      if (first !== undefined || reserved.includes(component)) {
        throw new TopologyError([{ ...decl.location, message: `${source} would be written as ${view.cluster.name}/${component}.yaml, like ${first ?? 'a component of meridian or the config'}; rename one of the files` }]);
      }
      taken.set(component, source);
      const chart = new ExtraChart(app, component, { environment: view.environment.name, cluster: view.cluster.name });
      const lines = new LineCounter();
      parseAllDocuments(f.text, { lineCounter: lines }).forEach((doc, d) => {
        if (doc.errors.length > 0) {
          const e = doc.errors[0]!;
          const at = lines.linePos(e.pos[0]);
          throw new TopologyError([{ source, line: at.line, col: at.col, path: '', message: `not valid YAML: ${e.message.split('\n')[0]!}` }]);
        }
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) return;
        const at = lines.linePos(doc.range[0]);
        const problem = (message: string): TopologyError => new TopologyError([{ source, line: at.line, col: at.col, path: '', message }]);
        if (typeof value !== 'object' || Array.isArray(value)) throw problem('each document must be one Kubernetes object (apiVersion, kind, metadata.name)');
        const m = value as Record<string, any>;
        if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || typeof m.metadata?.name !== 'string') throw problem('each document needs apiVersion, kind and metadata.name');
        if (m.kind === 'Secret') throw problem('a Secret would put secret material into git; provision it out-of-band (sealed or external secrets) and reference it by name');
        new ApiObject(chart, `doc${d}`, m as any);
      });
      charts.push(chart);
    }
  }
  return charts;
}

function header(origin: string): string {
  return `# Generated by meridian from ${origin}. Do not edit: change the environment file and run \`meridian synth\`.\n`;
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
