import type { App } from 'cdk8s';
import type { ClusterView } from '../topology';
import type { MeridianChart } from './meridian-chart';
import { BackupChart } from './backup';
import { MonitoringChart } from './monitoring';
import { CockroachDbChart } from './cockroachdb';
import { IngressChart } from './ingress';
import { MeshChart } from './mesh';
import { GslbChart } from './gslb';
import { NamespacesChart } from './namespaces';
import { ServicesChart } from './services';
import { SubmarinerChart } from './submariner';
import { PkiChart } from './pki';
import { VaultChart } from './vault';

/**
 * The components of one cluster folder, each a chart written to `dist/<cluster>/<component>.yaml`.
 * Component issues add their chart here.
 */
export function addClusterCharts(app: App, view: ClusterView): MeridianChart[] {
  return [
    new NamespacesChart(app, view),
    new SubmarinerChart(app, view),
    new PkiChart(app, view),
    new VaultChart(app, view),
    new MeshChart(app, view),
    new IngressChart(app, view),
    new ServicesChart(app, view),
    new CockroachDbChart(app, view),
    new GslbChart(app, view),
    new BackupChart(app, view),
    new MonitoringChart(app, view),
  ];
}
