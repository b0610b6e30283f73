import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CockroachDbNetworkPolicy, type CockroachDbNetworkPolicyProps } from '../../src/constructs/cockroachdb-network-policy';

function synth(props: Partial<CockroachDbNetworkPolicyProps> = {}): any[] {
  const chart = Testing.chart();
  new CockroachDbNetworkPolicy(chart, 'Policy', { namespace: 'crdb', peerCIDRs: ['10.2.0.0/16', '10.1.0.0/16'], clientNamespaces: ['shop'], dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53] }, egressPorts: [443], ...props });
  return Testing.synth(chart);
}
const ports = (rule: any) => rule.ports.map((p: any) => p.port);

describe('CockroachDbNetworkPolicy', () => {
  it('defaults', () => {
    expect(synth()).toMatchSnapshot();
  });

  it('leaves the default deny to the namespace (one per namespace, both directions)', () => {
    expect(synth().filter((p) => p.spec.podSelector && Object.keys(p.spec.podSelector).length === 0 && !p.spec.egress && !p.spec.ingress)).toEqual([]);
  });

  it('lets every pod of the namespace resolve names, reach the nodes (local by selector, remote by network) and the backup store port', () => {
    const egress = synth().find((p) => p.metadata.name === 'cockroachdb-egress');
    expect(egress.spec.podSelector).toEqual({});
    expect(egress.spec.policyTypes).toEqual(['Egress']);
    const [dns, nodes, backup] = egress.spec.egress;
    expect(dns.to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'kube-system' });
    expect(nodes.to).toEqual([{ podSelector: {} }, { ipBlock: { cidr: '10.1.0.0/16' } }, { ipBlock: { cidr: '10.2.0.0/16' } }]);
    expect(ports(nodes)).toEqual([26257]);
    expect(backup.to).toBeUndefined();
    expect(ports(backup)).toEqual([443]);
    expect(synth({ egressPorts: [] }).find((p) => p.metadata.name === 'cockroachdb-egress').spec.egress).toHaveLength(2);
  });

  it('opens 26257 to the namespace, the peers of the other clusters and the client namespaces, and 8080 to the namespace only', () => {
    const allow = synth().find((p) => p.metadata.name === 'cockroachdb');
    const [local, peers, clients] = allow.spec.ingress;
    expect(local.from).toEqual([{ podSelector: {} }]);
    expect(ports(local)).toEqual([26257, 8080]);
    expect(peers.from).toEqual([{ ipBlock: { cidr: '10.1.0.0/16' } }, { ipBlock: { cidr: '10.2.0.0/16' } }]);
    expect(ports(peers)).toEqual([26257]);
    expect(clients.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }]);
    expect(ports(clients)).toEqual([26257]);
  });

  it('leaves out rules without sources (an empty from would admit everyone)', () => {
    const allow = synth({ peerCIDRs: [], clientNamespaces: [] }).find((p) => p.metadata.name === 'cockroachdb');
    expect(allow.spec.ingress).toHaveLength(1);
    for (const rule of allow.spec.ingress) expect(rule.from.length).toBeGreaterThan(0);
  });
});
