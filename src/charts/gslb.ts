import type { Construct } from 'constructs';
import type { GlobalDnsRecordSpecLoadBalancingPolicy } from '../../imports/redhatcop.redhat.io';
import { DnsEndpoint } from '../constructs/dns-endpoint';
import { GlobalDnsRecord } from '../constructs/global-dns-record';
import { GlobalDnsZone } from '../constructs/global-dns-zone';
import { Gslb } from '../constructs/k8gb-gslb';
import { RemoteAccess } from '../constructs/remote-access';
import { GSLB_READER_SERVICE_ACCOUNT } from '../topology/prerequisites';
import { clusterHostname, INGRESS } from '../lib/names';
import { clusterGslb, healthProbe, k8gbStrategy, kubeconfigSecret, routedRecords, type ClusterView } from '../topology';
import { MeridianChart } from './meridian-chart';

/**
 * Global load balancing of the `expose: global` services, by provider: the operator's zone and one
 * record per hostname on the hub, a k8gb Gslb per hostname in each serving cluster, or external-dns
 * records on the hub. Every target is a cluster's Istio gateway; drained clusters appear nowhere.
 */
export class GslbChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'gslb', { environment: view.environment.name, cluster: view.cluster.name });
    if (view.globalLoadBalancer?.provider === 'global-load-balancer-operator' && view.hasIngress) {
      // What the operator on the hub reads here through the kubeconfig Secret of this cluster
      // (redhat-cop/global-load-balancer-operator controllers/globaldnsrecord/endpointstatus.go:
      // client.Get of the endpoint's loadBalancerServiceRef Service, and of the cluster-scoped
      // config.openshift.io Infrastructure "cluster" to pick the platform's way of reading addresses).
      new RemoteAccess(this, 'hub-reader', {
        name: GSLB_READER_SERVICE_ACCOUNT,
        namespace: INGRESS.namespace,
        rules: [{ apiGroups: [''], resources: ['services'], resourceNames: [INGRESS.loadBalancerService], verbs: ['get'] }],
        clusterRules: [{ apiGroups: ['config.openshift.io'], resources: ['infrastructures'], resourceNames: ['cluster'], verbs: ['get'] }],
      });
    }
    const placed = clusterGslb(view.environment, view.cluster.name);
    if (!placed) return;
    const { glb, hosts } = placed;
    const gateway = { name: INGRESS.loadBalancerService, namespace: INGRESS.namespace };
    switch (glb.provider) {
      case 'global-load-balancer-operator': {
        const zone = new GlobalDnsZone(this, 'zone', {
          name: glb.zone!.name,
          domain: view.environment.globalDomain,
          route53ZoneID: glb.zone!.route53ZoneID!,
          ...(glb.zone!.credentialsSecret ? { credentialsSecret: { name: glb.zone!.credentialsSecret, namespace: glb.namespace! } } : {}),
        });
        for (const host of hosts) {
          new GlobalDnsRecord(this, host.service.name, {
            name: host.service.name,
            namespace: glb.namespace!,
            hostname: host.hostname,
            zone: zone.name,
            policy: glb.policy as GlobalDnsRecordSpecLoadBalancingPolicy,
            ttl: glb.ttl,
            healthCheck: healthProbe(glb, host),
            endpoints: host.serving.map((c) => ({ clusterName: c.name, clusterCredential: kubeconfigSecret(glb, c), loadBalancerService: gateway })),
          });
        }
        break;
      }
      case 'k8gb':
        for (const host of hosts) {
          new Gslb(this, host.service.name, {
            name: host.service.name,
            namespace: gateway.namespace,
            hostname: host.hostname,
            loadBalancerService: gateway.name,
            strategy: k8gbStrategy(glb, host),
          });
        }
        break;
      case 'external-dns':
        for (const host of hosts) {
          new DnsEndpoint(this, host.service.name, {
            name: host.service.name,
            namespace: glb.namespace!,
            records: routedRecords(glb, host).map((r) => ({
              dnsName: host.hostname,
              recordType: 'CNAME',
              targets: [clusterHostname(host.service, r.ingressDomain)],
              ttl: glb.ttl,
              setIdentifier: r.cluster,
              providerSpecific: [r.routing],
            })),
          });
        }
        break;
    }
  }
}
