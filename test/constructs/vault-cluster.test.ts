import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { VaultCluster, ZoneSpread, type VaultClusterProps } from '../../src/constructs/vault-cluster';
import { validateManifest } from '../../src/validate/schema';

const props: VaultClusterProps = {
  namespace: 'vault',
  image: 'hashicorp/vault:1.17.6',
  replicas: 3,
  storageGiB: 10,
  name: 'vault',
  headlessService: 'vault-internal',
  clientService: 'vault',
  serviceAccount: 'vault',
  configMap: 'vault-config',
  configFile: { key: 'vault.json', content: '{}\n' },
  tlsSecret: 'vault-tls',
  addressing: { nodeId: '$(HOSTNAME)-east', apiAddr: 'https://$(HOSTNAME).east:8200', clusterAddr: 'https://$(HOSTNAME).east:8201', localAddr: 'https://$(HOSTNAME).vault-internal.vault.svc:8200' },
  sealEnv: [{ name: 'VAULT_TOKEN', secret: 'transit', key: 'VAULT_TOKEN' }],
  sealFiles: [],
  zoneSpread: ZoneSpread.REQUIRED,
  clientNamespaces: ['cert-manager', 'shop'],
  peerNetworks: ['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16'],
  egressPorts: [443, 6443],
  podSecurity: { ids: { runAsUser: 100, runAsGroup: 1000, fsGroup: 1000 } },
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53] },
};

function synth(p: VaultClusterProps = props): any[] {
  const chart = Testing.chart();
  new VaultCluster(chart, 'Vault', p);
  return Testing.synth(chart);
}

const statefulSet = (objects: any[]) => objects.find((o) => o.kind === 'StatefulSet');

describe('VaultCluster', () => {
  it('defaults', () => {
    const objects = synth();
    expect(objects).toMatchSnapshot();
    for (const o of objects) expect(validateManifest(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  });

  it('defines HOSTNAME before the per-pod values that reference it', () => {
    // GIVEN / WHEN
    const env: { name: string; value?: string }[] = statefulSet(synth()).spec.template.spec.containers[0].env;
    // THEN
    const first = env.findIndex((e) => e.value?.includes('$(HOSTNAME)'));
    expect(env.findIndex((e) => e.name === 'HOSTNAME')).toBeLessThan(first);
    expect(env.find((e) => e.name === 'VAULT_RAFT_NODE_ID')!.value).toBe('$(HOSTNAME)-east');
  });

  it('mounts seal credential files from their Secret under the seal directory', () => {
    const objects = synth({ ...props, sealEnv: [], sealFiles: [{ secret: 'gcp', key: 'credentials.json', path: '/vault/seal/credentials.json' }] });
    const pod = statefulSet(objects).spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === 'seal').projected.sources).toEqual([{ secret: { name: 'gcp', items: [{ key: 'credentials.json', path: 'credentials.json' }] } }]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'seal', mountPath: '/vault/seal', readOnly: true });
    expect(statefulSet(objects).metadata.annotations['secret.reloader.stakater.com/reload']).toBe('vault-tls,gcp');
  });

  it('prefers zones and requires separate nodes when zones are fewer than pods', () => {
    const anti = statefulSet(synth({ ...props, zoneSpread: ZoneSpread.PREFERRED })).spec.template.spec.affinity.podAntiAffinity;
    expect(anti.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(anti.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('topology.kubernetes.io/zone');
  });

  it('drops the client rule when no namespace calls Vault', () => {
    const policy = synth({ ...props, clientNamespaces: [] }).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'vault');
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8200, 8201]);
  });

  it('binds its ServiceAccount to system:auth-delegator and keeps at most one pod down', () => {
    const objects = synth();
    expect(objects.find((o) => o.kind === 'ClusterRoleBinding').roleRef.name).toBe('system:auth-delegator');
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  it('admits local peers by pod selector and remote peers by their networks only', () => {
    const chart = Testing.chart();
    new VaultCluster(chart, 'Vault', { ...props, peerNetworks: [] });
    const policy = Testing.synth(chart).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === props.name);
    const peers = policy.spec.ingress.at(-1).from;
    expect(peers).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'vault', 'app.kubernetes.io/instance': props.name } } }]);
  });

  it('fails without replicas', () => {
    const chart = Testing.chart();
    expect(() => new VaultCluster(chart, 'Vault', { ...props, replicas: 0 })).toThrow(/at least one replica/);
  });

  it('fails on a seal file outside the seal directory', () => {
    const chart = Testing.chart();
    expect(() => new VaultCluster(chart, 'Vault', { ...props, sealFiles: [{ secret: 's', key: 'k', path: '/etc/k' }] })).toThrow(/must be under \/vault\/seal\//);
  });
});
