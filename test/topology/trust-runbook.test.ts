import { describe, expect, it } from 'vitest';
import { trustRunbook } from '../../src/topology/trust-runbook';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';

const prod = topologyOf('environments/prod.yaml').environments[0]!;
const minimal = topologyOf(`${FIXTURE_ENVIRONMENTS}/minimal.yaml`).environments[0]!;
const fleet = topologyOf(`${FIXTURE_ENVIRONMENTS}/globalnet.yaml`).environments[0]!;

describe('trust runbook', () => {
  it('orders the one-shot steps of a Vault environment', () => {
    expect(trustRunbook(prod).map((s) => s.id)).toEqual(['root-ca', 'vault-seal-credentials', 'vault-running', 'vault-init', 'vault-config-operator-access', 'vault-pki-intermediate', 'vault-admin-access', 'vault-verify', 'mesh-ca']);
  });

  it('initializes once, on the bootstrap cluster, and expects every voter', () => {
    const init = trustRunbook(prod).find((s) => s.id === 'vault-init')!;
    expect(init.commands.filter((c) => c.includes('operator init'))).toHaveLength(1);
    expect(init.commands[0]).toContain('--context cluster1 -n vault port-forward pod/vault-0');
    expect(init.commands.join('\n')).toContain('expect 9 voters');
  });

  it('creates every cluster\'s auth mount and operator role, with the mount names of the bundle', () => {
    const access = trustRunbook(fleet).find((s) => s.id === 'vault-config-operator-access')!.commands.join('\n');
    for (const c of fleet.clusters) {
      expect(access).toContain(`auth enable -path=k8s-${c.name} kubernetes`);
      expect(access).toContain(`kubernetes_host=${c.server} `);
      expect(access).toContain(`policies=vault-config-operator-${c.name} `);
    }
  });

  it('asks for seal credentials by Secret name and key, never with values', () => {
    const seal = trustRunbook(fleet).find((s) => s.id === 'vault-seal-credentials')!;
    expect(seal.commands).toHaveLength(4);
    expect(seal.commands[0]).toBe('kubectl --context ams1 -n vault create secret generic transit-token --from-literal=VAULT_TOKEN="${VAULT_TOKEN:?export VAULT_TOKEN first}"');
  });

  it('only loads the root CA into cert-manager without Vault, then restarts istiod on its intermediate', () => {
    const steps = trustRunbook(minimal);
    expect(steps.map((s) => s.id)).toEqual(['root-ca', 'mesh-ca']);
    expect(steps[0]!.commands.filter((c) => c.includes('create secret'))).toEqual(minimal.clusters.map((c) => `kubectl --context ${c.name} -n cert-manager create secret tls root-ca --cert=root-ca.crt --key=root-ca.key`));
  });

  it('loads the root key pair only where a CA Issuer signs with it, and the certificate alone where a Vault issuer verifies Vault', () => {
    const root = trustRunbook(prod).find((s) => s.id === 'root-ca')!.commands.filter((c) => c.includes('create secret') && c.includes('--context cluster1 '));
    expect(root).toEqual([
      'kubectl --context cluster1 -n istio-system create secret tls meridian-root-ca --cert=root-ca.crt --key=root-ca.key',
      'kubectl --context cluster1 -n vault create secret tls meridian-root-ca --cert=root-ca.crt --key=root-ca.key',
      'kubectl --context cluster1 -n cert-manager create secret generic meridian-root-ca-bundle --from-file=ca.crt=root-ca.crt',
      'kubectl --context cluster1 -n cockroachdb create secret generic meridian-root-ca-bundle --from-file=ca.crt=root-ca.crt',
      'kubectl --context cluster1 -n shop create secret generic meridian-root-ca-bundle --from-file=ca.crt=root-ca.crt',
    ]);
  });

  it('restarts istiod once cacerts is issued, then the meshed workloads, in every cluster', () => {
    const mesh = trustRunbook(prod).find((s) => s.id === 'mesh-ca')!.commands;
    expect(mesh.filter((c) => c.includes('--context cluster2 '))).toEqual([
      'kubectl --context cluster2 -n istio-system wait certificate/istio-ca --for=condition=Ready --timeout=10m',
      'kubectl --context cluster2 -n istio-system rollout restart deployment -l app=istiod && kubectl --context cluster2 -n istio-system rollout status deployment -l app=istiod --timeout=10m',
      'kubectl --context cluster2 -n catalog rollout restart deployment',
      'kubectl --context cluster2 -n shop rollout restart deployment',
    ]);
  });
});
