import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode } from '../../imports/networking.istio.io';

export interface FailoverDestinationRuleProps {
  readonly name: string;
  readonly namespace: string;
  /** The ServiceEntry host the rule applies to (never an ExternalName alias: Istio ignores those since 1.21). */
  readonly host: string;
  /**
   * Namespaces that see the rule (`.` is its own); keep equal to the ServiceEntry's.
   * @default ['.']
   */
  readonly exportTo?: readonly string[];
  /**
   * Consecutive 5xx answers after which an endpoint is ejected.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Seconds between ejection sweeps.
   * @default 10
   */
  readonly intervalSeconds?: number;
  /**
   * Seconds an ejected endpoint stays out (multiplied by the number of ejections).
   * @default 30
   */
  readonly baseEjectionSeconds?: number;
}

/**
 * Failover for a clusterset host: outlier detection ejects the endpoints of a failing cluster (up to
 * all of them, and even when few are healthy), which also turns on Istio's locality-aware failover.
 * Traffic to the host uses Istio mutual TLS: the endpoints are sidecars in namespaces that take only
 * mTLS, and a DNS-resolved ServiceEntry endpoint carries no label from which Istio could infer it.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export class FailoverDestinationRule extends Construct {
  public readonly host: string;

  public constructor(scope: Construct, id: string, props: FailoverDestinationRuleProps) {
    super(scope, id);
    const consecutive = props.consecutive5xxErrors ?? 5;
    const interval = props.intervalSeconds ?? 10;
    const ejection = props.baseEjectionSeconds ?? 30;
    for (const [what, v] of [['consecutive5xxErrors', consecutive], ['intervalSeconds', interval], ['baseEjectionSeconds', ejection]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${v}`);
    }
    this.host = props.host;
    new DestinationRule(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        host: props.host,
        exportTo: [...(props.exportTo ?? ['.'])],
        trafficPolicy: {
          tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
          outlierDetection: {
            consecutive5XxErrors: consecutive,
            interval: `${interval}s`,
            baseEjectionTime: `${ejection}s`,
            maxEjectionPercent: 100,
            minHealthPercent: 0,
          },
        },
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
