import type { Construct } from 'constructs';
import { SubmarinerBroker } from '../constructs/submariner-broker';
import { SubmarinerJoin } from '../constructs/submariner-join';
import { RemoteAccess } from '../constructs/remote-access';
import { BROKER_CLIENT_ROLE, BROKER_CLIENT_RULES, brokerClientServiceAccount } from '../topology/prerequisites';
import * as kplus from 'cdk8s-plus-27';
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
      // The broker's client Role (submariner-operator config/broker/broker-client/role.yaml) and one
      // ServiceAccount per cluster bound to it: the non-secret half of each cluster's brokerK8sSecret,
      // whose token the runbook step `submariner-secrets` copies (subctl's generated names are not
      // relied on: `subctl join` names its Secret itself and writes its own Submariner CR).
      new kplus.k8s.KubeRole(this, 'broker-client-role', { metadata: { name: BROKER_CLIENT_ROLE, namespace: s.brokerNamespace }, rules: BROKER_CLIENT_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })) });
      for (const c of view.clusters) {
        new RemoteAccess(this, `broker-client-${c.name}`, { name: brokerClientServiceAccount(c.name), namespace: s.brokerNamespace, rules: [], existingRole: BROKER_CLIENT_ROLE });
      }
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
