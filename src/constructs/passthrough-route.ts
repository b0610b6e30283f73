import { Construct } from 'constructs';
import * as route from '../../imports/route.openshift.io';

export interface PassthroughRouteProps {
  readonly name: string;
  /** Namespace of the target Service (a Route only targets Services of its own namespace). */
  readonly namespace: string;
  readonly host: string;
  /** The Service the router forwards to: the mesh gateway's LoadBalancer Service. */
  readonly service: string;
  /**
   * The endpoints' port that speaks TLS (a number is matched against the endpoint ports). The Istio
   * gateway pods listen on the listener port itself (443); not verified against Istio's deployment
   * controller source here, which preflight cannot check either (README "Deploying").
   */
  readonly targetPort: number;
}

/**
 * An OpenShift Route that hands one hostname to the mesh gateway without terminating TLS: the
 * installer's `*.apps.<cluster-domain>` wildcard resolves to the OpenShift router (the default
 * IngressController), not to the gateway's LoadBalancer Service (REFERENCE §9.1), so a per-cluster
 * host under it reaches the Gateway listener only through the router. `passthrough` keeps TLS end
 * to end (the router routes by SNI, the Gateway serves the certificate meridian issues), and
 * insecureEdgeTerminationPolicy None refuses plain HTTP (route.openshift.io/v1 RouteSpecTls, pinned
 * in shared/crds/openshift-api/route).
 */
export class PassthroughRoute extends Construct {
  public constructor(scope: Construct, id: string, props: PassthroughRouteProps) {
    super(scope, id);
    new route.Route(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        host: props.host,
        to: { kind: route.RouteSpecToKind.SERVICE, name: props.service, weight: 100 },
        port: { targetPort: props.targetPort },
        tls: { termination: route.RouteSpecTlsTermination.PASSTHROUGH, insecureEdgeTerminationPolicy: route.RouteSpecTlsInsecureEdgeTerminationPolicy.NONE },
        wildcardPolicy: route.RouteSpecWildcardPolicy.NONE,
      },
    });
  }
}
