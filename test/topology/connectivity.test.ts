import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildTopology,
  clusterHostname,
  clusterView,
  exportsHere,
  ingressPlan,
  meshEntries,
  parseEnvironment,
  serviceUrl,
  serviceUrlVariable,
  serviceWiring,
  type Environment,
} from '../../src/topology';
import { runbookDatabases, setupSql } from '../../src/topology/cockroachdb';

function env(file: string): Environment {
  const source = `test/fixtures/environments/${file}`;
  return buildTopology([parseEnvironment(fs.readFileSync(source), source)]).environments[0]!;
}

function prod(): Environment {
  return buildTopology([parseEnvironment(fs.readFileSync('environments/prod.yaml'), 'environments/prod.yaml')]).environments[0]!;
}

describe('ingress plan', () => {
  it('listens for the vanity hostname and the cluster-specific hostname of each global service', () => {
    // GIVEN prod, whose clusters have an ingressDomain
    const plan = ingressPlan(clusterView(prod(), 'cluster2'))!;
    // THEN
    expect(plan).toMatchObject({ namespace: 'meridian-ingress', gateway: 'meridian-gateway', gatewayClassName: 'istio' });
    expect(plan.listeners).toEqual([
      { name: 'shop-global', hostname: 'shop.global.example.com', service: 'shop', routeNamespace: 'shop', certificateSecret: 'shop-gateway-tls' },
      { name: 'shop-cluster', hostname: 'shop.apps.cluster2.example.com', service: 'shop', routeNamespace: 'shop', certificateSecret: 'shop-gateway-tls' },
    ]);
    expect(plan.routes.map((r) => [r.service.name, r.hostnames, r.sectionNames, r.backend, r.clustersetHost, r.drained])).toEqual([
      ['shop', ['shop.global.example.com', 'shop.apps.cluster2.example.com'], ['shop-global', 'shop-cluster'], 'shop-clusterset', 'shop.shop.svc.clusterset.local', false],
    ]);
  });

  it('serves only the vanity hostname without an ingressDomain, and still routes where the service is drained', () => {
    const plan = ingressPlan(clusterView(env('globalnet.yaml'), 'par1'))!;
    expect(plan.listeners.map((l) => l.hostname)).toEqual(['www.fleet.example.net']);
    expect(plan.routes[0]).toMatchObject({ drained: true, clustersetHost: 'web.storefront.svc.clusterset.local' });
  });

  it('is absent where no global service runs', () => {
    expect(ingressPlan(clusterView(env('minimal.yaml'), 'east'))).toBeUndefined();
  });

  it('derives the cluster-specific hostname only for global services on clusters with an ingressDomain', () => {
    expect(clusterHostname({ name: 'shop', expose: 'global' }, { ingressDomain: 'apps.c1.example.com' })).toBe('shop.apps.c1.example.com');
    expect(clusterHostname({ name: 'shop', expose: 'clusterset' }, { ingressDomain: 'apps.c1.example.com' })).toBeUndefined();
    expect(clusterHostname({ name: 'shop', expose: 'global' }, {})).toBeUndefined();
  });
});

describe('mesh entries', () => {
  it('registers a global service for its namespace and the ingress, and a used service for the caller only', () => {
    const entries = meshEntries(clusterView(prod(), 'cluster1'));
    expect(entries.map((e) => [e.namespace, e.name, e.host, e.port, e.exportTo])).toEqual([
      ['shop', 'catalog-clusterset', 'catalog.catalog.svc.clusterset.local', 8080, ['.']],
      ['shop', 'shop-clusterset', 'shop.shop.svc.clusterset.local', 8080, ['.', 'meridian-ingress']],
    ]);
  });

  it('registers a used service where the caller runs even if the used service does not run there', () => {
    // cart is not active in par1, web (drained there) uses it
    const entries = meshEntries(clusterView(env('globalnet.yaml'), 'par1'));
    expect(entries.map((e) => `${e.namespace}/${e.host}`)).toEqual(['storefront/cart.storefront.svc.clusterset.local', 'storefront/web.storefront.svc.clusterset.local']);
  });

  it('needs no entry for a cluster of callers without clusterset dependencies', () => {
    expect(meshEntries(clusterView(env('minimal.yaml'), 'east'))).toEqual([]);
  });
});

describe('exports', () => {
  it('exports clusterset and global services except where drained, and never cluster-local ones', () => {
    const e = env('globalnet.yaml');
    const web = e.services.find((s) => s.name === 'web')!;
    expect(exportsHere({ service: web, drained: false })).toBe(true);
    expect(exportsHere({ service: web, drained: true })).toBe(false);
    expect(exportsHere({ service: { ...web, expose: 'cluster' }, drained: false })).toBe(false);
  });
});

describe('service wiring', () => {
  it('gives a service that uses the stores their client certificates and connection settings', () => {
    const e = prod();
    const shop = e.services.find((s) => s.name === 'shop')!;
    const wiring = serviceWiring(e, shop, 'kubernetes-cluster1');
    expect(wiring.mounts).toEqual([
      { volume: 'cockroachdb-tls', secretName: 'shop-cockroachdb-client-tls', mountPath: '/etc/meridian/cockroachdb-tls' },
      { volume: 'vault-tls', secretName: 'shop-vault-client-tls', mountPath: '/etc/meridian/vault-tls' },
    ]);
    expect(Object.fromEntries(wiring.env.map((v) => [v.name, v.value]))).toEqual({
      CATALOG_URL: 'http://catalog.catalog.svc.clusterset.local:8080',
      DATABASE_URL:
        'postgresql://shop@cockroachdb-public.cockroachdb.svc.cluster.local:26257/shop?sslmode=verify-full&sslrootcert=/etc/meridian/cockroachdb-tls/ca.crt&sslcert=/etc/meridian/cockroachdb-tls/tls.crt&sslkey=/etc/meridian/cockroachdb-tls/tls.key',
      VAULT_ADDR: 'https://vault.vault.svc:8200',
      VAULT_CACERT: '/etc/meridian/vault-tls/ca.crt',
      VAULT_CLIENT_CERT: '/etc/meridian/vault-tls/tls.crt',
      VAULT_CLIENT_KEY: '/etc/meridian/vault-tls/tls.key',
      VAULT_K8S_AUTH_MOUNT: 'kubernetes-cluster1',
      VAULT_K8S_ROLE: 'service-shop',
      VAULT_K8S_TOKEN_PATH: '/var/run/secrets/vault/token',
    });
    expect(wiring.vaultToken).toEqual({ volume: 'vault-token', mountPath: '/var/run/secrets/vault', path: 'token', audience: 'vault', expirationSeconds: 600 });
  });

  it('connects every SQL client to its own database, the one the runbook creates and grants it', () => {
    // A service missing from cockroachdb.databases must never land in another service's database.
    const e = prod();
    const shop = e.services.find((s) => s.name === 'shop')!;
    const payments = { ...shop, name: 'payments', namespace: 'payments', usesServices: [] };
    const url = serviceWiring({ ...e, services: [...e.services, payments] }, payments, 'kubernetes-cluster1').env.find((v) => v.name === 'DATABASE_URL')!.value;
    expect(url).toMatch(/^postgresql:\/\/payments@[^/]+\/payments\?/);
    expect(runbookDatabases({ ...e, services: [...e.services, payments] })).toContain('payments');
    expect(setupSql({ ...e, services: [...e.services, payments] })).toContain('GRANT ALL ON DATABASE "payments" TO "payments";');
  });

  it('connects to the database named after the service user when no database is declared', () => {
    const e = env('globalnet.yaml');
    const cart = e.services.find((s) => s.name === 'cart')!;
    expect(serviceWiring(e, cart, 'kubernetes-cluster1').env).toEqual([
      {
        name: 'DATABASE_URL',
        value:
          'postgresql://cart@cockroachdb-public.cockroachdb.svc.cluster.local:26257/cart?sslmode=verify-full&sslrootcert=/etc/meridian/cockroachdb-tls/ca.crt&sslcert=/etc/meridian/cockroachdb-tls/tls.crt&sslkey=/etc/meridian/cockroachdb-tls/tls.key',
      },
    ]);
  });

  it('addresses a local-only service by its cluster name and others by their clusterset name', () => {
    expect(serviceUrl({ name: 'api', namespace: 'a', expose: 'cluster', port: 80 })).toBe('http://api.a.svc.cluster.local:80');
    expect(serviceUrl({ name: 'api', namespace: 'a', expose: 'global', port: 80 })).toBe('http://api.a.svc.clusterset.local:80');
    expect(serviceUrlVariable({ name: 'order-api' })).toBe('ORDER_API_URL');
  });

  it('fails when a used service URL variable would collide with a store variable', () => {
    const e = prod();
    const shop = e.services.find((s) => s.name === 'shop')!;
    const database = { ...e.services.find((s) => s.name === 'catalog')!, name: 'database' };
    expect(() => serviceWiring({ ...e, services: [...e.services, database] }, { ...shop, usesServices: ['database'] }, 'kubernetes-cluster1')).toThrow(/DATABASE_URL/);
  });
});
