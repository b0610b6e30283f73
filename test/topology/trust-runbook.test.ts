import { describe, expect, it } from 'vitest';
import { reviewerRotationCommands, trustRunbook } from '../../src/topology/trust-runbook';
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

  it("configures every auth mount with a reviewer token that does not expire and the CA that verifies the cluster's API URL", () => {
    const access = trustRunbook(prod).find((s) => s.id === 'vault-config-operator-access')!.commands;
    const c2 = access.filter((c) => c.includes('cluster2'));
    expect(c2).toContain('kubectl --context cluster2 -n vault create secret generic vault-token --type=kubernetes.io/service-account-token --dry-run=client -o yaml | kubectl annotate --local -f - kubernetes.io/service-account.name=vault -o yaml | kubectl --context cluster2 -n vault apply -f -');
    expect(c2).toContain(`kubectl config view --raw --minify --context cluster2 -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > "$D/cluster2-api-ca.crt"`);
    const write = c2.find((c) => c.includes('vault write auth/kubernetes-cluster2/config'))!;
    expect(write).toMatch(/^if curl -sS -o \/dev\/null --cacert "\$D\/cluster2-api-ca.crt" https:\/\/api.cluster2.example.com:6443\/version; then /);
    expect(write).toContain('kubernetes_ca_cert=@"$D/cluster2-api-ca.crt" token_reviewer_jwt=@"$D/cluster2-reviewer.jwt"');
    // never a short-lived token, never a secret on a command line
    expect(access.join('\n')).not.toMatch(/create token vault|--duration/);
  });

  it('rotates a reviewer token through a second Secret, so logins never fail in between', () => {
    const rotation = reviewerRotationCommands(prod, prod.vault!, prod.clusters[1]!);
    const creates = rotation.filter((c) => c.includes('create secret generic')).map((c) => /create secret generic (\S+)/.exec(c)![1]);
    expect(creates).toEqual(['vault-token-next', 'vault-token']);
    const writes = rotation.map((c, i) => (c.includes('vault write auth/kubernetes-cluster2/config') ? i : -1)).filter((i) => i >= 0);
    const deleteOld = rotation.findIndex((c) => c.startsWith('kubectl --context cluster2 -n vault delete secret vault-token '));
    expect(writes).toHaveLength(2);
    expect(writes[0]).toBeLessThan(deleteOld);
    expect(deleteOld).toBeLessThan(writes[1]!);
    expect(rotation.at(-1)).toBe('kubectl --context cluster2 -n vault delete secret vault-token-next');
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
      'for d in $(kubectl --context cluster2 -n catalog get deployment -o name); do kubectl --context cluster2 -n catalog rollout restart "$d"; done',
      'for d in $(kubectl --context cluster2 -n shop get deployment -o name); do kubectl --context cluster2 -n shop rollout restart "$d"; done',
    ]);
  });
});
