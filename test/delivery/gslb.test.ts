// Global load balancing over the real bundles (the committed dist/ and every fixture environment): each
// global hostname is published for exactly the clusters serving it (active, not drained), the health
// check probes the service's readiness endpoint, and cluster names satisfy the operator's pattern.
import * as fs from 'node:fs';
import { test as fcTest } from '@fast-check/vitest';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { INGRESS } from '../../src/lib/names';
import { loadTopology } from '../../src/main';
import { synthesize, type Bundle } from '../../src/synth/synthesize';
import { buildTopology, CLUSTER_ID, parseEnvironment, type Environment, type Topology } from '../../src/topology';
import { FIXTURE_ENVIRONMENTS, objectsOf, topologyOf } from '../helpers';

const cases: [string, () => Topology][] = [
  ['environments/', () => loadTopology('environments')],
  ...fs
    .readdirSync(FIXTURE_ENVIRONMENTS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f): [string, () => Topology] => [f, () => topologyOf(`${FIXTURE_ENVIRONMENTS}/${f}`)]),
];

/** The clusters a hostname is published for, read from whatever the provider's objects say. */
function publishedClusters(bundle: Bundle, env: Environment, hostname: string): string[] {
  const all = env.clusters.flatMap((c) => objectsOf(bundle, c.name).map((o) => ({ folder: c.name, o })));
  const records = all.filter(({ o }) => o.kind === 'GlobalDNSRecord' && o.spec.name === hostname);
  const gslbs = all.filter(({ o }) => o.kind === 'Gslb' && o.metadata.annotations['k8gb.io/hostname'] === hostname);
  const endpoints = all.flatMap(({ o }) => (o.kind === 'DNSEndpoint' ? o.spec.endpoints : [])).filter((e: any) => e.dnsName === hostname);
  switch (env.globalLoadBalancer!.provider) {
    case 'global-load-balancer-operator':
      expect(records.map((r) => r.folder)).toEqual([env.globalLoadBalancer!.hub]);
      return records[0]!.o.spec.endpoints.map((e: any) => e.clusterName);
    case 'k8gb':
      return gslbs.map((g) => g.folder);
    case 'external-dns':
      return endpoints.map((e: any) => e.setIdentifier);
  }
}

/** The readiness probe path of the service's Deployment in a cluster, when the bundle has one. */
function readinessPaths(bundle: Bundle, cluster: string, service: { name: string; namespace: string }): string[] {
  return objectsOf(bundle, cluster, 'Deployment')
    .filter((d) => d.metadata.name === service.name && d.metadata.namespace === service.namespace)
    .flatMap((d) => d.spec.template.spec.containers.map((c: any) => c.readinessProbe?.httpGet?.path));
}

describe.each(cases)('global load balancing of %s', (_name, topologyOf_) => {
  const topology = topologyOf_();
  const bundle = synthesize(topology);

  it('publishes every global hostname for exactly the clusters serving it, drained clusters excluded', () => {
    for (const env of topology.environments) {
      if (!env.globalLoadBalancer) {
        expect(bundle.objects.filter((o) => ['GlobalDNSRecord', 'GlobalDNSZone', 'Gslb', 'DNSEndpoint'].includes(o.manifest.kind))).toEqual([]);
        continue;
      }
      for (const s of env.services.filter((x) => x.expose === 'global')) {
        const published = publishedClusters(bundle, env, s.hostname!);
        expect(published, s.hostname).toEqual(s.servingIn);
        for (const drained of s.drainedIn) expect(published).not.toContain(drained);
      }
    }
  });

  it('points every endpoint at the cluster’s Istio gateway', () => {
    for (const o of bundle.objects.map((x) => x.manifest as any)) {
      if (o.kind === 'GlobalDNSRecord') for (const e of o.spec.endpoints) expect(e.loadBalancerServiceRef).toEqual({ name: INGRESS.loadBalancerService, namespace: INGRESS.namespace });
      if (o.kind === 'Gslb') {
        expect(o.metadata.namespace).toBe(INGRESS.namespace);
        expect(o.spec.resourceRef).toEqual({ apiVersion: 'v1', kind: 'Service', name: INGRESS.loadBalancerService });
      }
    }
  });

  it('health-checks the readiness endpoint of the service, through the gateway, as the topology says', () => {
    for (const env of topology.environments) {
      const glb = env.globalLoadBalancer;
      if (glb?.provider !== 'global-load-balancer-operator') continue;
      for (const s of env.services.filter((x) => x.expose === 'global')) {
        const record = objectsOf(bundle, glb.hub, 'GlobalDNSRecord').find((r) => r.spec.name === s.hostname);
        const hc = record.spec.healthCheck;
        expect(hc.httpGet).toEqual({ host: s.hostname, path: s.healthPath, port: 443, scheme: 'HTTPS' });
        expect(hc).toMatchObject({ periodSeconds: glb.healthCheck.periodSeconds, failureThreshold: glb.healthCheck.failureThreshold, timeoutSeconds: glb.healthCheck.timeoutSeconds });
        expect(hc.failureThreshold).toBeGreaterThanOrEqual(2);
        expect(record.spec).toMatchObject({ loadBalancingPolicy: glb.policy, ttl: glb.ttl, globalZoneRef: { name: glb.zone!.name } });
        // the same endpoint as the pods' readiness probe, wherever the bundle has the Deployment
        for (const cluster of s.activeIn) for (const p of readinessPaths(bundle, cluster, s)) expect(p, `${cluster} ${s.name}`).toBe(hc.httpGet.path);
        for (const e of record.spec.endpoints) expect(e.clusterCredentialRef).toEqual({ name: `${e.clusterName}${glb.clusterCredentials!.secretSuffix}`, namespace: glb.clusterCredentials!.namespace });
      }
      const zone = objectsOf(bundle, glb.hub, 'GlobalDNSZone');
      expect(zone.map((z) => z.metadata.name)).toEqual([glb.zone!.name]);
      expect(zone[0].spec).toEqual({ domain: env.globalDomain, provider: { route53: { zoneID: glb.zone!.route53ZoneID, ...(glb.zone!.credentialsSecret ? { credentialsSecretRef: { name: glb.zone!.credentialsSecret, namespace: glb.namespace } } : {}) } } });
    }
  });

  it('gives k8gb the same strategy in every cluster, the first serving cluster primary for Failover', () => {
    for (const env of topology.environments) {
      const glb = env.globalLoadBalancer;
      if (glb?.provider !== 'k8gb') continue;
      for (const s of env.services.filter((x) => x.expose === 'global')) {
        const strategies = s.servingIn.map((c) => objectsOf(bundle, c, 'Gslb').find((g) => g.metadata.annotations['k8gb.io/hostname'] === s.hostname).spec.strategy);
        const primary = env.clusters.find((c) => c.name === s.servingIn[0])!;
        const expected = glb.policy === 'Failover' ? { type: 'failover', primaryGeoTag: primary.region, dnsTtlSeconds: glb.ttl } : { type: 'roundRobin', dnsTtlSeconds: glb.ttl };
        for (const st of strategies) expect(st).toEqual(expected);
      }
    }
  });

  it('points external-dns records at the cluster-specific name of each serving cluster, routed by policy', () => {
    for (const env of topology.environments) {
      const glb = env.globalLoadBalancer;
      if (glb?.provider !== 'external-dns') continue;
      for (const s of env.services.filter((x) => x.expose === 'global')) {
        const endpoints = objectsOf(bundle, glb.hub, 'DNSEndpoint').flatMap((d) => d.spec.endpoints).filter((e: any) => e.dnsName === s.hostname);
        for (const e of endpoints) {
          const cluster = env.clusters.find((c) => c.name === e.setIdentifier)!;
          expect(e).toMatchObject({ recordType: 'CNAME', targets: [`${s.name}.${cluster.ingressDomain}`], recordTTL: glb.ttl });
          expect(e.providerSpecific).toEqual(glb.policy === 'Latency' ? [{ name: 'aws/region', value: cluster.region }] : [{ name: 'aws/weight', value: '1' }]);
        }
      }
    }
  });
});

describe('cluster names and the global-load-balancer-operator', () => {
  // Read where the CRD is pinned (scripts/pinned-crds.mjs), never from a copy in the project.
  let pattern = /(?!)/;
  beforeAll(async () => {
    const { pinnedCrds } = (await import('../../scripts/pinned-crds.mjs')) as { pinnedCrds: () => Promise<{ kinds: { id: string; schema: any }[] }> };
    const crd = (await pinnedCrds()).kinds.find((k) => k.id === 'redhatcop.redhat.io/v1alpha1/GlobalDNSRecord')!.schema;
    pattern = new RegExp(crd.properties.spec.properties.endpoints.items.properties.clusterName.pattern);
  });

  it('reads the clusterName pattern from the pinned CRD', () => {
    expect(pattern.test('cluster1')).toBe(true);
    expect(pattern.test('cluster-1')).toBe(false);
  });

  fcTest.prop([fc.stringMatching(new RegExp(CLUSTER_ID))])('accepts every cluster ID the topology accepts', (name) => {
    expect(pattern.test(name)).toBe(true);
  });
});

describe('active/passive', () => {
  const source = `${FIXTURE_ENVIRONMENTS}/active-passive.yaml`;
  const load = (text: string): Environment => buildTopology([parseEnvironment(text, source)]).environments[0]!;

  it('fails over from the first cluster, which stays primary while it serves', () => {
    const env = load(fs.readFileSync(source, 'utf8'));
    const bundle = synthesize(buildTopology([parseEnvironment(fs.readFileSync(source), source)]));
    expect(env.globalLoadBalancer!.policy).toBe('Failover');
    for (const c of env.clusters) {
      for (const g of objectsOf(bundle, c.name, 'Gslb')) expect(g.spec.strategy).toEqual({ type: 'failover', primaryGeoTag: env.clusters[0]!.region, dnsTtlSeconds: env.globalLoadBalancer!.ttl });
    }
  });

  it('makes the standby primary when the first cluster is drained', () => {
    const text = fs.readFileSync(source, 'utf8').replace('replicas: 4, expose: global }', 'replicas: 4, expose: global, drainedIn: [primary] }');
    const bundle = synthesize(buildTopology([parseEnvironment(text, source)]));
    expect(objectsOf(bundle, 'primary', 'Gslb')).toEqual([]);
    expect(objectsOf(bundle, 'standby', 'Gslb').map((g) => g.spec.strategy.primaryGeoTag)).toEqual(['us-west-2']);
  });

  it('keeps the passive cluster warm with its share of the replicas, which delivery never scales down', () => {
    const env = load(fs.readFileSync(source, 'utf8'));
    const bundle = synthesize(buildTopology([parseEnvironment(fs.readFileSync(source), source)]));
    for (const s of env.services) {
      for (const c of s.activeIn) {
        expect(s.replicasByCluster[c], `${s.name} in ${c}`).toBeGreaterThan(0);
        for (const d of objectsOf(bundle, c, 'Deployment').filter((x) => x.metadata.name === s.name && x.metadata.namespace === s.namespace)) {
          if (d.spec.replicas !== undefined) expect(d.spec.replicas).toBe(s.replicasByCluster[c]);
        }
      }
    }
    const appSet = objectsOf(bundle, 'argocd', 'ApplicationSet')[0];
    // no ignored replica counts
    expect(JSON.stringify(appSet.spec.template.spec.ignoreDifferences ?? [])).not.toMatch(/replicas/);
  });
});
