import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as xdns from '../../imports/externaldns.k8s.io';

/** One DNS record set external-dns maintains. */
export interface DnsRecord {
  readonly dnsName: string;
  readonly recordType: 'A' | 'AAAA' | 'CNAME';
  readonly targets: readonly string[];
  readonly ttl: number;
  /**
   * Tells apart record sets of the same name under a routing policy.
   * @default - none: the only record set of its name
   */
  readonly setIdentifier?: string;
  /**
   * Provider-specific properties, e.g. `aws/region` for Route53 latency routing.
   * @default - none
   */
  readonly providerSpecific?: readonly { readonly name: string; readonly value: string }[];
}

export interface DnsEndpointProps {
  readonly name: string;
  readonly namespace: string;
  /** At least one record. */
  readonly records: readonly DnsRecord[];
}

/**
 * Records for external-dns's `crd` source. external-dns publishes exactly what it is given: it runs
 * no health checks, so only a change of these records (a drain) takes a target out of the answer.
 */
export class DnsEndpoint extends Construct {
  public constructor(scope: Construct, id: string, props: DnsEndpointProps) {
    super(scope, id);
    if (props.records.length === 0) throw new Error(`DNSEndpoint ${props.name} has no records; give it at least one`);
    new xdns.DnsEndpoint(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        endpoints: props.records.map((r) => ({
          dnsName: r.dnsName,
          recordType: r.recordType,
          targets: [...r.targets],
          recordTtl: r.ttl,
          ...(r.setIdentifier !== undefined ? { setIdentifier: r.setIdentifier } : {}),
          ...(r.providerSpecific ? { providerSpecific: r.providerSpecific.map((p) => ({ name: p.name, value: p.value })) } : {}),
        })),
      },
    });
  }

  /** The underlying DNSEndpoint object. */
  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
