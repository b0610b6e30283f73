// Cross-cluster invariants over whole bundles: every fixture environment, the committed default
// environment, and an edge environment (a global service in one cluster, a service drained down to
// one cluster, a local-only dependency). Then each check is shown to catch a broken bundle.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { synthesize, type Bundle } from '../../src/synth/synthesize';
import { buildTopology, parseEnvironment, type Topology } from '../../src/topology';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';
import { ALL_INVARIANTS, clustersetTargetsAreExported, drainedClustersExportNothing, exportsAreConsistent, replicaSharesSum, routesResolve } from './invariants';

const EDGE = `
name: edge
globalDomain: edge.example.com
argocd: { repoURL: https://git.example.com/edge.git }
clusters:
  - { name: edgea, region: eu-west-1, server: https://a.example.com:6443, ingressDomain: apps.a.example.com, podCIDR: 10.0.0.0/16, serviceCIDR: 10.100.0.0/16, platform: openshift }
  - { name: edgeb, region: eu-west-2, server: https://b.example.com:6443, podCIDR: 10.1.0.0/16, serviceCIDR: 10.101.0.0/16, platform: openshift }
  - { name: edgec, region: eu-west-3, server: https://c.example.com:6443, podCIDR: 10.2.0.0/16, serviceCIDR: 10.102.0.0/16, platform: openshift }
submariner: { broker: edgeb, brokerApiServer: b.example.com:6443, brokerSecret: broker, ipsecPSKSecret: psk }
pki: { rootCASecret: root-ca }
globalLoadBalancer: { zone: { name: edge-zone, route53ZoneID: Z1EDGE } }
services:
  - { name: solo, namespace: solo, image: example.com/solo:1, port: 8080, healthPath: /ready, replicas: 2, expose: global, activeIn: [edgea] }
  - { name: pair, namespace: pair, image: example.com/pair:1, port: 9090, healthPath: /ready, replicas: 2, expose: clusterset, activeIn: [edgea, edgeb], drainedIn: [edgeb] }
  - { name: cache, namespace: front, image: example.com/cache:1, port: 6380, healthPath: /ready, replicas: 3, expose: cluster }
  - name: front
    namespace: front
    image: example.com/front:1
    port: 8443
    healthPath: /healthz
    expose: global
    uses: [solo, pair, cache]
    drainedIn: [edgec]
    autoscaling: { minReplicas: 2, maxReplicas: 5 }
`;

interface Case {
  readonly name: string;
  readonly topology: Topology;
  readonly bundle: Bundle;
}

function caseOf(name: string, topology: Topology): Case {
  return { name, topology, bundle: synthesize(topology) };
}

const fixtures = fs
  .readdirSync(FIXTURE_ENVIRONMENTS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const cases: Case[] = [
  ...fixtures.map((f) => caseOf(`fixture ${f}`, topologyOf(`${FIXTURE_ENVIRONMENTS}/${f}`))),
  caseOf('environments/ (committed dist/)', loadTopology('environments')),
  caseOf('edge', buildTopology([parseEnvironment(EDGE, 'edge.yaml')])),
];

describe.each(cases)('invariants of $name', ({ topology, bundle }) => {
  it.each(Object.entries(ALL_INVARIANTS))('%s', (_, check) => {
    expect(check(bundle)).toEqual([]);
  });

  it('replicaSharesSum', () => {
    expect(replicaSharesSum(bundle, topology)).toEqual([]);
  });

  it('has something to check', () => {
    expect(bundle.objects.some((o) => o.manifest.kind === 'Submariner')).toBe(true);
    expect(bundle.objects.some((o) => o.manifest.kind === 'Deployment')).toBe(true);
  });
});

describe('the default environment', () => {
  const { bundle } = cases.find((c) => c.name.startsWith('environments/'))!;

  it('exports every clusterset target in at least two clusters', () => {
    const hosts = bundle.objects.flatMap((o) =>
      o.manifest.kind === 'ServiceEntry' ? ((o.manifest as any).spec.hosts as string[]) : o.manifest.kind === 'Service' && (o.manifest as any).spec.type === 'ExternalName' ? [(o.manifest as any).spec.externalName] : [],
    );
    expect(hosts.length).toBeGreaterThan(0);
    for (const host of new Set(hosts)) {
      const [name, namespace] = host.split('.');
      const exporters = bundle.objects.filter((o) => o.manifest.kind === 'ServiceExport' && o.manifest.metadata.name === name && o.manifest.metadata.namespace === namespace);
      expect(exporters.length, host).toBeGreaterThanOrEqual(2);
    }
  });

  it('lets a reader follow a request from the Gateway to the clusterset host', () => {
    const inCluster = (kind: string) => bundle.objects.filter((o) => o.folder === 'cluster2' && o.manifest.kind === kind).map((o) => o.manifest as any);
    const [gateway] = inCluster('Gateway');
    const [route] = inCluster('HTTPRoute');
    const alias = inCluster('Service').find((s) => s.metadata.name === route.spec.rules[0].backendRefs[0].name);
    const entry = inCluster('ServiceEntry').find((s) => s.spec.hosts.includes(alias.spec.externalName));
    expect(gateway.spec.listeners.map((l: any) => l.hostname)).toEqual(['shop.global.example.com', 'shop.apps.cluster2.example.com']);
    expect(route.spec.parentRefs[0]).toMatchObject({ name: gateway.metadata.name, namespace: gateway.metadata.namespace });
    expect(alias.spec.externalName).toBe('shop.shop.svc.clusterset.local');
    expect(entry).toMatchObject({ metadata: { namespace: 'shop' }, spec: { location: 'MESH_INTERNAL', resolution: 'DNS' } });
  });
});

describe('the edge environment', () => {
  const { bundle } = cases.find((c) => c.name === 'edge')!;
  const exporters = (name: string) =>
    bundle.objects
      .filter((o) => o.manifest.kind === 'ServiceExport' && o.manifest.metadata.name === name)
      .map((o) => o.folder)
      .sort();

  it('exports a service active in one cluster from that cluster only', () => {
    expect(exporters('solo')).toEqual(['edgea']);
  });

  it('exports a service drained down to one cluster from the serving cluster only', () => {
    expect(exporters('pair')).toEqual(['edgea']);
    expect(exporters('front')).toEqual(['edgea', 'edgeb']);
  });

  it('never exports a local-only service and addresses it by its cluster name', () => {
    expect(exporters('cache')).toEqual([]);
    const front = bundle.objects.find((o) => o.folder === 'edgec' && o.manifest.kind === 'Deployment' && o.manifest.metadata.name === 'front')!.manifest as any;
    expect(front.spec.template.spec.containers[0].env).toContainEqual({ name: 'CACHE_URL', value: 'http://cache.front.svc.cluster.local:6380' });
  });

  it('routes each global service only in the clusters it runs in', () => {
    const gateways = bundle.objects.filter((o) => o.manifest.kind === 'Gateway').map((o) => o.folder);
    expect(gateways.sort()).toEqual(['edgea', 'edgeb', 'edgec']);
    const routes = (folder: string) =>
      bundle.objects
        .filter((o) => o.folder === folder && o.manifest.kind === 'HTTPRoute')
        .map((o) => o.manifest.metadata.name)
        .sort();
    expect(routes('edgea')).toEqual(['front', 'solo']);
    expect(routes('edgec')).toEqual(['front']);
  });
});

describe('the checks catch a broken bundle', () => {
  const { bundle } = cases.find((c) => c.name === 'fixture globalnet.yaml')!;
  const without = (drop: (o: Bundle['objects'][number]) => boolean): Bundle => ({ ...bundle, objects: bundle.objects.filter((o) => !drop(o)) });
  const clone = (o: Bundle['objects'][number], patch: (m: any) => void): Bundle['objects'][number] => {
    const manifest = structuredClone(o.manifest);
    patch(manifest);
    return { ...o, manifest };
  };

  it('fails when a serving cluster stops exporting a clusterset target', () => {
    const broken = without((o) => o.folder === 'ams1' && o.manifest.kind === 'ServiceExport' && o.manifest.metadata.name === 'cart');
    expect(clustersetTargetsAreExported(broken).join('\n')).toMatch(/cart.storefront.svc.clusterset.local is exported by fra1, mad1, but runs undrained in ams1, fra1, mad1/);
    expect(exportsAreConsistent(broken).join('\n')).toMatch(/ams1: runs storefront\/cart undrained but does not export it/);
  });

  it('fails when a target is exported nowhere', () => {
    const broken = without((o) => o.manifest.kind === 'ServiceExport' && o.manifest.metadata.name === 'web');
    expect(clustersetTargetsAreExported(broken).join('\n')).toMatch(/web.storefront.svc.clusterset.local is exported by no cluster/);
  });

  it('fails when a drained cluster exports the service', () => {
    const exported = bundle.objects.find((o) => o.folder === 'ams1' && o.manifest.kind === 'ServiceExport' && o.manifest.metadata.name === 'web')!;
    const broken = { ...bundle, objects: [...bundle.objects, { ...exported, folder: 'par1', file: 'par1/services.yaml' }] };
    expect(drainedClustersExportNothing(broken)).toEqual(['par1: storefront/web is drained but exported']);
  });

  it('fails when a route points at a Gateway listener or backend that does not exist', () => {
    const objects = bundle.objects.map((o) =>
      o.folder === 'fra1' && o.manifest.kind === 'HTTPRoute'
        ? clone(o, (m) => {
            m.spec.parentRefs[0].sectionName = 'missing';
            m.spec.rules[0].backendRefs[0].name = 'nowhere';
          })
        : o,
    );
    const problems = routesResolve({ ...bundle, objects }).join('\n');
    expect(problems).toMatch(/Gateway has no listener missing/);
    expect(problems).toMatch(/backend Service nowhere does not exist in fra1/);
  });

  it('fails when replica shares do not add up', () => {
    const topology = cases.find((c) => c.name === 'fixture globalnet.yaml')!.topology;
    const objects = bundle.objects.map((o) => (o.folder === 'ams1' && o.manifest.kind === 'Deployment' && o.manifest.metadata.name === 'web' ? clone(o, (m) => (m.spec.replicas = 1)) : o));
    expect(replicaSharesSum({ ...bundle, objects }, topology)).toEqual(['fleet: web replica shares sum to 8, expected 10']);
  });
});
