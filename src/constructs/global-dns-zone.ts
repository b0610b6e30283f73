import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as glb from '../../imports/redhatcop.redhat.io';

export interface GlobalDnsZoneProps {
  /** Object name; GlobalDNSRecords refer to the zone by it. */
  readonly name: string;
  /** The domain the zone serves, e.g. `global.example.com`. */
  readonly domain: string;
  /** Route53 hosted zone of the domain. */
  readonly route53ZoneID: string;
  /**
   * Secret with `aws_access_key_id` and `aws_secret_access_key`, provisioned out-of-band.
   * @default - none: the operator requests credentials itself (CredentialsRequest) when it runs on AWS
   */
  readonly credentialsSecret?: { readonly name: string; readonly namespace: string };
}

/**
 * The global-load-balancer-operator's zone (cluster-scoped), backed by Route53: the operator writes
 * traffic policies and health checks for the records that reference it.
 * @see https://github.com/redhat-cop/global-load-balancer-operator
 */
export class GlobalDnsZone extends Construct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: GlobalDnsZoneProps) {
    super(scope, id);
    this.name = props.name;
    new glb.GlobalDnsZone(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        domain: props.domain,
        provider: {
          route53: {
            zoneId: props.route53ZoneID,
            ...(props.credentialsSecret ? { credentialsSecretRef: { name: props.credentialsSecret.name, namespace: props.credentialsSecret.namespace } } : {}),
          },
        },
      },
    });
  }

  /** The underlying GlobalDNSZone object. */
  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
