import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Submariner } from '../../imports/submariner.io';
import { SYNC_WAVE_ANNOTATION, Wave } from '../lib/sync-wave';

/** How the gateways of two clusters tunnel to each other. */
export type CableDriver = 'libreswan' | 'wireguard' | 'vxlan';

/** Namespace the Submariner operator and its components run in; the operator install owns it. */
export const SUBMARINER_OPERATOR_NAMESPACE = 'submariner-operator';

export interface SubmarinerJoinProps {
  /** Cluster ID: a DNS-1123 label, also the label inside every clusterset name of this cluster's pods. */
  readonly clusterId: string;
  /** Pod network of this cluster. */
  readonly clusterCidr: string;
  /** Service network of this cluster. */
  readonly serviceCidr: string;
  /**
   * This cluster's globalnet slice.
   * @default - globalnet off
   */
  readonly globalCidr?: string;
  /** Broker API server as `host:port`, without scheme. */
  readonly brokerApiServer: string;
  /** The broker's namespace on the broker cluster. */
  readonly brokerNamespace: string;
  /** Secret (provisioned out-of-band in the operator namespace) with the broker token, CA and namespace. */
  readonly brokerSecret: string;
  /** Secret (provisioned out-of-band in the operator namespace) with the IPsec pre-shared key. */
  readonly ipsecPskSecret: string;
  /**
   * @default 'libreswan'
   */
  readonly cableDriver?: CableDriver;
  /**
   * NAT traversal between gateways (clusters reach each other only through public addresses).
   * @default false
   */
  readonly natEnabled?: boolean;
  /**
   * Lighthouse service discovery (`<svc>.<ns>.svc.clusterset.local`).
   * @default true
   */
  readonly serviceDiscovery?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]{1,5}$/;

/**
 * The `Submariner` CR that joins one cluster to the cluster set: its networks, the broker it syncs
 * with, and the broker token and IPsec PSK as Secret *names* only (never `brokerK8sApiServerToken`
 * or `ceIPSecPSK` values). Its gateways' health check is on, so a lost tunnel is noticed within seconds.
 *
 * @see https://submariner.io/operations/deployment/
 */
export class SubmarinerJoin extends Construct {
  public constructor(scope: Construct, id: string, props: SubmarinerJoinProps) {
    super(scope, id);
    if (!DNS_LABEL.test(props.clusterId)) {
      throw new Error(`cluster ID "${props.clusterId}" is not a DNS-1123 label; Lighthouse uses it inside clusterset names`);
    }
    if (!HOST_PORT.test(props.brokerApiServer)) {
      throw new Error(`broker API server must be host:port without scheme (e.g. api.cluster1.example.com:6443), got "${props.brokerApiServer}"`);
    }
    new Submariner(this, 'Resource', {
      metadata: {
        name: 'submariner',
        namespace: SUBMARINER_OPERATOR_NAMESPACE,
        // Connectivity comes before the workloads that need clusterset DNS (unlisted kinds default to the last wave).
        annotations: { [SYNC_WAVE_ANNOTATION]: String(Wave.SERVICES) },
      },
      spec: {
        broker: 'k8s',
        brokerK8SApiServer: props.brokerApiServer,
        brokerK8SRemoteNamespace: props.brokerNamespace,
        brokerK8SSecret: props.brokerSecret,
        ceIpSecPskSecret: props.ipsecPskSecret,
        cableDriver: props.cableDriver ?? 'libreswan',
        natEnabled: props.natEnabled ?? false,
        ceIpSecDebug: false,
        debug: false,
        clusterId: props.clusterId,
        clusterCidr: props.clusterCidr,
        serviceCidr: props.serviceCidr,
        ...(props.globalCidr ? { globalCidr: props.globalCidr } : {}),
        namespace: SUBMARINER_OPERATOR_NAMESPACE,
        serviceDiscoveryEnabled: props.serviceDiscovery ?? true,
        connectionHealthCheck: { enabled: true, intervalSeconds: 1, maxPacketLossCount: 5 },
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
