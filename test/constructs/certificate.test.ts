import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CaCertificate, Certificate, KeyUsage } from '../../src/constructs/certificate';
import { CaIssuer, clusterIssuer } from '../../src/constructs/issuer';

describe('Certificate', () => {
  it('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Certificate(chart, 'Cert', { name: 'web', namespace: 'shop', secretName: 'web-tls', issuer: clusterIssuer('issuer'), dnsNames: ['web.shop.svc'], usages: [KeyUsage.SERVER_AUTH] });
    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  it('writes only the Secret name, an ECDSA key rotated on renewal and digital signature usage', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Certificate(chart, 'Cert', { name: 'c', namespace: 'n', secretName: 's', issuer: clusterIssuer('i'), dnsNames: ['c'], usages: [KeyUsage.CLIENT_AUTH, KeyUsage.CLIENT_AUTH] });
    // THEN
    const [cert] = Testing.synth(chart);
    expect(cert.spec).toEqual({
      secretName: 's',
      issuerRef: { name: 'i', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      dnsNames: ['c'],
      usages: ['digital signature', 'client auth'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    });
  });

  it('may use a namespaced Issuer of its own namespace', () => {
    // GIVEN
    const chart = Testing.chart();
    const issuer = new CaIssuer(chart, 'Ca', { name: 'ca', namespace: 'vault', secretName: 'root' });
    // WHEN
    new Certificate(chart, 'Cert', { name: 'c', namespace: 'vault', secretName: 's', issuer, dnsNames: ['c'], usages: [KeyUsage.SERVER_AUTH] });
    // THEN
    expect(Testing.synth(chart)[1].spec.issuerRef).toEqual({ name: 'ca', kind: 'Issuer', group: 'cert-manager.io' });
  });

  it('fails with a namespaced Issuer of another namespace', () => {
    // GIVEN
    const chart = Testing.chart();
    const issuer = new CaIssuer(chart, 'Ca', { name: 'ca', namespace: 'vault', secretName: 'root' });
    // WHEN / THEN
    expect(() => new Certificate(chart, 'Cert', { name: 'c', namespace: 'shop', secretName: 's', issuer, dnsNames: ['c'], usages: [KeyUsage.SERVER_AUTH] })).toThrow(
      /cannot use Issuer ca of namespace vault/,
    );
  });

  it('fails on a DNS name that is not one', () => {
    const chart = Testing.chart();
    expect(() => new Certificate(chart, 'Cert', { name: 'c', namespace: 'n', secretName: 's', issuer: clusterIssuer('i'), dnsNames: ['Not_A_Name'], usages: [KeyUsage.SERVER_AUTH] })).toThrow(/"Not_A_Name" is not a DNS name/);
  });

  it('fails on a duplicate DNS name', () => {
    const chart = Testing.chart();
    expect(() => new Certificate(chart, 'Cert', { name: 'c', namespace: 'n', secretName: 's', issuer: clusterIssuer('i'), dnsNames: ['a.b', 'a.b'], usages: [KeyUsage.SERVER_AUTH] })).toThrow(/"a.b" is listed twice/);
  });

  it('writes no commonName, so a valid 253-character host name is accepted (RFC 5280 caps a CN at 64)', () => {
    const chart = Testing.chart();
    const host = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    new Certificate(chart, 'Cert', { name: 'c', namespace: 'n', secretName: 's', issuer: clusterIssuer('i'), dnsNames: [host], usages: [KeyUsage.SERVER_AUTH] });
    const [cert] = Testing.synth(chart);
    expect(host).toHaveLength(253);
    expect(cert.spec.commonName).toBeUndefined();
    expect(cert.spec.dnsNames).toEqual([host]);
  });

  it('carries URI names for identities that are not hosts', () => {
    const chart = Testing.chart();
    new Certificate(chart, 'Cert', { name: 'c', namespace: 'n', secretName: 's', issuer: clusterIssuer('i'), uris: ['spiffe://cluster.local/ns/n/sa/a'], usages: [KeyUsage.CLIENT_AUTH] });
    expect(Testing.synth(chart)[0].spec.uris).toEqual(['spiffe://cluster.local/ns/n/sa/a']);
  });

  it('fails without any name (cert-manager refuses a Certificate with no identity)', () => {
    const chart = Testing.chart();
    expect(() => new Certificate(chart, 'Cert', { name: 'c', namespace: 'n', secretName: 's', issuer: clusterIssuer('i'), usages: [KeyUsage.SERVER_AUTH] })).toThrow(/at least one DNS name or URI/);
  });

  it('fails without a usage', () => {
    const chart = Testing.chart();
    expect(() => new Certificate(chart, 'Cert', { name: 'c', namespace: 'n', secretName: 's', issuer: clusterIssuer('i'), dnsNames: ['c'], usages: [] })).toThrow(/at least one key usage/);
  });
});

describe('CaCertificate', () => {
  it('is an isCA certificate with the CA key usages and a named subject', () => {
    const chart = Testing.chart();
    const issuer = new CaIssuer(chart, 'Root', { name: 'root', namespace: 'istio-system', secretName: 'root-ca' });
    new CaCertificate(chart, 'Ca', { name: 'istio-ca', namespace: 'istio-system', secretName: 'cacerts', issuer, commonName: 'mesh CA east', duration: '8760h', renewBefore: '2920h' });
    const cert = Testing.synth(chart).find((o) => o.kind === 'Certificate');
    expect(cert.spec).toEqual({
      secretName: 'cacerts',
      issuerRef: { name: 'root', kind: 'Issuer', group: 'cert-manager.io' },
      isCA: true,
      commonName: 'mesh CA east',
      duration: '8760h',
      renewBefore: '2920h',
      usages: ['digital signature', 'cert sign', 'crl sign'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    });
  });

  it('refuses an Issuer of another namespace and an overlong subject', () => {
    const chart = Testing.chart();
    const issuer = new CaIssuer(chart, 'Root', { name: 'root', namespace: 'vault', secretName: 'root-ca' });
    expect(() => new CaCertificate(chart, 'A', { name: 'a', namespace: 'istio-system', secretName: 'cacerts', issuer, commonName: 'x', duration: '1h', renewBefore: '5m' })).toThrow(/only signs in its own namespace/);
    expect(() => new CaCertificate(chart, 'B', { name: 'b', namespace: 'istio-system', secretName: 'cacerts', issuer: clusterIssuer('root'), commonName: 'x'.repeat(65), duration: '1h', renewBefore: '5m' })).toThrow(/1 to 64 characters/);
  });
});
