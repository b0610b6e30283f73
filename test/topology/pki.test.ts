import { describe, expect, it } from 'vitest';
import { clusterView } from '../../src/topology';
import {
  authMount,
  authMountPath,
  certManagerPolicy,
  configOperatorPolicy,
  gatewayCertificates,
  pkiAllowedDomains,
  pkiSignPath,
  vaultClientCertificates,
} from '../../src/topology/pki';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';

const prod = topologyOf('environments/prod.yaml').environments[0]!;
const fleet = topologyOf(`${FIXTURE_ENVIRONMENTS}/globalnet.yaml`).environments[0]!;

describe('pki paths', () => {
  it('has one auth mount per cluster from the prefix', () => {
    expect(prod.clusters.map((c) => authMountPath(prod.pki, c.name))).toEqual(['/v1/auth/kubernetes-cluster1', '/v1/auth/kubernetes-cluster2', '/v1/auth/kubernetes-cluster3']);
    expect(authMount(fleet.pki, 'ams1')).toBe('k8s-ams1');
  });

  it('signs at <path>/sign/<role>', () => {
    expect(pkiSignPath(prod.pki)).toBe('pki/sign/cert-manager');
  });
});

describe('pki allowed domains', () => {
  it('covers service suffixes, the global and ingress domains and CockroachDB bare names', () => {
    expect(pkiAllowedDomains(prod)).toEqual([
      'apps.cluster1.example.com',
      'apps.cluster2.example.com',
      'apps.cluster3.example.com',
      'cockroachdb',
      'cockroachdb-public',
      'global.example.com',
      'node',
      'root',
      'shop',
      'svc',
      'svc.cluster.local',
      'svc.clusterset.local',
    ]);
  });

  it('adds vanity hostnames outside the global domain and the SQL users of services', () => {
    const env = { ...fleet, services: fleet.services.map((s) => (s.name === 'web' ? { ...s, hostname: 'shop.example.org' } : s)) };
    expect(pkiAllowedDomains(env)).toEqual(['cart', 'cockroachdb', 'cockroachdb-public', 'fleet.example.net', 'node', 'root', 'shop.example.org', 'svc', 'svc.cluster.local', 'svc.clusterset.local']);
  });

  it('leaves CockroachDB names out of an environment without it', () => {
    const env = { ...fleet, cockroachdb: undefined, services: [] };
    expect(pkiAllowedDomains(env)).toEqual(['fleet.example.net', 'svc', 'svc.cluster.local', 'svc.clusterset.local']);
  });
});

describe('vault policies', () => {
  it('lets cert-manager only sign through its role', () => {
    expect(certManagerPolicy(prod.pki)).toEqual({ path: { 'pki/sign/cert-manager': { capabilities: ['create', 'update'] } } });
  });

  it('confines each operator to its cluster mount, and the bootstrap one to the shared PKI too', () => {
    const second = Object.keys(configOperatorPolicy(prod, 'cluster2').path);
    expect(second.every((p) => p === 'sys/auth' || p.includes('kubernetes-cluster2'))).toBe(true);
    const first = Object.keys(configOperatorPolicy(prod, 'cluster1').path);
    expect(first).toEqual(expect.arrayContaining(['sys/mounts/pki', 'pki/roles/*', 'sys/policies/acl/cert-manager', 'sys/policies/acl/service-shop', 'auth/kubernetes-cluster1/config']));
    expect(first.some((p) => p.includes('cluster2'))).toBe(false);
  });
});

describe('certificate plans', () => {
  it('gives every cluster a Gateway certificate per global service with its own ingress name', () => {
    expect(gatewayCertificates(clusterView(prod, 'cluster3'), 'meridian-ingress')).toEqual([
      { name: 'shop-gateway-tls', namespace: 'meridian-ingress', secretName: 'shop-gateway-tls', dnsNames: ['shop.apps.cluster3.example.com', 'shop.global.example.com'] },
    ]);
  });

  it('only the vanity hostname where the cluster has no ingress domain', () => {
    expect(gatewayCertificates(clusterView(fleet, 'fra1'), 'ingress').map((p) => p.dnsNames)).toEqual([['www.fleet.example.net']]);
  });

  it('gives a client certificate to each local service that uses vault, in its namespace', () => {
    expect(vaultClientCertificates(clusterView(prod, 'cluster1'))).toEqual([
      { name: 'shop-vault-client-tls', namespace: 'shop', secretName: 'shop-vault-client-tls', dnsNames: ['shop.shop.svc'] },
    ]);
    const cartOnly = { ...fleet, services: fleet.services.filter((s) => s.name === 'cart') };
    expect(vaultClientCertificates(clusterView(cartOnly, 'ams1'))).toEqual([]);
  });
});
