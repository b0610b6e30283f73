import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupSql } from '../../src/topology/cockroachdb';
import { loadTopology, synthToDisk } from '../../src/main';
import { buildReport, renderReport, reportFile } from '../../src/report';
import { synthesize } from '../../src/synth/synthesize';
import { readTree, topologyOf, twoEnvironmentWorkspace } from '../helpers';

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

  it('gives each store its voters per cluster, quorum, what it can lose and its RPO/RTO class', () => {
    expect(prod.stores.map((s) => ({ kind: s.kind, per: s.votersPerCluster, voters: s.voters, quorum: s.quorum, voters_lost: s.votersItCanLose, clusters_lost: s.clustersItCanLose }))).toEqual([
      { kind: 'vault', per: { cluster1: 3, cluster2: 3, cluster3: 3 }, voters: 9, quorum: 5, voters_lost: 4, clusters_lost: 1 },
      { kind: 'cockroachdb', per: { cluster1: 3, cluster2: 3, cluster3: 3 }, voters: 9, quorum: 5, voters_lost: 4, clusters_lost: 1 },
    ]);
    for (const s of prod.stores) {
      expect(s.drClass).toBe('consensus store over 3 sites (active/active)');
      expect(s.rpo).toMatch(/^0 for committed writes/);
      expect(s.rto).toMatch(/re-election .*\+ GSLB reaction for client traffic \(60 s\)$/);
    }
    expect(prod.stores[1]).toMatchObject({ survivalGoal: 'region', databases: ['shop'] });
    expect(prod.stores[1]!.rto).toContain('under 9 s');
  });

  it('says where each service runs, is drained, and how its replicas split', () => {
    expect(prod.services.map((s) => [s.name, s.expose, s.activeIn, s.drainedIn, s.replicasByCluster])).toEqual([
      ['catalog', 'clusterset', ['cluster1', 'cluster2', 'cluster3'], [], { cluster1: 1, cluster2: 1, cluster3: 1 }],
      ['shop', 'global', ['cluster1', 'cluster2', 'cluster3'], [], { cluster1: 2, cluster2: 2, cluster3: 2 }],
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
      'vault-pki-intermediate',
      'vault-admin-access',
      'vault-verify',
      'cockroachdb-init',
      'cockroachdb-sql',
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
    expect(prod.day2.map((r) => r.id)).toEqual(['upgrade-vault', 'upgrade-cockroachdb', 'remove-cluster-cluster3']);
    const crdb = prod.day2.find((r) => r.id === 'upgrade-cockroachdb')!;
    expect(crdb.steps.map((s) => s.id)).toEqual(['hold-cockroachdb', 'preserve-downgrade', 'merge', 'roll-cockroachdb-cluster1', 'roll-cockroachdb-cluster2', 'roll-cockroachdb-cluster3', 'finalize']);
    const remove = prod.day2.find((r) => r.id === 'remove-cluster-cluster3')!;
    // out of the GSLB first, the store memberships while the nodes can still hand over, Submariner, then the folder
    expect(remove.steps.map((s) => s.id)).toEqual([
      'gslb-out',
      'cockroachdb-drop-region',
      'cockroachdb-decommission',
      'argocd-out',
      'vault-remove-peers',
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
      ['cluster1', 'cluster2', 'cluster3'].flatMap((c) => ['cert-manager', 'vault'].map((ns) => `kubectl --context ${c} -n ${ns} create secret tls meridian-root-ca --cert=root-ca.crt --key=root-ca.key`)),
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
    const md = renderReport(loadTopology('environments').environments[0]!);
    expect(md).toMatch(/^<!-- Generated by meridian from environments\/prod.yaml\./);
    expect(md).toContain('| vault (`vault`) | cluster1: 3, cluster2: 3, cluster3: 3 | 9 | 5 | 4 voter(s), 1 whole cluster(s) |');
    expect(md).toContain('Time to react to a dead region: 10 s × 3 + 30 s = **60 s**.');
    expect(md).toMatch(/```mermaid\nflowchart TB\n[\s\S]*c_cluster1 <-\.->\|libreswan tunnel\| c_cluster2[\s\S]*```/);
    expect(md).toContain('### 9. Initialize Vault once, on vault-0 of cluster1; the other 8 pods join through retry_join and unseal with the seal');
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
    expect(dr.globalLoadBalancer).toMatchObject({ policy: 'Failover', ttlSeconds: 30, healthCheck: { periodSeconds: 30, failureThreshold: 2 }, reactionSeconds: 30 * 2 + 30 });
    expect(dr.services[0]!.failover).toMatch(/within 90 s/);
  });

  it('has a runbook without store steps', () => {
    expect(dr.runbook.map((s) => s.id)).toEqual(['register-clusters', 'root-ca', 'apply-applicationsets', 'submariner-secrets', 'wait-healthy']);
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
    expect(fleet.stores.map((s) => [s.kind, s.voters, s.quorum, s.clustersItCanLose])).toEqual([
      ['vault', 4, 3, 1],
      ['cockroachdb', 8, 5, 1],
    ]);
    expect(commands(fleet, 'vault-seal-credentials')).toContain('kubectl --context ams1 -n vault create secret generic transit-token --from-literal=VAULT_TOKEN=<VAULT_TOKEN>');
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
