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

  /**
   * The chart's objects as manifests, in construct order (deterministic). Unlike `Chart.toJson()`
   * this neither re-validates the whole app per chart nor misses objects nested in constructs;
   * the synthesizer validates the construct tree once.
   */
  public manifests(): Record<string, any>[] {
    assignSyncWaves(this.node.root);
    return apiObjectsOf(this).map((o) => o.toJson() as Record<string, any>);
  }
}

function apiObjectsOf(scope: Construct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

/**
 * Gives every object of the app (one app = one cluster folder) that has no sync wave yet the wave
 * planned over the whole folder: ordering follows references across components (a certificate in
 * one chart, the workload mounting it in another). Objects that already have a wave keep it.
 */
function assignSyncWaves(root: Construct): void {
  const objects = apiObjectsOf(root);
  const unplanned = objects.filter((o) => annotationsOf(o)[SYNC_WAVE_ANNOTATION] === undefined);
  if (unplanned.length === 0) return;
  const waves = planWaves(objects.map((o) => o.toJson() as Record<string, any>));
  objects.forEach((o, i) => {
    if (annotationsOf(o)[SYNC_WAVE_ANNOTATION] === undefined) o.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(waves[i]));
  });
}

function annotationsOf(o: ApiObject): Record<string, string> {
  return (o.metadata.toJson() as { annotations?: Record<string, string> }).annotations ?? {};
}
