import type { Construct } from 'constructs';
import { AllowNetworkPolicy } from '../constructs/allow-network-policy';
import { Microservice } from '../constructs/microservice';
import { ServiceExport } from '../constructs/service-export';
import { LABEL } from '../lib/labels';
import { exportsHere, serviceWiring, type ClusterView } from '../topology';
import { servicePolicies } from '../topology/network-policy';
import { authMount } from '../topology/pki';
import { MeridianChart } from './meridian-chart';

/**
 * The applications active in this cluster with this cluster's replica share, and a ServiceExport for
 * each one reached across clusters — except where it is drained: there the pods stay warm and labelled,
 * but the cluster stops exporting it, so Lighthouse resolves its clusterset name to the other clusters.
 */
export class ServicesChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'services', { environment: view.environment.name, cluster: view.cluster.name });
    for (const local of view.localServices) {
      const s = local.service;
      const wiring = serviceWiring(view.environment, s, authMount(view.environment.pki, view.cluster.name), view.cluster.name);
      new Microservice(this, s.name, {
        name: s.name,
        namespace: s.namespace,
        image: s.image,
        port: s.port,
        healthPath: s.healthPath,
        replicas: local.replicas,
        ...(local.autoscaling ? { autoscaling: local.autoscaling } : {}),
        resources: s.resources,
        config: s.config,
        env: wiring.env,
        secretMounts: wiring.mounts,
        sidecar: view.sidecarNamespaces.includes(s.namespace),
        ...(local.drained ? { labels: { [LABEL.drained]: 'true' } } : {}),
        ...(s.workload ? { workload: s.workload } : {}),
        ...(wiring.vaultToken ? { projectedToken: wiring.vaultToken } : {}),
      });
      if (exportsHere(local)) new ServiceExport(this, `${s.name}-export`, { serviceName: s.name, namespace: s.namespace });
    }
    // What each service's pods may send and receive in their default-deny namespace.
    for (const plan of servicePolicies(view)) new AllowNetworkPolicy(this, `${plan.name}-policy`, plan);
  }
}
