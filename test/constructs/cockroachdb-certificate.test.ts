import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CockroachDbCertificate, CockroachDbIdentity, type CockroachDbCertificateProps } from '../../src/constructs/cockroachdb-certificate';

const issuer = { kind: 'ClusterIssuer', name: 'vault-issuer', group: 'cert-manager.io' };

function cert(props: CockroachDbCertificateProps): any {
  const chart = Testing.chart();
  new CockroachDbCertificate(chart, 'Cert', props);
  return Testing.synth(chart)[0];
}
const node = (extra: Partial<CockroachDbCertificateProps> = {}) =>
  cert({ name: 'node', namespace: 'crdb', secretName: 'node-tls', identity: CockroachDbIdentity.NODE, dnsNames: ['a', 'localhost'], issuer, ...extra });
const client = (extra: Partial<CockroachDbCertificateProps> = {}) =>
  cert({ name: 'shop-client', namespace: 'shop', secretName: 'shop-tls', identity: CockroachDbIdentity.CLIENT, user: 'shop', issuer, ...extra });

describe('CockroachDbCertificate', () => {
  it('defaults', () => {
    expect([node(), client()]).toMatchSnapshot();
  });

  it('issues the node certificate as CN node for server and client auth', () => {
    const spec = node().spec;
    expect(spec).toMatchObject({ commonName: 'node', dnsNames: ['a', 'localhost'], secretName: 'node-tls', issuerRef: issuer });
    expect(spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
  });

  it('issues a client certificate as CN <user> for client auth only, in the client namespace', () => {
    const c = client();
    expect(c.metadata.namespace).toBe('shop');
    expect(c.spec.commonName).toBe('shop');
    expect(c.spec.usages).toContain('client auth');
    expect(c.spec.usages).not.toContain('server auth');
    expect(c.spec.dnsNames).toBeUndefined();
  });

  it('fails a node certificate without names', () => {
    expect(() => node({ dnsNames: [] })).toThrow(/needs the names peers and clients dial/);
  });

  it('fails a node certificate with a user', () => {
    expect(() => node({ user: 'root' })).toThrow(/has CN "node"/);
  });

  it('fails a client certificate without a user', () => {
    expect(() => client({ user: undefined })).toThrow(/needs the SQL user/);
  });

  it('fails a client certificate with DNS names', () => {
    expect(() => client({ dnsNames: ['x'] })).toThrow(/carries no DNS names/);
  });
});
