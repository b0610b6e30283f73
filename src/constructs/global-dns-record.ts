import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as glb from '../../imports/redhatcop.redhat.io';

/** A namespaced object reference. */
export interface ObjectRef {
  readonly name: string;
  readonly namespace: string;
}

/** One controlled cluster answering the record. */
export interface GlobalDnsEndpoint {
  /** The cluster's name, as the operator knows it. */
  readonly clusterName: string;
  /** Secret on the control cluster with key `kubeconfig` for this cluster. */
  readonly clusterCredential: ObjectRef;
  /** The LoadBalancer Service in this cluster that receives the traffic. */
  readonly loadBalancerService: ObjectRef;
}

/** An HTTPS GET the DNS provider runs against each endpoint's load balancer. */
export interface HttpsHealthCheck {
  /** Host header and TLS server name: selects the route behind a shared gateway. */
  readonly host: string;
  readonly path: string;
  readonly port: number;
  readonly periodSeconds: number;
  /** Consecutive failures before the endpoint leaves the record. */
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}

export interface GlobalDnsRecordProps {
  readonly name: string;
  readonly namespace: string;
  /** Fully qualified name the record answers. */
  readonly hostname: string;
  /** Name of the GlobalDNSZone the record belongs to. */
  readonly zone: string;
  readonly policy: glb.GlobalDnsRecordSpecLoadBalancingPolicy;
  readonly ttl: number;
  readonly healthCheck: HttpsHealthCheck;
  /** The clusters answering the record; at least one. */
  readonly endpoints: readonly GlobalDnsEndpoint[];
}

/**
 * A global-load-balancer-operator record: one DNS name answered by the load balancers of several
 * clusters, each kept in the answer only while its health check passes.
 */
export class GlobalDnsRecord extends Construct {
  public constructor(scope: Construct, id: string, props: GlobalDnsRecordProps) {
    super(scope, id);
    if (props.endpoints.length === 0) throw new Error(`global DNS record ${props.hostname} has no endpoints; give it at least one cluster`);
    const names = props.endpoints.map((e) => e.clusterName);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new Error(`global DNS record ${props.hostname} lists cluster ${duplicate} twice; each cluster is one endpoint`);
    const hc = props.healthCheck;
    new glb.GlobalDnsRecord(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        name: props.hostname,
        globalZoneRef: { name: props.zone },
        loadBalancingPolicy: props.policy,
        ttl: props.ttl,
        healthCheck: {
          httpGet: { host: hc.host, path: hc.path, port: glb.GlobalDnsRecordSpecHealthCheckHttpGetPort.fromNumber(hc.port), scheme: 'HTTPS' },
          periodSeconds: hc.periodSeconds,
          failureThreshold: hc.failureThreshold,
          timeoutSeconds: hc.timeoutSeconds,
        },
        endpoints: props.endpoints.map((e) => ({
          clusterName: e.clusterName,
          clusterCredentialRef: { name: e.clusterCredential.name, namespace: e.clusterCredential.namespace },
          loadBalancerServiceRef: { name: e.loadBalancerService.name, namespace: e.loadBalancerService.namespace },
        })),
      },
    });
  }

  /** The underlying GlobalDNSRecord object. */
  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
