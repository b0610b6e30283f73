import { describe, expect, it } from 'vitest';
import type { Seal } from '../../src/topology';
import {
  sealLossRegion,
  VAULT_STATEFULSET,
  vaultEgressPorts,
  vaultNodeId,
  vaultPeerNetworks,
  vaultPodAddressing,
  vaultRetryJoin,
  vaultSeal,
  awsKmsSealOf,
  vaultSealSecrets,
  vaultServerConfig,
  vaultServerDnsNames,
  vaultZoneSpreadRequired,
  renderVaultServerConfig,
} from '../../src/topology/vault';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';

const prod = topologyOf('environments/prod.yaml').environments[0]!;
const fleet = topologyOf(`${FIXTURE_ENVIRONMENTS}/globalnet.yaml`).environments[0]!;

describe('vault peers and addresses', () => {
  it('names pods like the StatefulSet does', () => {
    for (const p of prod.vault!.peers) expect(p.pod).toBe(`${VAULT_STATEFULSET}-${p.ordinal}`);
  });

  it('gives node IDs that are unique across clusters', () => {
    const ids = prod.vault!.peers.map(vaultNodeId);
    expect(new Set(ids).size).toBe(9);
    expect(ids.slice(0, 3)).toEqual(['vault-0-cluster1', 'vault-1-cluster1', 'vault-2-cluster1']);
  });

  it('per-pod templates expand to exactly the model values of each peer', () => {
    for (const p of prod.vault!.peers) {
      const a = vaultPodAddressing(prod.vault!, p.cluster);
      const expand = (t: string): string => t.replace('$(HOSTNAME)', p.pod);
      expect(expand(a.nodeId)).toBe(vaultNodeId(p));
      expect(expand(a.apiAddr)).toBe(`https://${p.host}:8200`);
      expect(expand(a.clusterAddr)).toBe(`https://${p.host}:8201`);
    }
  });

  it('puts one retry_join per pod of every cluster, on the clusterset names', () => {
    const joins = vaultRetryJoin(fleet.vault!);
    expect(joins.map((j) => j.leader_api_addr)).toEqual(['ams1', 'fra1', 'par1', 'mad1'].map((c) => `https://vault-0.${c}.vault-internal.vault.svc.clusterset.local:8200`));
  });

  it('lists every clusterset pod name and the local names in the server certificate', () => {
    const sans = vaultServerDnsNames(prod.vault!, 'vault');
    for (const p of prod.vault!.peers) expect(sans).toContain(p.host);
    expect(sans).toEqual(expect.arrayContaining(['vault-2.vault-internal', 'vault-2.vault-internal.vault.svc', 'vault-2.vault-internal.vault.svc.cluster.local', 'vault', 'vault.vault.svc', 'vault.vault.svc.cluster.local']));
    expect(sans).toHaveLength(9 + 3 * 3 + 3);
  });
});

describe('vault server configuration', () => {
  it('is plain JSON with TLS, raft, the seal and kubernetes service registration', () => {
    const config = vaultServerConfig(prod.vault!);
    const parsed = JSON.parse(renderVaultServerConfig(config));
    expect(parsed).toEqual(config);
    expect(parsed.listener[0].tcp).toMatchObject({ tls_cert_file: '/vault/tls/tls.crt', tls_key_file: '/vault/tls/tls.key', tls_client_ca_file: '/vault/tls/ca.crt' });
    expect(parsed.listener[0].tcp.tls_disable).toBeUndefined();
    expect(parsed.storage.raft.retry_join).toHaveLength(9);
    expect(parsed.service_registration).toEqual({ kubernetes: { namespace: 'vault' } });
    expect(parsed.disable_mlock).toBe(true);
  });
});

describe('vault seal', () => {
  const cases: [string, Seal, unknown, string[], string[]][] = [
    ['awskms with a Secret', { awskms: { region: 'eu-west-1', kmsKeyId: 'k', credentialsSecret: 'aws' } }, { awskms: { region: 'eu-west-1', kms_key_id: 'k' } }, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], []],
    ['awskms with IRSA', { awskms: { region: 'eu-west-1', kmsKeyId: 'k' } }, { awskms: { region: 'eu-west-1', kms_key_id: 'k' } }, [], []],
    ['transit', { transit: { address: 'https://t.example:8200', keyName: 'key', tokenSecret: 'tok' } }, { transit: { address: 'https://t.example:8200', key_name: 'key', mount_path: 'transit/' } }, ['VAULT_TOKEN'], []],
    [
      'gcpckms',
      { gcpckms: { project: 'my-project', region: 'global', keyRing: 'ring', cryptoKey: 'key', credentialsSecret: 'gcp' } },
      { gcpckms: { project: 'my-project', region: 'global', key_ring: 'ring', crypto_key: 'key', credentials: '/vault/seal/credentials.json' } },
      [],
      ['/vault/seal/credentials.json'],
    ],
    [
      'azurekeyvault',
      { azurekeyvault: { tenantId: '00000000-0000-0000-0000-000000000000', vaultName: 'kv', keyName: 'key', credentialsSecret: 'az' } },
      { azurekeyvault: { tenant_id: '00000000-0000-0000-0000-000000000000', vault_name: 'kv', key_name: 'key' } },
      ['AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'],
      [],
    ],
  ];
  it.each(cases)('%s: the stanza holds settings, credentials come from Secrets', (_name, seal, stanza, env, files) => {
    const w = vaultSeal(seal);
    expect(w.stanza).toEqual(stanza);
    expect(w.env.map((e) => e.name)).toEqual(env);
    expect(w.files.map((f) => f.path)).toEqual(files);
    expect(JSON.stringify(w.stanza)).not.toMatch(/secret|token/i);
  });

  it('lists the Secrets the pods reference', () => {
    expect(vaultSealSecrets({ azurekeyvault: { tenantId: '00000000-0000-0000-0000-000000000000', vaultName: 'kv', keyName: 'k', credentialsSecret: 'az' } })).toEqual(['az']);
  });

  it('fails for a seal of no known type', () => {
    expect(() => vaultSeal({} as Seal)).toThrow(/none of awskms, transit, gcpckms, azurekeyvault/);
  });
});

describe('vault network and placement', () => {
  it("takes peers from the other clusters' pod CIDRs, or their global CIDRs with globalnet, never the own cluster's", () => {
    expect(vaultPeerNetworks(prod, 'cluster1')).toEqual(['10.132.0.0/14', '10.136.0.0/14']);
    const [own, ...others] = fleet.clusters;
    expect(vaultPeerNetworks(fleet, own!.name)).toEqual(others.map((c) => c.globalCIDR));
    expect(vaultPeerNetworks(fleet, own!.name)).not.toContain(own!.globalCIDR);
    expect(new Set(vaultPeerNetworks(fleet, own!.name)).size).toBe(fleet.clusters.length - 1);
  });

  it('dials HTTPS, every API server port and the transit seal port', () => {
    expect(vaultEgressPorts({ clusters: prod.clusters, vault: prod.vault! })).toEqual([443, 6443]);
    expect(vaultEgressPorts({ clusters: fleet.clusters, vault: fleet.vault! })).toEqual([443, 8200]);
  });

  it('requires one pod per zone only when there are enough zones', () => {
    expect(vaultZoneSpreadRequired({ zones: ['a', 'b', 'c'] }, 3)).toBe(true);
    expect(vaultZoneSpreadRequired({ zones: ['a', 'b'] }, 3)).toBe(false);
    expect(vaultZoneSpreadRequired({ zones: [] }, 1)).toBe(false);
  });
});

describe('awskms seal per cluster', () => {
  const mrk = 'mrk-1234abcd12ab34cd56ef1234567890ab';
  it('uses a multi-Region key in the cluster\'s own region: the same key ID, or its ARN with that Region', () => {
    expect(awsKmsSealOf({ region: 'us-east-1', kmsKeyId: mrk }, 'us-west-2')).toEqual({ region: 'us-west-2', kms_key_id: mrk });
    expect(awsKmsSealOf({ region: 'us-east-1', kmsKeyId: `arn:aws:kms:us-east-1:111122223333:key/${mrk}` }, 'eu-west-1')).toEqual({ region: 'eu-west-1', kms_key_id: `arn:aws:kms:eu-west-1:111122223333:key/${mrk}` });
  });

  it('keeps a single-Region key or an alias in its one region, unless the cluster\'s region has its own key', () => {
    const seal = { region: 'us-east-1', kmsKeyId: 'alias/meridian-vault', keys: { 'us-west-2': 'alias/vault-west' } };
    expect(awsKmsSealOf(seal, 'us-east-2')).toEqual({ region: 'us-east-1', kms_key_id: 'alias/meridian-vault' });
    expect(awsKmsSealOf(seal, 'us-west-2')).toEqual({ region: 'us-west-2', kms_key_id: 'alias/vault-west' });
  });
});

describe('sealLossRegion', () => {
  const regions = ['us-east-1', 'us-west-2'];
  it('names the one region a seal key depends on, and nothing for a seal that survives a region', () => {
    expect(sealLossRegion({ awskms: { region: 'us-east-1', kmsKeyId: 'alias/v' } } as Seal, regions)).toEqual({ region: 'us-east-1' });
    expect(sealLossRegion({ awskms: { region: 'us-east-1', kmsKeyId: 'mrk-1234abcd12ab34cd56ef1234567890ab' } } as Seal, regions)).toBeUndefined();
    expect(sealLossRegion({ awskms: { region: 'us-east-1', kmsKeyId: 'alias/v', keys: { 'us-east-1': 'alias/a', 'us-west-2': 'alias/b' } } } as Seal, regions)).toBeUndefined();
    const gcp = (region: string) => ({ gcpckms: { project: 'my-project', region, keyRing: 'r', cryptoKey: 'k', credentialsSecret: 'gcp' } }) as Seal;
    expect(sealLossRegion(gcp('us-east1'), regions)).toEqual({ region: 'us-east1' });
    expect(sealLossRegion(gcp('global'), regions)).toBeUndefined();
    expect(sealLossRegion(gcp('nam4'), regions)).toBeUndefined();
    expect(sealLossRegion({ azurekeyvault: { tenantId: '00000000-0000-0000-0000-000000000000', vaultName: 'kv', keyName: 'k', region: 'eastus', credentialsSecret: 'az' } } as Seal, regions)).toEqual({ region: 'eastus' });
    expect(sealLossRegion({ transit: { address: 'https://t.example.org', keyName: 'k', tokenSecret: 't' } } as Seal, regions)).toBeUndefined();
    // one region: there is no other region to survive in
    expect(sealLossRegion(gcp('us-east1'), ['us-east1'])).toBeUndefined();
  });
});
