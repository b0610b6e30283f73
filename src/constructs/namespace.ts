import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LABEL } from '../lib/labels';
import type { Platform } from '../lib/platform';

export interface NamespaceProps {
  /** Namespace name. */
  readonly name: string;
  /**
   * Join the Istio mesh: adds `istio-discovery: enabled`, which the Istio CR's discoverySelectors match.
   * @default false
   */
  readonly meshDiscovery?: boolean;
  /** The cluster's platform, recorded as `meridian.dev/platform` so that the rules can read it from the output. */
  readonly platform: Platform;
  /** The cluster's region, recorded as `meridian.dev/region` for the same reason. */
  readonly region?: string;
}

/**
 * A Namespace that enforces the Pod Security "restricted" profile, so a pod that does not meet it
 * is refused by the API server instead of running with more privilege than meridian intended.
 */
export class Namespace extends Construct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: NamespaceProps) {
    super(scope, id);
    this.name = props.name;
    new kplus.k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          ...(props.meshDiscovery ? { 'istio-discovery': 'enabled' } : {}),
          [LABEL.platform]: props.platform,
          ...(props.region !== undefined ? { [LABEL.region]: props.region } : {}),
        },
      },
    });
  }

  /** The underlying Namespace object. */
  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
