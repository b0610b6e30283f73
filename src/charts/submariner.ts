import type { Construct } from 'constructs';
import { SubmarinerBroker } from '../constructs/submariner-broker';
import { SubmarinerJoin } from '../constructs/submariner-join';
import type { ClusterView } from '../topology';
import { MeridianChart } from './meridian-chart';

/**
 * Submariner: the Broker on the broker cluster, and in every cluster the CR that joins it to the
 * cluster set. The `submariner-operator` namespace is not created here: the operator install owns it
 * (the CR cannot be reconciled before that install exists) and runs privileged gateway and route-agent
 * pods in it, which a namespace enforcing the restricted profile would refuse. The broker namespace,
 * which holds no pod, is created by the namespaces component on the broker cluster.
 */
export class SubmarinerChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'submariner', { environment: view.environment.name, cluster: view.cluster.name });
    const s = view.environment.submariner;
    if (view.isBroker) {
      new SubmarinerBroker(this, 'broker', {
        namespace: s.brokerNamespace,
        ...(s.globalnet ? { globalnet: { cidrRange: s.globalnetCIDR, clusterSize: s.globalnetClusterSize } } : {}),
      });
    }
    new SubmarinerJoin(this, 'join', {
      clusterId: view.cluster.name,
      clusterCidr: view.cluster.podCIDR,
      serviceCidr: view.cluster.serviceCIDR,
      ...(s.globalnet && view.cluster.globalCIDR ? { globalCidr: view.cluster.globalCIDR } : {}),
      brokerApiServer: s.brokerApiServer,
      brokerNamespace: s.brokerNamespace,
      brokerSecret: s.brokerSecret,
      ipsecPskSecret: s.ipsecPSKSecret,
      cableDriver: s.cableDriver,
      natEnabled: s.natEnabled,
    });
  }
}
