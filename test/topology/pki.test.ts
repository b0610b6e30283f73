import { describe, expect, it } from 'vitest';
import { clusterView } from '../../src/topology';
import {
  authMount,
  authMountPath,
  certManagerPolicy,
  configOperatorPolicy,
  gatewayCertificates,
  namespacedVaultIssuers,
  pkiSignPath,
  rootCaPlacement,
  servicePkiRole,
  sqlClientIssuer,
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

describe('one PKI role per class of consumer', () => {
  it("lets the cluster-wide issuer sign each service's own names only: its Service in every suffix and its global hostnames", () => {
    expect(servicePkiRole(prod)).toEqual({
      role: 'cert-manager',
      allowedDomains: [
        'catalog.catalog.svc',
        'catalog.catalog.svc.cluster.local',
        'catalog.catalog.svc.clusterset.local',
        'shop.apps.cluster1.example.com',
        'shop.apps.cluster2.example.com',
        'shop.apps.cluster3.example.com',
        'shop.global.example.com',
        'shop.shop.svc',
        'shop.shop.svc.cluster.local',
        'shop.shop.svc.clusterset.local',
      ],
      enforceHostnames: true,
      allowLocalhost: false,
      serverFlag: true,
      clientFlag: true,
    });
  });

  it("keeps CockroachDB's node and root, and every SQL user, to namespaced issuers bound to their own namespace", () => {
    const issuers = namespacedVaultIssuers(prod);
    expect(issuers.map((i) => [i.name, i.namespace, i.pkiRole.role, i.authRole, i.audience])).toEqual([
      ['cockroachdb-issuer', 'cockroachdb', 'cockroachdb', 'cockroachdb-issuer', 'vault://cockroachdb/cockroachdb-issuer'],
      ['shop-cockroachdb-issuer', 'shop', 'cockroachdb-client-shop', 'cockroachdb-client-shop', 'vault://shop/shop-cockroachdb-issuer'],
    ]);
    const [crdb, shop] = issuers;
    expect(crdb!.pkiRole.allowedDomains).toEqual(expect.arrayContaining(['node', 'root', 'cockroachdb-0.cluster2.cockroachdb.cockroachdb.svc.clusterset.local']));
    expect(crdb!.pkiRole.allowLocalhost).toBe(true);
    expect(shop!.pkiRole).toEqual({ role: 'cockroachdb-client-shop', allowedDomains: ['shop'], enforceHostnames: true, allowLocalhost: false, serverFlag: false, clientFlag: true });
    // no store identity in the cluster-wide role
    const shared = new Set(servicePkiRole(prod).allowedDomains);
    for (const i of issuers) expect(i.pkiRole.allowedDomains.filter((d) => shared.has(d))).toEqual([]);
  });

  it('turns hostname enforcement off only for a SQL user that is not a host name', () => {
    expect(sqlClientIssuer({ name: 'order-api', namespace: 'orders' }).pkiRole).toMatchObject({ allowedDomains: ['order_api'], enforceHostnames: false });
  });
});

describe('root CA placement', () => {
  it('with Vault: the key pair in Vault\'s and Istio\'s namespaces only, the certificate alone where a Vault issuer verifies Vault', () => {
    const root = rootCaPlacement(clusterView(prod, 'cluster2'));
    expect(root.keyPair.map((k) => k.namespace)).toEqual(['istio-system', 'vault']);
    expect(root.bundle.map((k) => k.namespace)).toEqual(['cert-manager', 'cockroachdb', 'shop']);
    expect(root.caClusterIssuer).toBe(false);
  });

  it('without any store: one CA ClusterIssuer, the key in cert-manager\'s namespace', () => {
    const minimal = topologyOf(`${FIXTURE_ENVIRONMENTS}/minimal.yaml`).environments[0]!;
    const root = rootCaPlacement(clusterView(minimal, minimal.clusters[0]!.name));
    expect(root).toMatchObject({ caClusterIssuer: true, bundle: [] });
    expect(root.keyPair.map((k) => k.namespace)).toEqual(['cert-manager']);
  });

  it('with CockroachDB and no Vault: a CA Issuer in each namespace that needs certificates, never a ClusterIssuer', () => {
    const env = { ...prod, vault: undefined, services: prod.services.map((s) => ({ ...s, usesStores: s.usesStores.filter((u) => u !== 'vault') })) };
    const root = rootCaPlacement(clusterView(env, 'cluster1'));
    expect(root.caClusterIssuer).toBe(false);
    expect(root.caIssuerNamespaces).toEqual(['cockroachdb', 'istio-system', 'meridian-ingress', 'shop']);
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
    expect(first).toEqual(expect.arrayContaining(['sys/mounts/pki', 'pki/roles/*', 'sys/policies/acl/cert-manager', 'sys/policies/acl/service-shop', 'sys/policies/acl/cockroachdb-issuer', 'sys/policies/acl/cockroachdb-client-shop', 'auth/kubernetes-cluster1/config']));
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
