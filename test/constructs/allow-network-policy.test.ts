import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { AllowNetworkPolicy, DefaultDenyNetworkPolicy } from '../../src/constructs/allow-network-policy';
import type { NetworkPolicyPlan } from '../../src/lib/network-policy';

function synth(plan: NetworkPolicyPlan): any {
  const chart = Testing.chart();
  new AllowNetworkPolicy(chart, 'Policy', plan);
  return Testing.synth(chart)[0];
}
const tcp = (port: number) => ({ port, protocol: 'TCP' as const });

describe('DefaultDenyNetworkPolicy', () => {
  it('selects every pod, isolates both directions and admits nothing', () => {
    const chart = Testing.chart();
    new DefaultDenyNetworkPolicy(chart, 'Deny', { namespace: 'shop' });
    expect(Testing.synth(chart)[0]).toMatchObject({ metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    expect(Testing.synth(chart)[0].spec.ingress).toBeUndefined();
  });
});

describe('AllowNetworkPolicy', () => {
  it('renders each kind of peer: a namespace (and its pods), namespace labels (host-network pods too), an address block with its except', () => {
    const p = synth({
      name: 'shop',
      namespace: 'shop',
      podLabels: { app: 'shop' },
      ingress: [
        { peers: [{ namespace: 'meridian-ingress' }, { namespace: 'catalog', podLabels: { app: 'catalog' } }], ports: [tcp(8080)] },
        { peers: [{ namespaceLabels: { 'policy-group.network.openshift.io/ingress': '' } }], ports: [tcp(443)] },
        { peers: [{ cidr: '0.0.0.0/0', except: ['10.128.0.0/14'] }, { cidr: '10.132.0.0/14' }], ports: [tcp(443)] },
      ],
    });
    expect(p.spec.podSelector).toEqual({ matchLabels: { app: 'shop' } });
    expect(p.spec.policyTypes).toEqual(['Ingress']);
    expect(p.spec.egress).toBeUndefined();
    const [namespaces, router, blocks] = p.spec.ingress;
    expect(namespaces.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'meridian-ingress' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'catalog' } }, podSelector: { matchLabels: { app: 'catalog' } } },
    ]);
    expect(router.from).toEqual([{ namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } }, podSelector: {} }]);
    expect(blocks.from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.128.0.0/14'] } }, { ipBlock: { cidr: '10.132.0.0/14' } }]);
  });

  it('selects the whole namespace without pod labels, and leaves out the peers of a rule that admits any (ports only)', () => {
    const p = synth({ name: 'gw', namespace: 'meridian-ingress', podLabels: {}, egress: [{ peers: [], ports: [tcp(443), { port: 53, protocol: 'UDP' }] }] });
    expect(p.spec.podSelector).toEqual({});
    expect(p.spec.policyTypes).toEqual(['Egress']);
    expect(p.spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'UDP', port: 53 }] }]);
  });
});
