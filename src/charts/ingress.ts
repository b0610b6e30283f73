import type { Construct } from 'constructs';
import { ExternalNameService } from '../constructs/external-name-service';
import { AllowNetworkPolicy } from '../constructs/allow-network-policy';
import { HttpsGateway } from '../constructs/gateway';
import { HttpRoute } from '../constructs/http-route';
import { PassthroughRoute } from '../constructs/passthrough-route';
import { LABEL } from '../lib/labels';
import { ingressPlan, type ClusterView } from '../topology';
import { gatewayPolicy } from '../topology/network-policy';
import { MeridianChart } from './meridian-chart';

/**
 * The cluster's shared Gateway and, per global service active here, an HTTPRoute to an ExternalName
 * alias of the service's clusterset host: Lighthouse answers with this cluster's instances while it
 * exports the service and they are healthy, else with another cluster's. Empty where no global
 * service runs.
 */
export class IngressChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'ingress', { environment: view.environment.name, cluster: view.cluster.name });
    const plan = ingressPlan(view);
    if (!plan) return;
    new HttpsGateway(this, 'gateway', {
      name: plan.gateway,
      namespace: plan.namespace,
      gatewayClassName: plan.gatewayClassName,
      listeners: plan.listeners.map((l) => ({ name: l.name, hostname: l.hostname, certificateSecret: l.certificateSecret, routeNamespaces: [l.routeNamespace] })),
    });
    for (const r of plan.routes) {
      const labels = r.drained ? { [LABEL.drained]: 'true' } : undefined;
      new ExternalNameService(this, `alias-${r.service.name}`, {
        name: r.backend,
        namespace: r.service.namespace,
        externalName: r.clustersetHost,
        port: r.port,
      });
      new HttpRoute(this, `route-${r.service.name}`, {
        name: r.service.name,
        namespace: r.service.namespace,
        hostnames: r.hostnames,
        parent: { gateway: plan.gateway, namespace: plan.namespace, sectionNames: r.sectionNames },
        backend: { name: r.backend, port: r.port },
        ...(labels ? { labels } : {}),
      });
    }
    const policy = gatewayPolicy(view);
    if (policy) new AllowNetworkPolicy(this, 'gateway-policy', policy);
    for (const h of plan.routerHandoffs) {
      new PassthroughRoute(this, `router-${h.name}`, { name: h.name, namespace: plan.namespace, host: h.host, service: h.service, targetPort: h.targetPort });
    }
  }
}
