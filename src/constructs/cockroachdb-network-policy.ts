import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from '../lib/labels';
import { COCKROACHDB } from '../lib/cockroachdb';

const k8s = kplus.k8s;

export interface CockroachDbNetworkPolicyProps {
  /** The CockroachDB namespace: nothing else runs there. */
  readonly namespace: string;
  /**
   * Source ranges of peer nodes as they arrive over Submariner (the other clusters' pod CIDRs, or
   * the globalnet CIDRs when globalnet translates addresses). Local pods are admitted by selector.
   */
  readonly peerCIDRs: readonly string[];
  /** Namespaces of the local services that connect as SQL clients. */
  readonly clientNamespaces: readonly string[];
  /**
   * Networks of the clusters that run SQL clients but no node (`cockroachdb.clusters`): admitted on
   * 26257, the one port of SQL and inter-node traffic; a node identity still takes the node
   * certificate, which only member clusters hold.
   */
  readonly remoteClientCIDRs?: readonly string[];
}

/**
 * Ingress isolation of the CockroachDB namespace: everything is denied unless listed.
 * - 26257 (gRPC and SQL) from the namespace itself (local nodes, the init Job, `kubectl exec`
 *   sessions), from peer nodes over Submariner, and from the namespaces of the SQL clients.
 * - 8080 (DB Console, /health) from the namespace itself only. The kubelet's probes come from the
 *   node, which CNIs exempt from pod ingress policy; nodes do not talk HTTP to each other.
 * Egress stays open: DNS and Lighthouse endpoints differ per distribution.
 */
export class CockroachDbNetworkPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: CockroachDbNetworkPolicyProps) {
    super(scope, id);
    const ns = props.namespace;
    const tcp = (port: number): kplus.k8s.NetworkPolicyPort => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });

    new k8s.KubeNetworkPolicy(this, 'DenyAll', {
      metadata: { name: 'default-deny-ingress', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });

    const ingress: kplus.k8s.NetworkPolicyIngressRule[] = [
      { from: [{ podSelector: {} }], ports: [tcp(COCKROACHDB.grpcPort), tcp(COCKROACHDB.httpPort)] },
    ];
    if (props.peerCIDRs.length > 0) {
      ingress.push({ from: [...new Set(props.peerCIDRs)].sort().map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(COCKROACHDB.grpcPort)] });
    }
    if ((props.remoteClientCIDRs ?? []).length > 0) {
      ingress.push({ from: [...new Set(props.remoteClientCIDRs)].sort().map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(COCKROACHDB.grpcPort)] });
    }
    if (props.clientNamespaces.length > 0) {
      ingress.push({
        from: [...new Set(props.clientNamespaces)].sort().map((name) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } })),
        ports: [tcp(COCKROACHDB.grpcPort)],
      });
    }
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: COCKROACHDB.statefulSet, namespace: ns },
      spec: {
        podSelector: { matchLabels: selectorLabels(COCKROACHDB.statefulSet, COCKROACHDB.statefulSet) },
        policyTypes: ['Ingress'],
        ingress,
      },
    });
  }
}
