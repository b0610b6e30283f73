// Extension points of synthesis that a repository adopting meridian uses without forking it: team charts
// from `meridian.config.mjs` (loaded by src/main.ts; nothing here reads files). Every chart becomes a
// component of each cluster folder, `dist/<cluster>/<component>.yaml`, built in a MeridianChart: its
// objects carry meridian's labels (managed-by, environment, cluster), get sync waves, are checked
// against their schemas, by every rule of `meridian validate`, listed in the kustomization and in the
// AppProject's kinds, and diffed like meridian's own.
import type { App } from 'cdk8s';
import { MeridianChart } from '../charts/meridian-chart';
import { DNS_LABEL, type Cluster, type ClusterView, type Environment } from '../topology';

/** What a chart factory is given for one cluster. */
export interface ChartContext {
  /**
   * The chart to add objects to: a cdk8s Chart whose id is the component name (`dist/<cluster>/<component>.yaml`),
   * labelled like meridian's own charts.
   */
  readonly scope: MeridianChart;
  /** The environment being synthesized, defaults applied. */
  readonly environment: Environment;
  /** The cluster whose folder this chart is written to. */
  readonly cluster: Cluster;
  /** Everything meridian's own charts see of this cluster (services active here and their replica share, namespaces...). */
  readonly view: ClusterView;
}

/**
 * Adds a team's objects to one cluster's chart. Called once per cluster of every environment; adding
 * nothing (for a cluster the team does not deploy to) leaves no file.
 */
export type ChartFactory = (context: ChartContext) => void;

/** The default export of `meridian.config.mjs`. */
export interface MeridianConfig {
  /**
   * Component name (a DNS label, not one of meridian's own components) -> the factory that fills it.
   * @default - no team charts
   */
  readonly charts?: Readonly<Record<string, ChartFactory>>;
}

/** Returns the config unchanged: a typed identity for `export default defineConfig({...})`. */
export function defineConfig(config: MeridianConfig): MeridianConfig {
  return config;
}

/** A problem in `meridian.config.mjs`: `<file>: <field>: <what to fix>` (no stack trace). */
export class ConfigError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The config file name, at the repository root (the working directory). */
export const CONFIG_FILE = 'meridian.config.mjs';

/** Checks the shape of a loaded config module's default export. */
export function checkConfig(value: unknown, source: string = CONFIG_FILE): MeridianConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${source}: default export: must be an object such as \`export default defineConfig({ charts: { ... } })\``);
  const known = new Set(['charts']);
  for (const key of Object.keys(value)) if (!known.has(key)) throw new ConfigError(`${source}: ${key}: unknown setting; the settings are: ${[...known].join(', ')}`);
  const charts = (value as { charts?: unknown }).charts;
  if (charts === undefined) return {};
  if (charts === null || typeof charts !== 'object' || Array.isArray(charts)) throw new ConfigError(`${source}: charts: must map component names to chart factories, e.g. charts: { team: ({ scope }) => { ... } }`);
  for (const [name, factory] of Object.entries(charts)) {
    if (!new RegExp(DNS_LABEL).test(name)) throw new ConfigError(`${source}: charts.${name}: the component name is the file name dist/<cluster>/<name>.yaml: use a DNS label (lower-case letters, digits, '-')`);
    if (typeof factory !== 'function') throw new ConfigError(`${source}: charts.${name}: must be a function ({ scope, environment, cluster, view }) => void`);
  }
  return { charts: charts as Record<string, ChartFactory> };
}

/**
 * The team charts of one cluster, after meridian's own (whose component names they must not reuse).
 * A factory that throws is reported with its component and cluster.
 */
export function addExtensionCharts(app: App, view: ClusterView, config: MeridianConfig, reserved: readonly string[]): MeridianChart[] {
  const out: MeridianChart[] = [];
  for (const [name, factory] of Object.entries(config.charts ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (reserved.includes(name) || name === 'kustomization') throw new ConfigError(`${CONFIG_FILE}: charts.${name}: "${name}" is a component meridian writes itself; choose another name`);
    const scope = new MeridianChart(app, name, { environment: view.environment.name, cluster: view.cluster.name });
    try {
      factory({ scope, environment: view.environment, cluster: view.cluster, view });
    } catch (e) {
      throw new ConfigError(`${CONFIG_FILE}: charts.${name}: failed for cluster ${view.cluster.name} of environment ${view.environment.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    out.push(scope);
  }
  return out;
}
