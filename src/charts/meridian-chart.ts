import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { chartLabels } from '../lib/labels';
import { SYNC_WAVE_ANNOTATION, waveOfObject } from '../lib/sync-wave';

export interface MeridianChartProps {
  readonly environment: string;
  /** Omitted for charts that are not deployed to one cluster (dist/argocd). */
  readonly cluster?: string;
}

/**
 * One component of one cluster folder: the chart id is the component name and the file name
 * (`dist/<cluster>/<id>.yaml`). Names are never hashed, every object carries the standard labels,
 * and every object gets an Argo CD sync wave from its kind unless it already has one.
 */
export class MeridianChart extends Chart {
  public readonly component: string;

  public constructor(scope: Construct, id: string, props: MeridianChartProps) {
    super(scope, id, { disableResourceNameHashes: true, labels: chartLabels(props.environment, props.cluster, id) });
    this.component = id;
  }

  /**
   * The chart's objects as manifests, in construct order (deterministic). Unlike `Chart.toJson()`
   * this neither re-validates the whole app per chart nor misses objects nested in constructs;
   * the synthesizer validates the construct tree once.
   */
  public manifests(): Record<string, any>[] {
    const objects = this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    for (const obj of objects) {
      const annotations = (obj.metadata.toJson() as { annotations?: Record<string, string> }).annotations ?? {};
      if (annotations[SYNC_WAVE_ANNOTATION] === undefined) obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(waveOfObject(obj.toJson())));
    }
    return objects.map((o) => o.toJson() as Record<string, any>);
  }
}
