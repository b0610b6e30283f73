import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CaIssuer, VaultClusterIssuer, VaultIssuer, type VaultClusterIssuerProps } from '../../src/constructs/issuer';

const vaultProps: VaultClusterIssuerProps = {
  name: 'vault-issuer',
  server: 'https://vault.vault.svc:8200',
  path: 'pki/sign/cert-manager',
  caBundle: { secretName: 'root-ca', key: 'tls.crt' },
  mountPath: '/v1/auth/kubernetes-east',
  role: 'cert-manager',
  clusterResourceNamespace: 'cert-manager',
  controllerServiceAccount: 'cert-manager',
};

describe('CaIssuer', () => {
  it('is a ClusterIssuer without a namespace', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const issuer = new CaIssuer(chart, 'Ca', { name: 'root', secretName: 'root-ca' });
    // THEN
    expect(Testing.synth(chart)).toEqual([{ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'root' }, spec: { ca: { secretName: 'root-ca' } } }]);
    expect(issuer.issuerRef.kind).toBe('ClusterIssuer');
    expect(issuer.namespace).toBeUndefined();
  });

  it('is a namespaced Issuer with a namespace', () => {
    const chart = Testing.chart();
    const issuer = new CaIssuer(chart, 'Ca', { name: 'boot', namespace: 'vault', secretName: 'root-ca' });
    expect(Testing.synth(chart)[0]).toMatchObject({ kind: 'Issuer', metadata: { name: 'boot', namespace: 'vault' } });
    expect(issuer.issuerRef).toEqual({ name: 'boot', kind: 'Issuer', group: 'cert-manager.io' });
  });
});

describe('VaultClusterIssuer', () => {
  it('defaults', () => {
    const chart = Testing.chart();
    new VaultClusterIssuer(chart, 'Vault', vaultProps);
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  it('authenticates with a bound ServiceAccount token cert-manager may request, and a CA bundle by reference', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const issuer = new VaultClusterIssuer(chart, 'Vault', vaultProps);
    // THEN
    const objects = Testing.synth(chart);
    const ci = objects.find((o) => o.kind === 'ClusterIssuer');
    expect(ci.spec.vault).toEqual({
      server: 'https://vault.vault.svc:8200',
      path: 'pki/sign/cert-manager',
      caBundleSecretRef: { name: 'root-ca', key: 'tls.crt' },
      auth: { kubernetes: { mountPath: '/v1/auth/kubernetes-east', role: 'cert-manager', serviceAccountRef: { name: 'vault-issuer' } } },
    });
    expect(objects.find((o) => o.kind === 'ServiceAccount').metadata).toEqual({ name: 'vault-issuer', namespace: 'cert-manager' });
    const role = objects.find((o) => o.kind === 'Role');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['vault-issuer'], verbs: ['create'] }]);
    const binding = objects.find((o) => o.kind === 'RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(issuer.serviceAccount).toEqual({ name: 'vault-issuer', namespace: 'cert-manager' });
  });

  it('fails on a mount path that is not /v1/auth/<mount>', () => {
    const chart = Testing.chart();
    expect(() => new VaultClusterIssuer(chart, 'Vault', { ...vaultProps, mountPath: 'auth/kubernetes-east' })).toThrow(/mountPath must look like \/v1\/auth/);
  });

  it('fails on a path that is not the sign endpoint', () => {
    const chart = Testing.chart();
    expect(() => new VaultClusterIssuer(chart, 'Vault', { ...vaultProps, path: 'pki/issue/cert-manager' })).toThrow(/PKI sign endpoint/);
  });

  it('fails on a plain-http server', () => {
    const chart = Testing.chart();
    expect(() => new VaultClusterIssuer(chart, 'Vault', { ...vaultProps, server: 'http://vault.vault.svc:8200' })).toThrow(/https:\/\//);
  });
});

describe('VaultIssuer in a namespace', () => {
  it('is an Issuer whose ServiceAccount and token RBAC live in its namespace, requested by cert-manager\'s controller', () => {
    const chart = Testing.chart();
    const issuer = new VaultIssuer(chart, 'Vault', { ...vaultProps, name: 'cockroachdb-issuer', namespace: 'cockroachdb', path: 'pki/sign/cockroachdb', role: 'cockroachdb-issuer' });
    const objects = Testing.synth(chart);
    expect(objects.find((o) => o.kind === 'Issuer').metadata).toEqual({ name: 'cockroachdb-issuer', namespace: 'cockroachdb' });
    expect(objects.filter((o) => o.kind === 'ClusterIssuer')).toEqual([]);
    expect(objects.find((o) => o.kind === 'ServiceAccount').metadata).toEqual({ name: 'cockroachdb-issuer', namespace: 'cockroachdb' });
    expect(objects.find((o) => o.kind === 'Role').metadata.namespace).toBe('cockroachdb');
    expect(objects.find((o) => o.kind === 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
    expect(issuer.issuerRef).toEqual({ name: 'cockroachdb-issuer', kind: 'Issuer', group: 'cert-manager.io' });
    expect(issuer.serviceAccount).toEqual({ name: 'cockroachdb-issuer', namespace: 'cockroachdb' });
  });
});
