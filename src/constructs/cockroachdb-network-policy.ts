import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from '../lib/labels';
import { COCKROACHDB } from '../lib/cockroachdb';
import type { DnsEgress } from '../lib/platform';
import { dnsEgressRule } from './pod-security';

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
  /** Where this cluster's DNS answers (the nodes resolve their peers' clusterset names). */
  readonly dns: DnsEgress;
  /** Ports the nodes dial beyond their peers, to any address: HTTPS to the backup object store when backups are on. */
  readonly egressPorts: readonly number[];
  /**
   * Networks of the clusters that run SQL clients but no node (`cockroachdb.clusters`): admitted on
   * 26257, the one port of SQL and inter-node traffic; a node identity still takes the node
   * certificate, which only member clusters hold.
   */
  readonly remoteClientCIDRs?: readonly string[];
}

/**
 * What the CockroachDB namespace admits on top of its default deny (namespaces chart, both directions):
 * - 26257 (gRPC and SQL) into the nodes from the namespace itself (local nodes, the init Job, the
 *   backup schedule Job, `kubectl exec` sessions), from peer nodes over Submariner, and from the
 *   namespaces of the SQL clients.
 * - 8080 (DB Console, /health) into the nodes from the namespace itself only. The kubelet's probes
 *   come from the node, which NetworkPolicy always admits; nodes do not talk HTTP to each other.
 * - Out of every pod of the namespace: DNS, 26257 to the namespace's nodes and the peer networks, and
 *   the given ports to any address (the backup object store has no address in the model).
 */
export class CockroachDbNetworkPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: CockroachDbNetworkPolicyProps) {
    super(scope, id);
    const ns = props.namespace;
    const tcp = (port: number): kplus.k8s.NetworkPolicyPort => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });

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
    const peers = [...new Set(props.peerCIDRs)].sort();
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: { name: `${COCKROACHDB.statefulSet}-egress`, namespace: ns },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          dnsEgressRule(props.dns),
          { to: [{ podSelector: {} }, ...peers.map((cidr) => ({ ipBlock: { cidr } }))], ports: [tcp(COCKROACHDB.grpcPort)] },
          ...(props.egressPorts.length > 0 ? [{ ports: [...new Set(props.egressPorts)].sort((a, b) => a - b).map(tcp) }] : []),
        ],
      },
    });
  }
}
