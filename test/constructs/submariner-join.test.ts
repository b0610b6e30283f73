import { describe, expect, it } from 'vitest';
import { SubmarinerJoin, type SubmarinerJoinProps } from '../../src/constructs/submariner-join';
import { chart, synthValid } from './helpers';

const join: SubmarinerJoinProps = {
  clusterId: 'cluster2',
  clusterCidr: '10.132.0.0/14',
  serviceCidr: '172.31.0.0/16',
  brokerApiServer: 'api.cluster1.example.com:6443',
  brokerNamespace: 'submariner-k8s-broker',
  brokerSecret: 'submariner-broker',
  ipsecPskSecret: 'submariner-ipsec-psk',
};

describe('SubmarinerJoin', () => {
  it('joins the cluster with its networks and the broker secrets by name only', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new SubmarinerJoin(c, 'join', join);
    // THEN
    const [cr] = synthValid(c);
    expect(cr.kind).toBe('Submariner');
    expect(cr.metadata).toMatchObject({ name: 'submariner', namespace: 'submariner-operator' });
    expect(cr.spec).toMatchObject({
      broker: 'k8s',
      brokerK8sApiServer: 'api.cluster1.example.com:6443',
      brokerK8sRemoteNamespace: 'submariner-k8s-broker',
      brokerK8sSecret: 'submariner-broker',
      ceIPSecPSKSecret: 'submariner-ipsec-psk',
      clusterID: 'cluster2',
      clusterCIDR: '10.132.0.0/14',
      serviceCIDR: '172.31.0.0/16',
      cableDriver: 'libreswan',
      natEnabled: false,
      ceIPSecDebug: false,
      debug: false,
      namespace: 'submariner-operator',
      serviceDiscoveryEnabled: true,
    });
    expect(cr.spec.globalCIDR).toBeUndefined();
    // never a token, CA or PSK value
    for (const inline of ['brokerK8sApiServerToken', 'brokerK8sCA', 'ceIPSecPSK']) expect(cr.spec[inline]).toBeUndefined();
  });

  it('sets the globalnet slice and the cable driver when given', () => {
    const c = chart();
    new SubmarinerJoin(c, 'join', { ...join, globalCidr: '242.1.0.0/16', cableDriver: 'wireguard', natEnabled: true });
    const [cr] = synthValid(c);
    expect(cr.spec).toMatchObject({ globalCIDR: '242.1.0.0/16', cableDriver: 'wireguard', natEnabled: true });
  });

  it('comes before the workloads in the sync order', () => {
    const c = chart();
    new SubmarinerJoin(c, 'join', join);
    expect(synthValid(c)[0].metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
  });

  it('fails when the broker API server carries a scheme', () => {
    expect(() => new SubmarinerJoin(chart(), 'join', { ...join, brokerApiServer: 'https://api.cluster1.example.com:6443' })).toThrow(
      /host:port without scheme/,
    );
  });

  it('fails when the cluster ID is not a DNS label', () => {
    expect(() => new SubmarinerJoin(chart(), 'join', { ...join, clusterId: 'Cluster_2' })).toThrow(/not a DNS-1123 label/);
  });
});
