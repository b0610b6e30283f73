import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { chartLabels } from '../lib/labels';
import { planWaves, SYNC_WAVE_ANNOTATION } from '../lib/sync-wave';

export interface MeridianChartProps {
  readonly environment: string;
  /** Omitted for charts that are not deployed to one cluster (dist/argocd). */
  readonly cluster?: string;
  /**
   * Value of the `app.kubernetes.io/component` label when the chart id (the file name) is not the
   * component, as for `dist/argocd/<environment>.yaml`.
   * @default - the chart id
   */
  readonly componentLabel?: string;
}

/**
 * One component of one cluster folder: the chart id is the component name and the file name
 * (`dist/<cluster>/<id>.yaml`). Names are never hashed, every object carries the standard labels,
 * and every object gets an Argo CD sync wave from its kind unless it already has one.
 */
export class MeridianChart extends Chart {
  public readonly component: string;

  public constructor(scope: Construct, id: string, props: MeridianChartProps) {
    super(scope, id, { disableResourceNameHashes: true, labels: chartLabels(props.environment, props.cluster, props.componentLabel ?? id) });
    this.component = id;
  }
}

/**
 * The manifests of the charts of one app (one app = one cluster folder), chart by chart in construct
 * order (deterministic). Every object is serialized once; unlike `Chart.toJson()` this neither
 * re-validates the whole app per chart nor misses objects nested in constructs (the synthesizer
 * validates the construct tree once). Objects without a sync wave get the one planned over the whole
 * folder: ordering follows references across components (a certificate in one chart, the workload
 * mounting it in another); objects that already have a wave keep it.
 */
export function renderCharts(charts: readonly MeridianChart[]): Record<string, any>[][] {
  const perChart = charts.map((chart) => chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson() as Record<string, any>));
  const all = perChart.flat();
  const waves = planWaves(all);
  all.forEach((manifest, i) => {
    const annotations: Record<string, string> = manifest.metadata?.annotations ?? {};
    if (annotations[SYNC_WAVE_ANNOTATION] !== undefined) return;
    // Keys stay sorted as cdk8s writes them, so the output does not depend on when the wave was added.
    manifest.metadata = sortedKeys({ ...manifest.metadata, annotations: sortedKeys({ ...annotations, [SYNC_WAVE_ANNOTATION]: String(waves[i]) }) });
  });
  return perChart;
}

function sortedKeys<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}
