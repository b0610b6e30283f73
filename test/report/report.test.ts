import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupSql } from '../../src/topology/cockroachdb';
import { loadTopology, synthToDisk } from '../../src/main';
import { buildReport, renderReport, reportFile } from '../../src/report';
import { synthesize } from '../../src/synth/synthesize';
import { buildTopology, parseEnvironment } from '../../src/topology';
import { readTree, topologyOf, twoEnvironmentWorkspace } from '../helpers';

/** ZONE survival, three one-zone clusters in the home region and one in another. */
const zoneSurvival = `
name: zonal
globalDomain: zonal.example.org
argocd: { repoURL: https://git.example.org/z.git }
clusters:
  - { name: a, region: eu-west-1, zones: [eu-west-1a], server: https://a.example.org:6443, podCIDR: 10.0.0.0/16, serviceCIDR: 10.100.0.0/16 }
  - { name: b, region: eu-west-1, zones: [eu-west-1b], server: https://b.example.org:6443, podCIDR: 10.1.0.0/16, serviceCIDR: 10.101.0.0/16 }
  - { name: c, region: eu-west-1, zones: [eu-west-1c], server: https://c.example.org:6443, podCIDR: 10.2.0.0/16, serviceCIDR: 10.102.0.0/16 }
  - { name: d, region: eu-north-1, zones: [eu-north-1a], server: https://d.example.org:6443, podCIDR: 10.3.0.0/16, serviceCIDR: 10.103.0.0/16 }
submariner: { broker: a, brokerApiServer: a.example.org:6443, brokerSecret: broker, ipsecPSKSecret: psk }
pki: { rootCASecret: root-ca }
cockroachdb: { replicasPerCluster: 1, image: cockroachdb/cockroach:v24.2.4, survivalGoal: zone }
`;
const prod = buildReport(loadTopology('environments').environments.find((e) => e.name === 'prod')!);
const dr = buildReport(topologyOf('test/fixtures/environments/active-passive.yaml').environments[0]!);
const fleet = buildReport(topologyOf('test/fixtures/environments/globalnet.yaml').environments[0]!);
const commands = (r: typeof prod, id: string): string[] => r.runbook.find((s) => s.id === id)?.commands.slice() ?? [];

describe('report of the default environment (prod)', () => {
  it('lists the clusters, their regions and roles, and a tunnel between every pair', () => {
    expect(prod.clusters.map((c) => [c.name, c.region, c.bootstrap, c.broker, c.gslbHub])).toEqual([
      ['cluster1', 'us-east-1', true, true, true],
      ['cluster2', 'us-east-2', false, false, false],
      ['cluster3', 'us-west-2', false, false, false],
    ]);
    expect(prod.regions).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    expect(prod.tunnels).toMatchObject({ cableDriver: 'libreswan', globalnet: false, pairs: [['cluster1', 'cluster2'], ['cluster1', 'cluster3'], ['cluster2', 'cluster3']] });
  });

  it('models Vault as one Raft group and CockroachDB per range, with what each survives', () => {
    expect(prod.stores.map((s) => ({ kind: s.kind, per: s.votersPerCluster, members: s.members, voters: s.voters, quorum: s.quorum, voters_lost: s.votersItCanLose, clusters_lost: s.clustersItCanLose }))).toEqual([
      { kind: 'vault', per: { cluster1: 3, cluster2: 3, cluster3: 3 }, members: 9, voters: 9, quorum: 5, voters_lost: 4, clusters_lost: 1 },
      // REGION survival: 5 voters per range (2 home + 3 elsewhere), not one group of 9
      { kind: 'cockroachdb', per: { cluster1: 3, cluster2: 3, cluster3: 3 }, members: 9, voters: 5, quorum: 3, voters_lost: 2, clusters_lost: 1 },
    ]);
    for (const s of prod.stores) {
      expect(s.rpo).toMatch(/^0 for committed writes/);
      expect(s.rto).not.toMatch(/GSLB/); // no store sits behind the GSLB
      expect(s.survival.filter((r) => r.kind !== 'cluster+zone').every((r) => r.survives)).toBe(true);
    }
    // in combination: Vault keeps 5 of 9 after a cluster and a zone elsewhere; CockroachDB nodes carry
    // no zone tier in prod, so a zone elsewhere may hold a second range's worth of voters
    expect(prod.stores.map((s) => s.survival.find((r) => r.kind === 'cluster+zone'))).toEqual([
      { kind: 'cluster+zone', name: 'cluster cluster1 + zone us-east-2a', survives: true, arithmetic: '9 voters, quorum 5; the worst cluster with a zone elsewhere loses 4 → 5 left ≥ 5' },
      { kind: 'cluster+zone', name: 'cluster cluster1 + zone us-east-2a', survives: false, arithmetic: 'range homed in us-east-1: 5 voters, quorum 3; the worst cluster with a zone elsewhere loses 4 → 1 left < 3' },
    ]);
    expect(prod.stores[0]!.survival.find((r) => r.kind === 'cluster' && r.name === 'cluster1')!.arithmetic).toBe('9 voters, quorum 5; worst case loses 3 → 6 left ≥ 5');
    // Vault spreads one pod per zone (3 zones, 3 pods): a zone takes one voter
    expect(prod.stores[0]!.survival.find((r) => r.kind === 'zone' && r.name === 'us-east-1a')!.arithmetic).toBe('9 voters, quorum 5; worst case loses 1 → 8 left ≥ 5');
    expect(prod.stores[1]!.survival.find((r) => r.kind === 'region' && r.name === 'us-east-1')!.arithmetic).toBe(
      'range homed in us-east-1: 5 voters (2 in us-east-1, 3 in other regions), quorum 3; worst case loses 2 → 3 left ≥ 3',
    );
    expect(prod.stores[1]).toMatchObject({ survivalGoal: 'region', databases: ['shop'], primaryRegion: 'us-east-1' });
    expect(prod.stores[1]!.rto).toContain('under 9 s');
  });

  it('does not claim that zone survival survives the loss of the home region', () => {
    const zone = buildReport(buildTopology([parseEnvironment(zoneSurvival, 'zone.yaml')]).environments[0]!);
    const crdb = zone.stores.find((s) => s.kind === 'cockroachdb')!;
    expect(crdb.survivalGoal).toBe('zone');
    // one zone per cluster: localities get a zone tier and the 3 home voters sit in 3 zones
    expect(crdb.survival.find((r) => r.kind === 'zone' && r.name === 'eu-west-1a')!.arithmetic).toBe('range homed in eu-west-1: 3 voters (3 in eu-west-1), quorum 2; worst case loses 1 → 2 left ≥ 2');
    // a second region's clusters hold only non-voters of ranges homed in eu-west-1
    expect(crdb.survival.find((r) => r.kind === 'region' && r.name === 'eu-north-1')).toMatchObject({ survives: true, homesLost: ['eu-north-1'] });
    const home = crdb.survival.find((r) => r.kind === 'region' && r.name === crdb.primaryRegion)!;
    expect(home.survives).toBe(false);
    expect(home.arithmetic).toMatch(/worst case loses 3 → 0 left < 2$/);
    expect(crdb.clustersItCanLose).toBe(0);
    expect(crdb.rto).toMatch(/writes stop until that region returns/);
  });

  it('names the control-plane dependencies and what stops while their cluster is lost', () => {
    expect(prod.controlPlane.map((d) => [d.component, d.cluster, d.sharesClusterWith])).toEqual([
      ['Submariner broker', 'cluster1', ['vault', 'cockroachdb', 'catalog', 'shop']],
      ['GSLB controller (global-load-balancer-operator)', 'cluster1', ['vault', 'cockroachdb', 'catalog', 'shop']],
    ]);
    expect(prod.controlPlane[0]!.whenLost).toMatch(/^existing tunnels .* keep working; changes stop propagating/);
    expect(prod.controlPlane[1]!.whenLost).toMatch(/health checks keep dropping dead regions, but record changes stop/);
  });

  it('states the capacity left after losing the serving cluster with the most replicas', () => {
    expect(prod.services.map((s) => [s.name, s.capacity])).toEqual([
      ['catalog', '2 of 3 (replicas): without cluster1 (1), cluster2 1 + cluster3 1'],
      ['shop', '8 of 12 (HPA maxReplicas): without cluster1 (4), cluster2 4 + cluster3 4'],
    ]);
  });

  it('says where each service runs, is drained, and how its replicas split', () => {
    expect(prod.services.map((s) => [s.name, s.expose, s.activeIn, s.drainedIn, s.replicasByCluster])).toEqual([
      ['catalog', 'clusterset', ['cluster1', 'cluster2', 'cluster3'], [], { cluster1: 1, cluster2: 1, cluster3: 1 }],
      // autoscaled: what always runs is each cluster's HPA minimum
      ['shop', 'global', ['cluster1', 'cluster2', 'cluster3'], [], { cluster1: 1, cluster2: 1, cluster3: 1 }],
    ]);
    expect(prod.services[1]!.autoscalingByCluster).toEqual({ cluster1: { minReplicas: 1, maxReplicas: 4 }, cluster2: { minReplicas: 1, maxReplicas: 4 }, cluster3: { minReplicas: 1, maxReplicas: 4 } });
    expect(prod.services[1]!.failover).toMatch(/^GSLB drops a dead region within 60 s/);
    expect(prod.services[0]!.failover).toContain('DNS TTL 5 s');
  });

  it('computes the GSLB reaction to a dead region as period x threshold + TTL', () => {
    expect(prod.globalLoadBalancer).toMatchObject({ provider: 'global-load-balancer-operator', policy: 'Latency', hub: 'cluster1', ttlSeconds: 30, reactionSeconds: 10 * 3 + 30 });
  });

  it('orders the bootstrap runbook', () => {
    expect(prod.runbook.map((s) => s.id)).toEqual([
      'argocd-login',
      'register-clusters',
      'root-ca',
      'vault-seal-credentials',
      'backup-credentials',
      'apply-applicationsets',
      'submariner-secrets',
      'gslb-kubeconfigs',
      'vault-running',
      'vault-init',
      'vault-config-operator-access',
      'apply-vault-config',
      'vault-pki-intermediate',
      'vault-admin-access',
      'vault-verify',
      'mesh-ca',
      'apply-vault-pki',
      'cockroachdb-init',
      'cockroachdb-sql',
      'apply-services',
      'wait-healthy',
      'backup-retention',
      'backup-schedule-check',
    ]);
  });

  it('leaves an administrator policy and role on every auth mount before the root token is revoked', () => {
    const admin = commands(prod, 'vault-admin-access');
    const policy = JSON.parse(/'(\{.*\})'/.exec(admin[0]!)![1]!);
    expect(Object.keys(policy.path)).toEqual(expect.arrayContaining(['sys/auth/kubernetes-*', 'auth/kubernetes-*', 'sys/storage/raft/remove-peer', 'sys/policies/acl/vault-config-operator-*']));
    expect(admin.filter((c) => c.startsWith('vault write auth/'))).toEqual(
      ['cluster1', 'cluster2', 'cluster3'].map((c) => `vault write auth/kubernetes-${c}/role/meridian-admin bound_service_account_names=meridian-admin bound_service_account_namespaces=vault policies=meridian-admin ttl=1h`),
    );
    const ids = prod.runbook.map((s) => s.id);
    expect(ids.indexOf('vault-admin-access')).toBeLessThan(ids.indexOf('vault-verify')); // vault-verify revokes the root token
  });

  it('carries day-2 runbooks: each store image upgrade one cluster at a time, and the removal of a cluster in order', () => {
    expect(prod.day2.map((r) => r.id)).toEqual(['upgrade-vault', 'upgrade-cockroachdb', 'rotate-reviewer-tokens', 'remove-cluster-cluster3']);
    expect(prod.day2.find((r) => r.id === 'rotate-reviewer-tokens')!.steps.map((s) => s.id)).toEqual(['rotate-cluster1', 'rotate-cluster2', 'rotate-cluster3']);
    const crdb = prod.day2.find((r) => r.id === 'upgrade-cockroachdb')!;
    expect(crdb.steps.map((s) => s.id)).toEqual(['argocd-login', 'hold-cockroachdb', 'preserve-downgrade', 'merge', 'roll-cockroachdb-cluster1', 'roll-cockroachdb-cluster2', 'roll-cockroachdb-cluster3', 'finalize']);
    const remove = prod.day2.find((r) => r.id === 'remove-cluster-cluster3')!;
    // out of the GSLB first, the store memberships while the nodes can still hand over, Submariner, then the folder
    expect(remove.steps.map((s) => s.id)).toEqual([
      'argocd-login',
      'gslb-out',
      'cockroachdb-drop-region',
      'cockroachdb-decommission',
      'argocd-out',
      'vault-remove-peers',
      'vault-config-release',
      'submariner-out',
      'hold-vault',
      'hold-cockroachdb',
      'folder',
      'roll-vault-cluster1',
      'roll-vault-cluster2',
      'roll-cockroachdb-cluster1',
      'roll-cockroachdb-cluster2',
    ]);
    // two regions remain: REGION survival needs three, so the database steps down to ZONE survival before the drop
    expect(remove.steps.find((s) => s.id === 'cockroachdb-drop-region')!.commands[0]).toContain('ALTER DATABASE "shop" SURVIVE ZONE FAILURE;\nALTER DATABASE "shop" DROP REGION IF EXISTS "us-west-2";');
    expect(remove.steps.find((s) => s.id === 'vault-remove-peers')!.commands.filter((c) => c.includes('remove-peer'))).toEqual([0, 1, 2].map((i) => `vault operator raft remove-peer vault-${i}-cluster3`));
  });

  it('initializes Vault once, on vault-0 of the first cluster, with recovery shares', () => {
    const init = commands(prod, 'vault-init');
    expect(init[0]).toBe('kubectl --context cluster1 -n vault port-forward pod/vault-0 8200:8200 &   # keep it open for the steps below');
    expect(init.filter((c) => c.includes('operator init'))).toEqual(['vault operator init -recovery-shares=5 -recovery-threshold=3 -format=json > vault-init.json']);
    expect(init.some((c) => /list-peers.*9 voters/.test(c))).toBe(true);
  });

  it('loads the root CA Secret into every cluster and enables one Kubernetes auth mount per cluster', () => {
    expect(commands(prod, 'root-ca').filter((c) => c.includes('create secret tls'))).toEqual(
      ['cluster1', 'cluster2', 'cluster3'].flatMap((c) => ['istio-system', 'vault'].map((ns) => `kubectl --context ${c} -n ${ns} create secret tls meridian-root-ca --cert=root-ca.crt --key=root-ca.key`)),
    );
    const auth = commands(prod, 'vault-config-operator-access');
    expect(auth.filter((c) => c.startsWith('vault auth enable'))).toEqual(['cluster1', 'cluster2', 'cluster3'].map((c) => `vault auth enable -path=kubernetes-${c} kubernetes`));
  });

  it('makes each database multi-region with the first region primary and region survival, and creates the SQL users', () => {
    const [sql] = commands(prod, 'cockroachdb-sql');
    expect(sql!.split('\n')[0]).toBe("kubectl --context=cluster1 --namespace=cockroachdb exec -i cockroachdb-0 -- /cockroach/cockroach sql --certs-dir=/cockroach/cockroach-certs --host=localhost:26257 <<'SQL'");
    // The statements are setupSql's (tested in test/topology/cockroachdb.test.ts); the runbook feeds them to the shell unchanged.
    expect(sql!.split('\n').slice(1, -1)).toEqual(setupSql(loadTopology('environments').environments[0]!));
    expect(sql!.split('\n').slice(1, -1)).toContain('ALTER DATABASE "shop" SURVIVE REGION FAILURE;');
    expect(commands(prod, 'cockroachdb-init')).toEqual([
      'kubectl --context=cluster1 --namespace=cockroachdb exec -i cockroachdb-0 -- /cockroach/cockroach node status --certs-dir=/cockroach/cockroach-certs --host=localhost:26257',
    ]);
  });

  it('renders Markdown with the figures, a Mermaid diagram and the runbook', () => {
    const env = loadTopology('environments').environments[0]!;
    const md = renderReport(env);
    expect(md).toMatch(/^<!-- Generated by meridian from prod\.yaml\. Do not edit: change the environment file and run `meridian synth`\. -->/);
    // committed text: the same wherever synth runs from
    expect(renderReport({ ...env, source: '../../elsewhere/environments/prod.yaml' })).toBe(md);
    expect(md).toContain('| cluster cluster1 | yes | 9 voters, quorum 5; worst case loses 3 → 6 left ≥ 5 |');
    expect(md).toContain('Time to react to a dead region: Route53 health checks every 10 s mark a region out after 3 failures, then resolvers keep the old answer for up to the TTL: 10 s × 3 + 30 s = 60 s.');
    expect(md).toMatch(/```mermaid\nflowchart TB\n[\s\S]*c_cluster1 <-\.->\|libreswan tunnel\| c_cluster2[\s\S]*```/);
    expect(md).toContain('### 10. Initialize Vault once, on vault-0 of cluster1; the other 8 pods join through retry_join and unseal with the seal');
    expect(md).not.toMatch(/\d{4}-\d\d-\d\dT/); // no timestamps
    // operating the fleet: rollout per region, backup RPO, alert responses
    expect(md).toContain('## Rollout\n\none-cluster-at-a-time');
    expect(md).toContain('RPO when restoring from backup: 1 hour (the @hourly schedule');
    expect(md).toContain('### MeridianVaultRaftPeersMissing');
  });
});

describe('report of the 2-cluster active/passive fixture (dr)', () => {
  it('has two clusters, one tunnel and no consensus store', () => {
    expect(dr.strategy).toBe('active-passive');
    expect(dr.clusters.map((c) => `${c.name}@${c.region}`)).toEqual(['primary@us-east-1', 'standby@us-west-2']);
    expect(dr.tunnels.pairs).toEqual([['primary', 'standby']]);
    expect(dr.stores).toEqual([]);
  });

  it('splits the stateless service over both clusters and fails over by GSLB', () => {
    expect(dr.services).toHaveLength(1);
    expect(dr.services[0]).toMatchObject({ name: 'portal', expose: 'global', hostname: 'portal.dr.example.com', activeIn: ['primary', 'standby'], drainedIn: [], replicasByCluster: { primary: 2, standby: 2 } });
    // k8gb runs no HTTP probe: no invented reaction time, only what makes it react
    expect(dr.globalLoadBalancer).toMatchObject({ provider: 'k8gb', policy: 'Failover', ttlSeconds: 30 });
    expect(dr.globalLoadBalancer!.reactionSeconds).toBeUndefined();
    expect(dr.globalLoadBalancer!.healthCheck).toBeUndefined();
    expect(dr.globalLoadBalancer!.reaction).toMatch(/^k8gb sends no HTTP probe: a cluster leaves the answers when its gateway has no ready pods/);
    expect(dr.services[0]!.failover).toMatch(/^k8gb drops a cluster once its gateway has no ready pods/);
  });

  it('has a runbook without store steps', () => {
    expect(dr.runbook.map((s) => s.id)).toEqual(['argocd-login', 'register-clusters', 'root-ca', 'apply-applicationsets', 'submariner-secrets', 'mesh-ca', 'apply-services', 'wait-healthy']);
    expect(commands(dr, 'root-ca').filter((c) => c.includes('create secret'))).toEqual([
      'kubectl --context primary -n cert-manager create secret tls dr-root-ca --cert=root-ca.crt --key=root-ca.key',
      'kubectl --context standby -n cert-manager create secret tls dr-root-ca --cert=root-ca.crt --key=root-ca.key',
    ]);
    // The Secrets the Submariner CR names, created under exactly those names from meridian's broker client accounts.
    expect(commands(dr, 'submariner-secrets').filter((c) => c.includes('-n submariner-operator create secret'))).toEqual([
      'kubectl --context primary -n submariner-operator create secret generic broker --from-file=token="$D/token" --from-file=ca.crt="$D/ca.crt" --from-literal=namespace=submariner-k8s-broker',
      'kubectl --context primary -n submariner-operator create secret generic psk --from-file=psk="$D/psk"',
      'kubectl --context standby -n submariner-operator create secret generic broker --from-file=token="$D/token" --from-file=ca.crt="$D/ca.crt" --from-literal=namespace=submariner-k8s-broker',
      'kubectl --context standby -n submariner-operator create secret generic psk --from-file=psk="$D/psk"',
    ]);
    expect(commands(dr, 'submariner-secrets').join('\n')).toContain('annotate --local -f - kubernetes.io/service-account.name=standby-broker-client -o yaml');
  });

  it('says why there is no store in Markdown', () => {
    expect(renderReport(topologyOf('test/fixtures/environments/active-passive.yaml').environments[0]!)).toContain('None: an active-passive environment runs stateless services only');
  });
});

describe('report of the globalnet fixture (fleet)', () => {
  it('shows a drained cluster, uneven voters and the transit seal secret', () => {
    const web = fleet.services.find((s) => s.name === 'web')!;
    expect(web).toMatchObject({ drainedIn: ['par1'], servingIn: ['ams1', 'fra1', 'mad1'] });
    expect(fleet.stores.map((s) => [s.kind, s.members, s.voters, s.quorum, s.clustersItCanLose])).toEqual([
      ['vault', 4, 4, 3, 1],
      ['cockroachdb', 8, 5, 3, 1],
    ]);
    expect(commands(fleet, 'vault-seal-credentials')).toContain('kubectl --context ams1 -n vault create secret generic transit-token --from-literal=VAULT_TOKEN="${VAULT_TOKEN:?export VAULT_TOKEN first}"');
    expect(commands(fleet, 'vault-config-operator-access')).toContain('vault auth enable -path=k8s-par1 kubernetes');
    // fleet's stores survive a region (four regions): its client service's database is made multi-region
    expect(commands(fleet, 'cockroachdb-sql')[0]).toContain('ALTER DATABASE "cart" SURVIVE REGION FAILURE;');
  });
});

describe('dist/<env>.report.md', () => {
  it('is part of every synthesized bundle, beside the cluster folders', () => {
    const bundle = synthesize(topologyOf('test/fixtures/environments/minimal.yaml', 'test/fixtures/environments/active-passive.yaml'));
    expect([...bundle.files.keys()].filter((f) => f.endsWith('.md'))).toEqual([reportFile('dr'), reportFile('minimal')]);
    expect(bundle.files.get('dr.report.md')).toBe(renderReport(topologyOf('test/fixtures/environments/active-passive.yaml').environments[0]!));
  });

  it('belongs to its environment when synth rewrites one environment only', () => {
    const { envs, out } = twoEnvironmentWorkspace();
    fs.writeFileSync(path.join(out, 'minimal.report.md'), 'stale\n');
    fs.writeFileSync(path.join(out, 'dr.report.md'), 'kept\n');
    synthToDisk({ envDir: envs, outDir: out, environment: 'minimal' });
    const tree = readTree(out);
    expect(tree.get('minimal.report.md')).toMatch(/^<!-- Generated by meridian/);
    expect(tree.get('dr.report.md')).toBe('kept\n');
  });
});
