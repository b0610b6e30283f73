import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Gslb } from '../../src/constructs/k8gb-gslb';
import { validateManifest } from '../../src/validate/schema';

describe('Gslb', () => {
  it('defaults: publishes the gateway Service for the hostname', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Gslb(chart, 'web', { name: 'web', namespace: 'meridian-ingress', hostname: 'www.example.net', loadBalancerService: 'meridian-gateway-istio', strategy: { type: 'roundRobin', dnsTtlSeconds: 30 } });
    // THEN
    const [gslb] = Testing.synth(chart);
    expect(gslb).toMatchSnapshot();
    expect(gslb.metadata.annotations['k8gb.io/hostname']).toBe('www.example.net');
    expect(gslb.spec.resourceRef).toEqual({ apiVersion: 'v1', kind: 'Service', name: 'meridian-gateway-istio' });
    expect(validateManifest(gslb)).toEqual([]);
  });

  it('names the primary geo tag for failover', () => {
    const chart = Testing.chart();
    new Gslb(chart, 'web', { name: 'web', namespace: 'ns', hostname: 'h.example.net', loadBalancerService: 'lb', strategy: { type: 'failover', primaryGeoTag: 'us-east-1', dnsTtlSeconds: 10 } });
    expect(Testing.synth(chart)[0].spec.strategy).toEqual({ type: 'failover', primaryGeoTag: 'us-east-1', dnsTtlSeconds: 10 });
  });
});
