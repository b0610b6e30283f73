import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

export interface ExternalNameServiceProps {
  readonly name: string;
  readonly namespace: string;
  /** The DNS name the Service is an alias of, e.g. `shop.shop.svc.clusterset.local`. */
  readonly externalName: string;
  /** Port the alias is reached on (named `http`: routes and Istio read the protocol from the name). */
  readonly port: number;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

const FQDN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/**
 * A Service of type ExternalName: cluster DNS answers its name with a CNAME to `externalName`, and
 * Istio (1.21+) treats it as an alias of that host, so an HTTPRoute can name a clusterset host
 * through an ordinary Service backendRef. It has no selector and no endpoints of its own.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/#externalname
 */
export class ExternalNameService extends Construct {
  public readonly name: string;
  public readonly externalName: string;

  public constructor(scope: Construct, id: string, props: ExternalNameServiceProps) {
    super(scope, id);
    if (!FQDN.test(props.externalName)) {
      throw new Error(`externalName must be a fully qualified DNS name without scheme or port, got "${props.externalName}"`);
    }
    this.name = props.name;
    this.externalName = props.externalName;
    new kplus.k8s.KubeService(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
      spec: {
        type: 'ExternalName',
        externalName: props.externalName,
        ports: [{ name: 'http', port: props.port, protocol: 'TCP', appProtocol: 'http' }],
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
