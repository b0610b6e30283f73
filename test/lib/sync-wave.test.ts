import { describe, expect, it } from 'vitest';
import { Wave, waveOf, waveOfObject } from '../../src/lib/sync-wave';

describe('waveOfObject', () => {
  it('keeps the kind wave for ordinary objects', () => {
    expect(waveOfObject({ kind: 'Certificate', spec: { issuerRef: { name: 'meridian-root-ca', kind: 'ClusterIssuer' } } })).toBe(waveOf('Certificate'));
    expect(waveOfObject({ kind: 'ClusterIssuer', metadata: { name: 'meridian-root-ca' } })).toBe(Wave.ISSUERS);
    expect(waveOfObject({ apiVersion: 'redhatcop.redhat.io/v1alpha1', kind: 'GlobalDNSRecord' })).toBe(Wave.ROUTES);
  });

  it('moves what waits for an initialized Vault to the workloads wave', () => {
    expect(waveOfObject({ kind: 'ClusterIssuer', metadata: { name: 'vault-issuer' } })).toBe(Wave.WORKLOADS);
    expect(waveOfObject({ kind: 'Certificate', spec: { issuerRef: { name: 'vault-issuer', kind: 'ClusterIssuer' } } })).toBe(Wave.WORKLOADS);
    expect(waveOfObject({ apiVersion: 'redhatcop.redhat.io/v1alpha1', kind: 'PKISecretEngineRole' })).toBe(Wave.WORKLOADS);
    expect(waveOf('StatefulSet')).toBe(Wave.WORKLOADS);
  });

  it('leaves a namespaced Issuer that happens to share the name alone', () => {
    expect(waveOfObject({ kind: 'Certificate', spec: { issuerRef: { name: 'vault-issuer', kind: 'Issuer' } } })).toBe(Wave.CERTIFICATES);
  });
});
