import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTopology, clusterGslb, globalHosts, parseEnvironment, type Environment } from '../../src/topology';

// OpenShift clusters: the global-load-balancer-operator reads each endpoint cluster's Infrastructure object.
const minimal = fs
  .readFileSync('test/fixtures/environments/minimal.yaml', 'utf8')
  .replace('expose: clusterset', 'expose: global')
  .replace(/(serviceCIDR: [0-9./]+) \}/g, '$1, platform: openshift }');
const load = (glb: string, text = minimal): Environment => buildTopology([parseEnvironment(`${text}\nglobalLoadBalancer: ${glb}\n`, 'test.yaml')]).environments[0]!;

describe('global load balancer defaults', () => {
  it('defaults the operator to Latency, its namespace and <cluster>-kubeconfig Secrets', () => {
    // GIVEN the operator with only its zone
    const e = load('{ zone: { name: z, route53ZoneID: Z1 } }');
    // THEN
    expect(e.globalLoadBalancer).toMatchObject({
      provider: 'global-load-balancer-operator',
      hub: 'east',
      policy: 'Latency',
      namespace: 'global-load-balancer-operator',
      clusterCredentials: { namespace: 'global-load-balancer-operator', secretSuffix: '-kubeconfig' },
    });
  });

  it('keeps kubeconfig Secrets in the records namespace unless told otherwise', () => {
    const e = load('{ zone: { name: z, route53ZoneID: Z1 }, namespace: glb, clusterCredentials: { secretSuffix: -admin } }');
    expect(e.globalLoadBalancer!.clusterCredentials).toEqual({ namespace: 'glb', secretSuffix: '-admin' });
  });

  it('defaults k8gb to Multivalue (roundRobin), with nothing on the hub', () => {
    const e = load('{ provider: k8gb }');
    expect(e.globalLoadBalancer!.policy).toBe('Multivalue');
    expect(e.globalLoadBalancer!.namespace).toBeUndefined();
    expect(e.globalLoadBalancer!.clusterCredentials).toBeUndefined();
  });

  it('defaults external-dns to Latency records in the external-dns namespace', () => {
    const withDomains = minimal.replace(/server: https:\/\/(\w+)\.example\.org:6443,/g, 'server: https://$1.example.org:6443, ingressDomain: apps.$1.example.org,');
    const e = load('{ provider: external-dns }', withDomains);
    expect(e.globalLoadBalancer).toMatchObject({ policy: 'Latency', namespace: 'external-dns' });
    expect(e.globalLoadBalancer!.clusterCredentials).toBeUndefined();
  });
});

describe('where the records live', () => {
  it('puts the operator records on the hub only, every hostname with its serving clusters', () => {
    const e = load('{ zone: { name: z, route53ZoneID: Z1 }, hub: west }');
    expect(globalHosts(e).map((h) => [h.hostname, h.serving.map((c) => c.name)])).toEqual([['api.min.example.org', ['east', 'west', 'north']]]);
    expect(clusterGslb(e, 'west')!.hosts).toHaveLength(1);
    expect(clusterGslb(e, 'east')).toBeUndefined();
  });

  it('puts a k8gb Gslb in each serving cluster and none where the service is drained', () => {
    const e = load('{ provider: k8gb }', minimal.replace('expose: global', 'expose: global, drainedIn: [north]'));
    expect(['east', 'west', 'north'].map((c) => clusterGslb(e, c)?.hosts.length ?? 0)).toEqual([1, 1, 0]);
  });
});
