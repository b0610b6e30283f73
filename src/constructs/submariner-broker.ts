import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Broker } from '../../imports/submariner.io';
import { SYNC_WAVE_ANNOTATION, Wave } from '../lib/sync-wave';

export interface SubmarinerBrokerGlobalnet {
  /** Supernet every cluster's globalnet slice is carved from, e.g. `242.0.0.0/8`. */
  readonly cidrRange: string;
  /** Addresses per cluster slice (a power of two). */
  readonly clusterSize: number;
}

export interface SubmarinerBrokerProps {
  /** Namespace on the broker cluster that joined clusters sync through (`brokerK8sRemoteNamespace`). */
  readonly namespace: string;
  /**
   * Globalnet settings of the cluster set.
   * @default - globalnet off: cluster networks must not overlap
   */
  readonly globalnet?: SubmarinerBrokerGlobalnet;
  /**
   * Name of the Broker object.
   * @default 'submariner-broker'
   */
  readonly name?: string;
}

/**
 * The Submariner `Broker` of a cluster set, on the one cluster that hosts it: it enables both
 * components (gateway connectivity and Lighthouse service discovery) and, with globalnet, the
 * supernet and slice size every joined cluster's `globalCIDR` comes from.
 *
 * @see https://submariner.io/getting-started/architecture/broker/
 */
export class SubmarinerBroker extends Construct {
  public readonly name: string;
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: SubmarinerBrokerProps) {
    super(scope, id);
    this.name = props.name ?? 'submariner-broker';
    this.namespace = props.namespace;
    const g = props.globalnet;
    if (g && (!Number.isInteger(Math.log2(g.clusterSize)) || g.clusterSize < 1)) {
      throw new Error(`globalnet cluster size must be a power of two, got ${g.clusterSize}`);
    }
    new Broker(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        // Connectivity comes before the workloads that need clusterset DNS (unlisted kinds default to the last wave).
        annotations: { [SYNC_WAVE_ANNOTATION]: String(Wave.SERVICES) },
      },
      spec: {
        components: ['service-discovery', 'connectivity'],
        globalnetEnabled: g !== undefined,
        ...(g ? { globalnetCidrRange: g.cidrRange, defaultGlobalnetClusterSize: g.clusterSize } : {}),
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
