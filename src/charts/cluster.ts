import type { App } from 'cdk8s';
import type { ClusterView } from '../topology';
import type { MeridianChart } from './meridian-chart';
import { GslbChart } from './gslb';
import { NamespacesChart } from './namespaces';

/**
 * The components of one cluster folder, each a chart written to `dist/<cluster>/<component>.yaml`.
 * Component issues add their chart here.
 */
export function addClusterCharts(app: App, view: ClusterView): MeridianChart[] {
  return [new NamespacesChart(app, view), new GslbChart(app, view)];
}
