import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8gb from '../../imports/k8gb.io';

/** k8gb load-balancing strategy; identical in every cluster that publishes the hostname. */
export type GslbStrategy =
  | { readonly type: 'roundRobin'; readonly dnsTtlSeconds: number }
  | { readonly type: 'failover'; readonly primaryGeoTag: string; readonly dnsTtlSeconds: number };

export interface GslbProps {
  readonly name: string;
  /** Namespace of the gateway's LoadBalancer Service: the Gslb sits beside it. */
  readonly namespace: string;
  /** Fully qualified name k8gb publishes. */
  readonly hostname: string;
  /** The LoadBalancer Service whose addresses k8gb publishes for this cluster. */
  readonly loadBalancerService: string;
  readonly strategy: GslbStrategy;
}

/**
 * A k8gb Gslb for one hostname in one cluster, publishing the cluster's ingress gateway.
 *
 * It references the gateway's LoadBalancer Service (hostname from the `k8gb.io/hostname` annotation)
 * rather than the HTTPRoute: k8gb judges a route healthy from the ready endpoints of its backend
 * Services, and meridian's routes end in an ExternalName Service (the clusterset alias), which k8gb
 * reports as NotFound (k8gb#1887), so the hostname would never be published. With the Service
 * reference a cluster is in the answer while its gateway has ready pods and the Gslb exists; service
 * failures behind the gateway are absorbed by the clusterset route and outlier detection, and a drain
 * removes the Gslb from that cluster.
 */
export class Gslb extends Construct {
  public constructor(scope: Construct, id: string, props: GslbProps) {
    super(scope, id);
    const s = props.strategy;
    new k8gb.Gslb(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, annotations: { 'k8gb.io/hostname': props.hostname } },
      spec: {
        resourceRef: { apiVersion: 'v1', kind: 'Service', name: props.loadBalancerService },
        strategy: s.type === 'failover' ? { type: s.type, primaryGeoTag: s.primaryGeoTag, dnsTtlSeconds: s.dnsTtlSeconds } : { type: s.type, dnsTtlSeconds: s.dnsTtlSeconds },
      },
    });
  }

  /** The underlying Gslb object. */
  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
