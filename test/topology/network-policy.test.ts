import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTopology, clusterView, parseEnvironment, type Environment } from '../../src/topology';
import { gatewayPolicy, OPENSHIFT_ROUTER_POLICY_GROUP, servicePolicies, type NetworkPolicyPlan, type PolicyPeer } from '../../src/topology/network-policy';

function env(source: string): Environment {
  return buildTopology([parseEnvironment(fs.readFileSync(source), source)]).environments[0]!;
}
const prod = env('environments/prod.yaml');
const globalnet = env('test/fixtures/environments/globalnet.yaml');
const hybrid = env('test/fixtures/environments/hybrid.yaml');

const policy = (plans: NetworkPolicyPlan[], name: string): NetworkPolicyPlan => plans.find((p) => p.name === name)!;
const cidrs = (peers: readonly PolicyPeer[]): string[] => peers.flatMap((p) => ('cidr' in p ? [p.cidr] : []));
const ports = (rules: NetworkPolicyPlan['ingress']): number[] => (rules ?? []).flatMap((r) => r.ports.map((p) => p.port));

describe('service policies of prod', () => {
  const view = clusterView(prod, 'cluster1');
  const plans = servicePolicies(view);

  it('admit the gateway namespace to a global service, its consumers by namespace and pods, and the other clusters by pod CIDR', () => {
    const shop = policy(plans, 'shop');
    expect(shop.ingress![0]).toEqual({ peers: [{ namespace: 'meridian-ingress' }], ports: [{ port: 8080, protocol: 'TCP' }] });
    const catalog = policy(plans, 'catalog');
    expect(catalog.ingress![0]!.peers).toEqual([{ namespace: 'shop', podLabels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop' } }]);
    expect(cidrs(catalog.ingress![1]!.peers)).toEqual(['10.132.0.0/14', '10.136.0.0/14']);
    // a clusterset-only service is not behind the gateway
    expect(catalog.ingress!.some((r) => r.peers.some((p) => 'namespace' in p && p.namespace === 'meridian-ingress'))).toBe(false);
  });

  it('let a consumer reach what it uses: the local pods, the other clusters\' service CIDRs, Vault and CockroachDB, DNS and istiod', () => {
    const egress = policy(plans, 'shop').egress!;
    const to = (namespace: string) => egress.find((r) => r.peers.some((p) => 'namespace' in p && p.namespace === namespace));
    expect(ports([to('catalog')!])).toEqual([8080]);
    expect(ports([to('vault')!])).toEqual([8200]);
    expect(ports([to('cockroachdb')!])).toEqual([26257]);
    expect(ports([to('istio-system')!])).toEqual([15012]);
    expect(ports([to('openshift-dns')!])).toEqual([53, 53, 5353, 5353]);
    expect(egress.flatMap((r) => cidrs(r.peers))).toEqual(['172.31.0.0/16', '172.32.0.0/16']);
    // catalog uses nothing: DNS and istiod only
    expect(policy(plans, 'catalog').egress).toHaveLength(2);
  });

  it("never name this cluster's own pod CIDR", () => {
    for (const c of prod.clusters) {
      const v = clusterView(prod, c.name);
      const all = [...servicePolicies(v), gatewayPolicy(v)!].flatMap((p) => [...(p.ingress ?? []), ...(p.egress ?? [])]).flatMap((r) => cidrs(r.peers));
      expect(all).not.toContain(c.podCIDR);
    }
  });
});

describe('with globalnet', () => {
  it('name the other clusters\' global CIDRs, for sources and for services', () => {
    const own = globalnet.clusters[0]!;
    const plans = servicePolicies(clusterView(globalnet, own.name));
    const others = globalnet.clusters.filter((c) => c !== own).map((c) => c.globalCIDR);
    const web = policy(plans, 'web');
    expect(web.egress!.flatMap((r) => cidrs(r.peers))).toEqual(others);
    expect(policy(plans, 'cart').ingress!.flatMap((r) => cidrs(r.peers))).toEqual(others);
  });
});

describe('the gateway policy', () => {
  it('admits the OpenShift router by its policy group only on OpenShift, and outside traffic except the own networks everywhere', () => {
    const seen = new Set<string>();
    for (const c of hybrid.clusters) {
      const plan = gatewayPolicy(clusterView(hybrid, c.name));
      if (!plan) continue;
      seen.add(c.platform);
      expect(plan.podLabels).toEqual({});
      expect(plan.ingress![0]!.peers).toEqual([{ cidr: '0.0.0.0/0', except: [c.podCIDR, ...(c.globalCIDR ? [c.globalCIDR] : [])] }]);
      const router = plan.ingress!.some((r) => r.peers.some((p) => 'namespaceLabels' in p && p.namespaceLabels === OPENSHIFT_ROUTER_POLICY_GROUP));
      expect(router).toBe(c.platform === 'openshift');
    }
    expect([...seen].sort()).toEqual(['kubernetes', 'openshift']);
  });
});
