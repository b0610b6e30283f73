import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { VaultConfiguration } from '../../src/constructs/vault-config';
import { validateManifest } from '../../src/validate/schema';

function config() {
  const chart = Testing.chart();
  const vc = new VaultConfiguration(chart, 'Config', {
    namespace: 'vault',
    login: { mount: 'kubernetes-east', role: 'vault-config-operator', serviceAccount: 'vault-config-operator' },
    connection: { address: 'https://vault.vault.svc:8200', tlsSecret: 'operator-tls' },
  });
  return { chart, vc };
}

describe('VaultConfiguration', () => {
  it('defaults', () => {
    const { chart, vc } = config();
    vc.addKubernetesAuthMount({ name: 'auth', mount: 'kubernetes-east', description: 'east' });
    vc.addKubernetesAuthRole({ name: 'cm', mount: 'kubernetes-east', role: 'cert-manager', serviceAccounts: ['vault-issuer'], namespaces: ['cert-manager'], policies: ['cert-manager'], audience: 'vault://vault-issuer', tokenTtlSeconds: 600 });
    vc.addSecretEngineMount({ name: 'pki', mount: 'pki', type: 'pki', description: 'pki', maxLeaseTtl: '87600h' });
    vc.addPkiRole({ name: 'cm', mount: 'pki', role: 'cert-manager', allowedDomains: ['shop.shop.svc'], enforceHostnames: true, allowLocalhost: false, serverFlag: true, clientFlag: true, maxTtl: '2160h' });
    vc.addPolicy({ name: 'cm', policy: 'cert-manager', document: '{"path":{}}' });
    const objects = Testing.synth(chart);
    expect(objects).toMatchSnapshot();
    // THEN every object validates against the pinned CRDs
    for (const o of objects) expect(validateManifest(o), `${o.kind}`).toEqual([]);
  });

  it('logs every resource in through the same mount, role, ServiceAccount and TLS Secret', () => {
    const { chart, vc } = config();
    vc.addPolicy({ name: 'p', policy: 'p', document: '{}' });
    const [policy] = Testing.synth(chart);
    expect(policy.spec.authentication).toEqual({ path: 'kubernetes-east', role: 'vault-config-operator', serviceAccount: { name: 'vault-config-operator' } });
    expect(policy.spec.connection).toEqual({ address: 'https://vault.vault.svc:8200', tLSConfig: { tlsSecret: { name: 'operator-tls' } } });
  });

  it('splits a mount path into the parent path and the object name Vault uses', () => {
    const { chart, vc } = config();
    vc.addKubernetesAuthMount({ name: 'top', mount: 'kubernetes-east', description: 'd' });
    vc.addSecretEngineMount({ name: 'nested', mount: 'teams/a/pki', type: 'pki', description: 'd', maxLeaseTtl: '1h' });
    const [top, nested] = Testing.synth(chart);
    expect([top.spec.path, top.spec.name]).toEqual(['', 'kubernetes-east']);
    expect([nested.spec.path, nested.spec.name]).toEqual(['teams/a', 'pki']);
  });

  it('fails on a duplicate resource', () => {
    const { vc } = config();
    vc.addPolicy({ name: 'p', policy: 'p', document: '{}' });
    expect(() => vc.addPolicy({ name: 'p', policy: 'q', document: '{}' })).toThrow(/Policy "p": the name is already used/);
  });

  it('fails on a role bound to nobody', () => {
    const { vc } = config();
    expect(() => vc.addKubernetesAuthRole({ name: 'r', mount: 'm', role: 'r', serviceAccounts: [], namespaces: ['n'], policies: [], tokenTtlSeconds: 60 })).toThrow(/at least one ServiceAccount/);
  });

  it('fails on a PKI role that allows no domain', () => {
    const { vc } = config();
    expect(() => vc.addPkiRole({ name: 'r', mount: 'pki', role: 'r', allowedDomains: [], enforceHostnames: true, allowLocalhost: false, serverFlag: true, clientFlag: true, maxTtl: '1h' })).toThrow(/at least one domain/);
  });

  it('fails on a PKI role that issues neither server nor client certificates', () => {
    const { vc } = config();
    expect(() => vc.addPkiRole({ name: 'r', mount: 'pki', role: 'r', allowedDomains: ['root'], enforceHostnames: true, allowLocalhost: false, serverFlag: false, clientFlag: false, maxTtl: '1h' })).toThrow(/server or client/);
  });

  it('signs exact names only: no subdomains, globs, IP SANs or any name', () => {
    const { chart, vc } = config();
    vc.addPkiRole({ name: 'r', mount: 'pki', role: 'r', allowedDomains: ['root'], enforceHostnames: true, allowLocalhost: false, serverFlag: false, clientFlag: true, maxTtl: '1h' });
    const role = Testing.synth(chart).find((o) => o.kind === 'PKISecretEngineRole');
    expect(role.spec).toMatchObject({ allowedDomains: ['root'], allowBareDomains: true, allowSubdomains: false, allowGlobDomains: false, allowAnyName: false, allowIPSans: false, allowLocalhost: false, serverFlag: false, clientFlag: true });
  });

  it('fails on an empty mount path', () => {
    const { vc } = config();
    expect(() => vc.addSecretEngineMount({ name: 'x', mount: '/', type: 'pki', description: 'd', maxLeaseTtl: '1h' })).toThrow(/is empty/);
  });
});
