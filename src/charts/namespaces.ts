import type { Construct } from 'constructs';
import { Namespace } from '../constructs/namespace';
import type { ClusterView } from '../topology';
import { MeridianChart } from './meridian-chart';

/** Every namespace this cluster needs, meshed where services run. */
export class NamespacesChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'namespaces', { environment: view.environment.name, cluster: view.cluster.name });
    for (const name of view.namespaces) {
      new Namespace(this, name, { name, meshDiscovery: view.meshNamespaces.includes(name), platform: view.cluster.platform, region: view.cluster.region });
    }
  }
}
