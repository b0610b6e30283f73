// The connectivity charts over synthesized fixture bundles: where each object lands and the namespace
// decisions (what meridian creates for Submariner and the ingress, and what it leaves to the installs).
import { describe, expect, it } from 'vitest';
import { objectsOf, synthFixture } from '../helpers';

const fleet = synthFixture('globalnet');
const minimal = synthFixture('minimal');
const dr = synthFixture('active-passive');

describe('submariner chart', () => {
  it('puts the Broker on the broker cluster only, with the globalnet settings', () => {
    expect(['ams1', 'fra1', 'par1', 'mad1'].map((c) => objectsOf(fleet, c, 'Broker').length)).toEqual([0, 1, 0, 0]);
    expect(objectsOf(fleet, 'fra1', 'Broker')[0].spec).toMatchObject({ globalnetEnabled: true, globalnetCIDRRange: '242.0.0.0/16', defaultGlobalnetClusterSize: 4096 });
    expect(objectsOf(minimal, 'east', 'Broker')[0].spec.globalnetEnabled).toBe(false);
  });

  it('gives each cluster its own globalnet slice in file order, and none without globalnet', () => {
    const slice = (c: string) => objectsOf(fleet, c, 'Submariner')[0].spec.globalCIDR;
    expect(['ams1', 'fra1', 'par1', 'mad1'].map(slice)).toEqual(['242.0.0.0/20', '242.0.16.0/20', '242.0.32.0/20', '242.0.48.0/20']);
    expect(objectsOf(minimal, 'west', 'Submariner')[0].spec.globalCIDR).toBeUndefined();
  });

  it('never creates the submariner-operator namespace: the operator install owns it and runs privileged pods there', () => {
    for (const bundle of [fleet, minimal, dr]) {
      const namespaces = bundle.objects.filter((o) => o.manifest.kind === 'Namespace').map((o) => o.manifest.metadata.name);
      expect(namespaces).not.toContain('submariner-operator');
      for (const cr of bundle.objects.filter((o) => o.manifest.kind === 'Submariner')) expect(cr.manifest.metadata.namespace).toBe('submariner-operator');
    }
  });

  it('creates the broker namespace on the broker cluster, restricted and outside the mesh (it holds no pod)', () => {
    const broker = objectsOf(fleet, 'fra1', 'Namespace').find((n) => n.metadata.name === 'submariner-k8s-broker');
    expect(broker.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(broker.metadata.labels['istio-discovery']).toBeUndefined();
    expect(objectsOf(fleet, 'ams1', 'Namespace').map((n) => n.metadata.name)).not.toContain('submariner-k8s-broker');
  });
});

describe('ingress chart', () => {
  it('creates the ingress namespace where a global service runs, discovered by Istio but without PeerAuthentication', () => {
    const ns = objectsOf(dr, 'primary', 'Namespace').find((n) => n.metadata.name === 'meridian-ingress');
    expect(ns.metadata.labels).toMatchObject({ 'istio-discovery': 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(objectsOf(dr, 'primary', 'PeerAuthentication').map((p) => p.metadata.namespace)).toEqual(['portal']);
  });

  it('writes no ingress where no global service runs', () => {
    expect([...minimal.files.keys()].filter((f) => f.endsWith('/ingress.yaml'))).toEqual([]);
    expect(objectsOf(minimal, 'east', 'Namespace').map((n) => n.metadata.name)).not.toContain('meridian-ingress');
  });

  it('references the gateway certificate by the Secret name the Trust component issues', () => {
    const [gateway] = objectsOf(dr, 'standby', 'Gateway');
    expect(gateway.spec.listeners.map((l: any) => [l.hostname, l.tls.certificateRefs[0].name])).toEqual([
      ['portal.dr.example.com', 'portal-gateway-tls'],
      ['portal.apps.standby.example.com', 'portal-gateway-tls'],
    ]);
  });
});

describe('services chart', () => {
  it('keeps a drained service running, labelled, and unexported', () => {
    const [deployment] = objectsOf(fleet, 'par1', 'Deployment');
    expect(deployment.metadata.name).toBe('web');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.metadata.labels['meridian.dev/drained']).toBe('true');
    const serviceExports = (cluster: string) => objectsOf(fleet, cluster, 'ServiceExport').filter((e) => e.metadata.namespace === 'storefront');
    expect(serviceExports('par1')).toEqual([]);
    expect(serviceExports('ams1').map((e) => e.metadata.name)).toEqual(['cart', 'web']);
  });

  it('asks Reloader to roll every Deployment on a change of exactly the certificates it mounts', () => {
    for (const bundle of [fleet, minimal, dr]) {
      for (const d of bundle.objects.filter((o) => o.manifest.kind === 'Deployment').map((o) => o.manifest as any)) {
        const mounted = d.spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName).sort();
        expect(d.metadata.annotations?.['secret.reloader.stakater.com/reload'], d.metadata.name).toBe(mounted.length > 0 ? mounted.join(',') : undefined);
      }
    }
  });

  it('runs an HPA per cluster for an autoscaled service and leaves it the replica count', () => {
    expect(['ams1', 'fra1', 'par1', 'mad1'].map((c) => objectsOf(fleet, c, 'HorizontalPodAutoscaler').map((h) => [h.spec.minReplicas, h.spec.maxReplicas]))).toEqual([
      [[1, 3]],
      [[1, 2]],
      [],
      [[1, 2]],
    ]);
    expect(objectsOf(fleet, 'ams1', 'Deployment').find((d) => d.metadata.name === 'cart').spec.replicas).toBeUndefined();
  });
});
