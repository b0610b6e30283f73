import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTopology, clusterView, formatProblem, parseEnvironment, type Environment } from '../../src/topology';

function env(file: string): Environment {
  const source = `test/fixtures/environments/${file}`;
  return buildTopology([parseEnvironment(fs.readFileSync(source), source)]).environments[0]!;
}

describe('model defaults', () => {
  it('applies the documented defaults', () => {
    // GIVEN an environment that sets only required fields
    const e = env('minimal.yaml');
    // THEN
    expect(e.strategy).toBe('active-active');
    expect(e.argocd).toEqual({ repoURL: 'https://git.example.org/min.git', revision: 'main', namespace: 'argocd', project: 'meridian-minimal', ownProject: true, path: 'dist', rollout: 'one-cluster-at-a-time' });
    expect(e.submariner).toMatchObject({ brokerNamespace: 'submariner-k8s-broker', cableDriver: 'libreswan', natEnabled: false, globalnet: false });
    expect(e.pki).toEqual({ rootCASecret: 'root-ca', vaultPKIPath: 'pki', vaultRole: 'cert-manager', authMountPrefix: 'kubernetes-' });
    expect(e.services[0]).toMatchObject({ expose: 'clusterset', activeIn: ['east', 'west', 'north'], drainedIn: [], usesStores: [], usesServices: [] });
    expect(e.vault).toBeUndefined();
  });

  it('keeps clusters in file order and sorts services by name', () => {
    const e = env('globalnet.yaml');
    expect(e.clusters.map((c) => c.name)).toEqual(['ams1', 'fra1', 'par1', 'mad1']);
    expect(e.services.map((s) => s.name)).toEqual(['cart', 'web']);
  });
});

describe('replica split', () => {
  it('splits the total over activeIn with the remainder to the first clusters', () => {
    expect(env('minimal.yaml').services[0]!.replicasByCluster).toEqual({ east: 3, west: 2, north: 2 });
    const web = env('globalnet.yaml').services.find((s) => s.name === 'web')!;
    expect(web.replicasByCluster).toEqual({ ams1: 3, fra1: 3, par1: 2, mad1: 2 });
  });

  it('splits HPA bounds the same way and never below 1', () => {
    const cart = env('globalnet.yaml').services.find((s) => s.name === 'cart')!;
    expect(cart.autoscalingByCluster).toEqual({
      ams1: { minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercent: 80 },
      fra1: { minReplicas: 1, maxReplicas: 2, targetCPUUtilizationPercent: 80 },
      mad1: { minReplicas: 1, maxReplicas: 2, targetCPUUtilizationPercent: 80 },
    });
  });
});

describe('drain', () => {
  it('keeps a drained cluster active but not serving', () => {
    const web = env('globalnet.yaml').services.find((s) => s.name === 'web')!;
    expect(web.activeIn).toEqual(['ams1', 'fra1', 'par1', 'mad1']);
    expect(web.drainedIn).toEqual(['par1']);
    expect(web.servingIn).toEqual(['ams1', 'fra1', 'mad1']);
  });

  it('tells each cluster view whether the service is drained there', () => {
    const e = env('globalnet.yaml');
    const local = (c: string) => clusterView(e, c).localServices.find((l) => l.service.name === 'web')!;
    expect(local('par1')).toMatchObject({ drained: true, replicas: 2 });
    expect(local('ams1')).toMatchObject({ drained: false, replicas: 3 });
  });
});

describe('stores', () => {
  it('lists every peer of every cluster by clusterset name, identical for all clusters', () => {
    const e = env('globalnet.yaml');
    expect(e.cockroachdb!.peers.map((p) => p.host)).toEqual([
      'cockroachdb-0.ams1.cockroachdb.cockroachdb.svc.clusterset.local',
      'cockroachdb-1.ams1.cockroachdb.cockroachdb.svc.clusterset.local',
      'cockroachdb-0.fra1.cockroachdb.cockroachdb.svc.clusterset.local',
      'cockroachdb-1.fra1.cockroachdb.cockroachdb.svc.clusterset.local',
      'cockroachdb-0.par1.cockroachdb.cockroachdb.svc.clusterset.local',
      'cockroachdb-1.par1.cockroachdb.cockroachdb.svc.clusterset.local',
      'cockroachdb-0.mad1.cockroachdb.cockroachdb.svc.clusterset.local',
      'cockroachdb-1.mad1.cockroachdb.cockroachdb.svc.clusterset.local',
    ]);
    expect(e.vault!.peers.map((p) => p.host)).toEqual(['ams1', 'fra1', 'par1', 'mad1'].map((c) => `vault-0.${c}.vault-internal.vault.svc.clusterset.local`));
  });

  it('computes quorum and the clusters a store can lose', () => {
    const e = env('globalnet.yaml');
    expect(e.cockroachdb!.quorum).toEqual({ voters: 8, quorum: 5, clustersItCanLose: 1, votersPerCluster: { ams1: 2, fra1: 2, par1: 2, mad1: 2 } });
    expect(e.vault!.quorum).toMatchObject({ voters: 4, quorum: 3, clustersItCanLose: 1 });
  });
});

describe('globalnet', () => {
  it('turns on when CIDRs overlap and gives each cluster its own slice', () => {
    const e = env('globalnet.yaml');
    expect(e.submariner.globalnet).toBe(true);
    expect(e.clusters.map((c) => c.globalCIDR)).toEqual(['242.0.0.0/20', '242.0.16.0/20', '242.0.32.0/20', '242.0.48.0/20']);
  });

  it('stays off when every network is disjoint', () => {
    const e = env('minimal.yaml');
    expect(e.submariner.globalnet).toBe(false);
    expect(e.clusters.every((c) => c.globalCIDR === undefined)).toBe(true);
  });
});

describe('cluster views', () => {
  it('marks the bootstrap, broker and hub clusters', () => {
    const e = env('globalnet.yaml');
    const v = (c: string) => clusterView(e, c);
    expect([v('ams1').isBootstrap, v('fra1').isBootstrap]).toEqual([true, false]);
    expect([v('ams1').isBroker, v('fra1').isBroker]).toEqual([false, true]);
    expect([v('ams1').isHub, v('fra1').isHub]).toEqual([false, true]);
  });

  it('creates every service and store namespace in every cluster, meshing only service namespaces', () => {
    const e = env('globalnet.yaml');
    const v = clusterView(e, 'par1');
    expect(v.namespaces).toEqual(['cockroachdb', 'meridian-ingress', 'storefront', 'vault']);
    expect(v.meshNamespaces).toEqual(['meridian-ingress', 'storefront']);
    expect(v.sidecarNamespaces).toEqual(['storefront']);
    expect(clusterView(e, 'par1').localServices.map((l) => l.service.name)).toEqual(['web']);
  });

  it('adds the ingress namespace only where a global service runs, and the broker namespace only on the broker', () => {
    // GIVEN minimal (one clusterset service, broker east) and globalnet (a global service everywhere, broker fra1)
    const minimal = env('minimal.yaml');
    const fleet = env('globalnet.yaml');
    // THEN
    expect(clusterView(minimal, 'west').namespaces).toEqual(['api']);
    expect(clusterView(minimal, 'west').hasIngress).toBe(false);
    expect(clusterView(minimal, 'east').namespaces).toEqual(['api', 'submariner-k8s-broker']);
    expect(clusterView(minimal, 'east').meshNamespaces).toEqual(['api']);
    expect(clusterView(fleet, 'fra1').namespaces).toContain('submariner-k8s-broker');
    expect(clusterView(fleet, 'fra1').hasIngress).toBe(true);
    expect(clusterView(fleet, 'ams1').namespaces).not.toContain('submariner-k8s-broker');
  });

  it('never creates the Submariner operator namespace (the operator install owns it and runs privileged pods there)', () => {
    for (const e of [env('minimal.yaml'), env('globalnet.yaml'), env('active-passive.yaml')]) {
      for (const c of e.clusters) expect(clusterView(e, c.name).namespaces).not.toContain('submariner-operator');
    }
  });

  it('fails for a cluster of another environment', () => {
    expect(() => clusterView(env('minimal.yaml'), 'ams1')).toThrow(/cluster "ams1" is not part of environment minimal/);
  });
});

describe('warnings', () => {
  const load = (file: string, committed = {}) => buildTopology([parseEnvironment(fs.readFileSync(file), file)], committed);

  it('warns, located, when globalnet: auto switches globalnet on and when the voter count is even', () => {
    // fleet: four clusters with identical CIDRs and one Vault voter each
    const w = load('test/fixtures/environments/globalnet.yaml').warnings.map(formatProblem);
    expect(w).toEqual([
      'test/fixtures/environments/globalnet.yaml:18:3: submariner: globalnet: auto switches globalnet on because fra1 podCIDR 10.128.0.0/14 overlaps ams1 podCIDR 10.128.0.0/14: cross-cluster traffic uses addresses from 242.0.0.0/16 and NetworkPolicies allow those; set globalnet: true to make it explicit, or fix the CIDR',
      'test/fixtures/environments/globalnet.yaml:29:23: vault.replicasPerCluster: 4 Vault voters (even): quorum 3 tolerates 1 failures, as many as 3 voters would, while every write waits for one more acknowledgement; use an odd total',
    ]);
  });

  describe('seals outside AWS, for clusters in three regions', () => {
    // minimal.yaml with a Vault: east eu-west-1, west eu-west-2, north eu-north-1
    const withSeal = (seal: string): string[] => {
      const file = 'test/fixtures/environments/minimal.yaml';
      const text = `${fs.readFileSync(file, 'utf8')}vault:\n  replicasPerCluster: 1\n  image: hashicorp/vault:1.17.6\n  seal:\n    ${seal}\n`;
      return buildTopology([parseEnvironment(text, 'seal.yaml')]).warnings.map(formatProblem);
    };
    const gcp = (location: string): string => `gcpckms: { project: my-project-1, region: ${location}, keyRing: vault, cryptoKey: unseal, credentialsSecret: gcp-kms }`;

    it('warns, located at the location, when the Cloud KMS key ring lives in one region, naming it', () => {
      expect(withSeal(gcp('europe-west1'))).toEqual([
        'seal.yaml:24:47: vault.seal.gcpckms.region: key ring vault is in Cloud KMS location europe-west1, one region: losing region europe-west1 leaves every restarted Vault pod sealed in eu-west-1, eu-west-2, eu-north-1 as well (key material stays in its location, cloud.google.com/kms/docs/locations); create the key ring in location global or in a multi-region location that spans eu-west-1, eu-west-2, eu-north-1 (us, europe, asia, nam4, ...)',
      ]);
    });

    it('accepts a key ring in location global or a multi-region location', () => {
      for (const location of ['global', 'europe', 'eur4', 'nam-eur-asia1']) expect(withSeal(gcp(location))).toEqual([]);
    });

    it("warns about an Azure Key Vault: one region, and failover to the pair only when Microsoft starts it", () => {
      const azure = (extra: string): string => `azurekeyvault: { tenantId: 00000000-0000-0000-0000-000000000000, vaultName: meridian-kv, keyName: unseal, credentialsSecret: az${extra} }`;
      const [named] = withSeal(azure(', region: westeurope'));
      expect(named).toMatch(/^seal\.yaml:24:\d+: vault\.seal\.azurekeyvault\.region: Key Vault meridian-kv lives in region westeurope: losing region westeurope leaves every restarted Vault pod of eu-west-1, eu-west-2, eu-north-1 sealed until Microsoft fails the vault over to its paired region, which you cannot trigger/);
      const [unnamed] = withSeal(azure(''));
      expect(unnamed).toMatch(/vault\.seal\.azurekeyvault\.vaultName: Key Vault meridian-kv lives in its region \(set vault\.seal\.azurekeyvault\.region to name it\): losing the Key Vault's region/);
    });
  });

  it('has none for an environment without surprises', () => {
    expect(load('test/fixtures/environments/minimal.yaml').warnings).toEqual([]);
  });

  it('refuses globalnet switching on under auto when the committed output had it off, and allows it when it had it on', () => {
    const file = 'test/fixtures/environments/globalnet.yaml';
    expect(() => load(file, { globalnet: { fleet: false } })).toThrow(/submariner: globalnet: auto would switch globalnet on because .* but the committed output runs with globalnet off/);
    expect(load(file, { globalnet: { fleet: true } }).environments[0]!.submariner.globalnet).toBe(true);
  });
});
