import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { DnsEndpoint } from '../../src/constructs/dns-endpoint';
import { validateManifest } from '../../src/validate/schema';

describe('DnsEndpoint', () => {
  it('defaults: one record set per entry, routing properties passed through', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new DnsEndpoint(chart, 'web', {
      name: 'web',
      namespace: 'external-dns',
      records: [
        { dnsName: 'web.example.com', recordType: 'CNAME', targets: ['web.apps.c1.example.com'], ttl: 60, setIdentifier: 'c1', providerSpecific: [{ name: 'aws/region', value: 'us-east-1' }] },
        { dnsName: 'web.example.com', recordType: 'CNAME', targets: ['web.apps.c2.example.com'], ttl: 60, setIdentifier: 'c2', providerSpecific: [{ name: 'aws/region', value: 'eu-west-1' }] },
      ],
    });
    // THEN
    const [ep] = Testing.synth(chart);
    expect(ep).toMatchSnapshot();
    expect(ep.spec.endpoints.map((e: any) => e.setIdentifier)).toEqual(['c1', 'c2']);
    expect(validateManifest(ep)).toEqual([]);
  });

  it('writes a plain record without set identifier or properties', () => {
    const chart = Testing.chart();
    new DnsEndpoint(chart, 'a', { name: 'a', namespace: 'x', records: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], ttl: 30 }] });
    expect(Testing.synth(chart)[0].spec.endpoints).toEqual([{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 30 }]);
  });

  it('fails without records', () => {
    expect(() => new DnsEndpoint(Testing.chart(), 'a', { name: 'a', namespace: 'x', records: [] })).toThrow(/has no records/);
  });
});
