import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { GlobalDnsRecordSpecLoadBalancingPolicy } from '../../imports/redhatcop.redhat.io';
import { GlobalDnsRecord, type GlobalDnsRecordProps } from '../../src/constructs/global-dns-record';
import { GlobalDnsZone } from '../../src/constructs/global-dns-zone';
import { validateManifest } from '../../src/validate/schema';

const gateway = { name: 'meridian-gateway-istio', namespace: 'meridian-ingress' };
const props = (over: Partial<GlobalDnsRecordProps> = {}): GlobalDnsRecordProps => ({
  name: 'shop',
  namespace: 'global-load-balancer-operator',
  hostname: 'shop.global.example.com',
  zone: 'global-zone',
  policy: GlobalDnsRecordSpecLoadBalancingPolicy.LATENCY,
  ttl: 30,
  healthCheck: { host: 'shop.global.example.com', path: '/healthz', port: 443, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 1 },
  endpoints: ['cluster1', 'cluster2'].map((c) => ({ clusterName: c, clusterCredential: { name: `${c}-kubeconfig`, namespace: 'global-load-balancer-operator' }, loadBalancerService: gateway })),
  ...over,
});

describe('GlobalDnsRecord', () => {
  it('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new GlobalDnsRecord(chart, 'shop', props());
    // THEN
    const [record] = Testing.synth(chart);
    expect(record).toMatchSnapshot();
    expect(validateManifest(record)).toEqual([]);
  });

  it('probes the readiness path over HTTPS with the host that selects the route', () => {
    const chart = Testing.chart();
    new GlobalDnsRecord(chart, 'shop', props());
    const [record] = Testing.synth(chart);
    expect(record.spec.healthCheck).toEqual({
      httpGet: { host: 'shop.global.example.com', path: '/healthz', port: 443, scheme: 'HTTPS' },
      periodSeconds: 10,
      failureThreshold: 3,
      timeoutSeconds: 1,
    });
  });

  it('writes one endpoint per cluster with its kubeconfig Secret and gateway Service', () => {
    const chart = Testing.chart();
    new GlobalDnsRecord(chart, 'shop', props());
    const [record] = Testing.synth(chart);
    expect(record.spec.endpoints.map((e: any) => [e.clusterName, e.clusterCredentialRef.name, e.loadBalancerServiceRef.name])).toEqual([
      ['cluster1', 'cluster1-kubeconfig', 'meridian-gateway-istio'],
      ['cluster2', 'cluster2-kubeconfig', 'meridian-gateway-istio'],
    ]);
  });

  it('fails without endpoints', () => {
    expect(() => new GlobalDnsRecord(Testing.chart(), 'shop', props({ endpoints: [] }))).toThrow(/has no endpoints/);
  });

  it('fails when a cluster is listed twice', () => {
    const twice = props().endpoints[0]!;
    expect(() => new GlobalDnsRecord(Testing.chart(), 'shop', props({ endpoints: [twice, twice] }))).toThrow(/lists cluster cluster1 twice/);
  });
});

describe('GlobalDnsZone', () => {
  it('defaults: cluster-scoped, Route53, no credentials (minted on AWS)', () => {
    const chart = Testing.chart();
    new GlobalDnsZone(chart, 'zone', { name: 'global-zone', domain: 'global.example.com', route53ZoneID: 'Z0123' });
    const [zone] = Testing.synth(chart);
    expect(zone).toMatchSnapshot();
    expect(zone.metadata.namespace).toBeUndefined();
    expect(validateManifest(zone)).toEqual([]);
  });

  it('references the credentials Secret when one is given', () => {
    const chart = Testing.chart();
    new GlobalDnsZone(chart, 'zone', { name: 'z', domain: 'global.example.com', route53ZoneID: 'Z0123', credentialsSecret: { name: 'route53', namespace: 'glb' } });
    expect(Testing.synth(chart)[0].spec.provider.route53).toEqual({ zoneID: 'Z0123', credentialsSecretRef: { name: 'route53', namespace: 'glb' } });
  });
});
