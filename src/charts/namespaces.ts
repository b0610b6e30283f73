import type { Construct } from 'constructs';
import { DefaultDenyNetworkPolicy } from '../constructs/allow-network-policy';
import { Namespace } from '../constructs/namespace';
import type { ClusterView } from '../topology';
import { DEFAULT_DENY_POLICY } from '../topology/network-policy';
import { MeridianChart } from './meridian-chart';

/**
 * Every namespace this cluster needs, meshed where services run, each isolated by default in both
 * directions: the components' allow policies then admit exactly the traffic the topology implies
 * (topology/network-policy.ts, rule MER201).
 */
export class NamespacesChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'namespaces', { environment: view.environment.name, cluster: view.cluster.name });
    for (const name of view.namespaces) {
      new Namespace(this, name, { name, meshDiscovery: view.meshNamespaces.includes(name), platform: view.cluster.platform, region: view.cluster.region });
      new DefaultDenyNetworkPolicy(this, `${name}-default-deny`, { namespace: name, name: DEFAULT_DENY_POLICY });
    }
  }
}
