import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRoute as HttpRouteObject, HttpRouteSpecRulesMatchesPathType } from '../../imports/gateway.networking.k8s.io';

export interface GatewayListenerRef {
  readonly gateway: string;
  readonly namespace: string;
  /** Listener names of that Gateway. */
  readonly sectionNames: readonly string[];
}

export interface ServiceBackend {
  /** Service in the route's namespace. */
  readonly name: string;
  readonly port: number;
}

export interface HttpRouteProps {
  readonly name: string;
  readonly namespace: string;
  readonly hostnames: readonly string[];
  readonly parent: GatewayListenerRef;
  /** Every request (path prefix `/`) goes to this Service. */
  readonly backend: ServiceBackend;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * An HTTPRoute that attaches to named listeners of a Gateway in another namespace and sends all
 * traffic for its hostnames to one Service of its own namespace (no ReferenceGrant needed).
 *
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
export class HttpRoute extends Construct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id);
    if (props.hostnames.length === 0) throw new Error(`route ${props.name} has no hostname; it would take every hostname of the listeners`);
    if (props.parent.sectionNames.length === 0) throw new Error(`route ${props.name} attaches to no listener of gateway ${props.parent.gateway}`);
    this.name = props.name;
    new HttpRouteObject(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
      spec: {
        parentRefs: props.parent.sectionNames.map((sectionName) => ({
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: props.parent.gateway,
          namespace: props.parent.namespace,
          sectionName,
        })),
        hostnames: [...props.hostnames],
        rules: [
          {
            matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
            backendRefs: [{ group: '', kind: 'Service', name: props.backend.name, port: props.backend.port }],
          },
        ],
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
