import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildTopology, parseEnvironment, type Environment } from '../../src/topology';
import {
  advertiseHost,
  COCKROACHDB,
  initHosts,
  joinAddresses,
  localSqlClients,
  locality,
  nodeCertificateDnsNames,
  peerSourceCIDRs,
  runbookDatabases,
  setupSql,
  sqlShellCommand,
  sqlUserProblem,
  startArgs,
} from '../../src/topology/cockroachdb';

function load(file: string, edit?: (spec: any) => void): Environment {
  const spec = parse(fs.readFileSync(file, 'utf8'));
  edit?.(spec);
  return buildTopology([parseEnvironment(Buffer.from(stringify(spec)), file)]).environments[0]!;
}
const prod = (edit?: (spec: any) => void) => load('environments/prod.yaml', edit);
const fleet = () => load('test/fixtures/environments/globalnet.yaml');
const flag = (args: readonly string[], name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('start command', () => {
  it('joins every node of every cluster, sorted, with the same list in every cluster', () => {
    // GIVEN the default environment (3 clusters x 3 nodes)
    const env = prod();
    // WHEN each cluster builds its start command
    const joins = env.clusters.map((c) => flag(startArgs(env, c.name), 'join'));
    // THEN the lists are identical and name all 9 pods by clusterset name
    expect(new Set(joins).size).toBe(1);
    const hosts = joins[0]!.split(',');
    expect(hosts).toHaveLength(9);
    expect(hosts).toEqual([...hosts].sort());
    for (const c of ['cluster1', 'cluster2', 'cluster3']) {
      for (const i of [0, 1, 2]) expect(hosts).toContain(`cockroachdb-${i}.${c}.cockroachdb.cockroachdb.svc.clusterset.local:26257`);
    }
  });

  it('advertises the pod own clusterset name through the POD_NAME variable', () => {
    const env = prod();
    expect(flag(startArgs(env, 'cluster2'), 'advertise-addr')).toBe('$(POD_NAME).cluster2.cockroachdb.cockroachdb.svc.clusterset.local:26257');
    // the template, with the pod name filled in, is exactly each local peer's host
    const store = env.cockroachdb!;
    for (const peer of store.peers) {
      expect(advertiseHost(store, peer.cluster).replace(`$(${COCKROACHDB.podNameVariable})`, peer.pod)).toBe(peer.host);
      expect(peer.pod).toBe(`${COCKROACHDB.statefulSet}-${peer.ordinal}`);
    }
  });

  it('carries locality, certs-dir, cache and max-sql-memory from the topology and never --insecure', () => {
    const env = fleet();
    const args = startArgs(env, 'fra1');
    expect(args[0]).toBe('start');
    expect(flag(args, 'locality')).toBe('region=eu-de');
    expect(flag(args, 'certs-dir')).toBe('/cockroach/cockroach-certs');
    expect(flag(args, 'cache')).toBe('2048MiB');
    expect(flag(args, 'max-sql-memory')).toBe('2048MiB');
    expect(args.some((a) => a.startsWith('--insecure'))).toBe(false);
    expect(args.every((a, i) => i === 0 || /^--[a-z-]+=\S+$/.test(a))).toBe(true);
  });

  it('sizes --cache and --max-sql-memory from the container memory limit, never from the node', () => {
    // GIVEN prod's 25% shares and the default requests = limits (2 CPU, 8Gi)
    const env = prod();
    expect(env.cockroachdb!.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } });
    expect(flag(startArgs(env, 'cluster1'), 'cache')).toBe('2048MiB');
    // WHEN the limit changes, the flags follow it
    const bigger = prod((s) => (s.cockroachdb.resources = { limits: { cpu: '4', memory: '16Gi' } }));
    expect(bigger.cockroachdb!.resources).toEqual({ requests: { cpu: '4', memory: '16Gi' }, limits: { cpu: '4', memory: '16Gi' } });
    expect(flag(startArgs(bigger, 'cluster1'), 'cache')).toBe('4096MiB');
    expect(flag(startArgs(bigger, 'cluster1'), 'max-sql-memory')).toBe('4096MiB');
  });

  it('refuses memory flags that leave less than 20% of the limit (2 x sql + cache <= 80%)', () => {
    expect(() => prod((s) => (s.cockroachdb.maxSQLMemory = '35%'))).toThrow(/cockroachdb\.maxSQLMemory: 2 x maxSQLMemory \(2867MiB\) \+ cache \(2048MiB\) exceeds 80% of the memory limit 8Gi/);
  });

  it('fails for a cluster outside the environment', () => {
    expect(() => startArgs(prod(), 'cluster9')).toThrow(/cluster "cluster9" is not part of environment prod/);
  });
});

describe('locality', () => {
  it('is the region only when clusters span several zones', () => {
    const env = prod();
    expect(env.clusters.map((c) => locality(env, c))).toEqual(['region=us-east-1', 'region=us-east-2', 'region=us-west-2']);
  });

  it('adds the zone when every cluster has exactly one', () => {
    const env = prod((spec) => spec.clusters.forEach((c: any) => (c.zones = [`${c.region}b`])));
    expect(locality(env, env.clusters[1]!)).toBe('region=us-east-2,zone=us-east-2b');
  });

  it('leaves the zone out when only some clusters have exactly one, so every node has the same tiers', () => {
    const env = prod((spec) => (spec.clusters[0].zones = ['us-east-1a']));
    expect(locality(env, env.clusters[0]!)).toBe('region=us-east-1');
  });
});

describe('node certificate', () => {
  it('covers every advertised address of every cluster, the local names, the public Service and localhost', () => {
    const env = prod();
    const store = env.cockroachdb!;
    const sans = nodeCertificateDnsNames(store);
    for (const peer of store.peers) expect(sans).toContain(peer.host);
    for (const host of initHosts(store)) expect(sans).toContain(host.replace(/:\d+$/, ''));
    expect(sans).toEqual(expect.arrayContaining(['localhost', 'cockroachdb-public', 'cockroachdb-public.cockroachdb.svc.cluster.local', 'cockroachdb.cockroachdb.svc.clusterset.local']));
    expect(sans).toEqual([...new Set(sans)].sort());
  });

  it('covers every join address', () => {
    const store = fleet().cockroachdb!;
    const sans = nodeCertificateDnsNames(store);
    for (const address of joinAddresses(store)) expect(sans).toContain(address.replace(/:\d+$/, ''));
  });
});

describe('network sources', () => {
  it('admits the other clusters by pod CIDR', () => {
    expect(peerSourceCIDRs(prod(), 'cluster1')).toEqual(['10.132.0.0/14', '10.136.0.0/14']);
  });

  it('admits the other clusters by globalnet CIDR when globalnet translates addresses, never its own', () => {
    const env = fleet();
    expect(peerSourceCIDRs(env, 'par1')).toEqual(env.clusters.filter((c) => c.name !== 'par1').map((c) => c.globalCIDR));
    expect(peerSourceCIDRs(env, 'par1')).toHaveLength(3);
    // the pod CIDRs overlap across clusters: admitting them would admit every local pod
    expect(peerSourceCIDRs(env, 'par1')).not.toContain('10.128.0.0/14');
  });

  it('lists as local SQL clients only the services that use cockroachdb and run in the cluster', () => {
    const env = fleet();
    expect(localSqlClients(env, 'ams1').map((s) => s.name)).toEqual(['cart']);
    expect(localSqlClients(env, 'par1')).toEqual([]);
  });
});

describe('runbook SQL', () => {
  it('makes each database multi-region with the bootstrap region as primary, then creates the service users', () => {
    expect(setupSql(prod())).toEqual([
      'CREATE DATABASE IF NOT EXISTS "shop";',
      'ALTER DATABASE "shop" SET PRIMARY REGION "us-east-1";',
      'ALTER DATABASE "shop" ADD REGION IF NOT EXISTS "us-east-2";',
      'ALTER DATABASE "shop" ADD REGION IF NOT EXISTS "us-west-2";',
      'ALTER DATABASE "shop" SURVIVE REGION FAILURE;',
      'CREATE USER IF NOT EXISTS "shop";',
      'GRANT ALL ON DATABASE "shop" TO "shop";',
      'GRANT ALL ON SCHEMA "shop".public TO "shop";',
    ]);
  });

  it('uses only regions that nodes advertise in their locality', () => {
    const env = fleet();
    const regions = new Set(env.clusters.map((c) => /region=([^,]+)/.exec(locality(env, c))![1]));
    for (const statement of setupSql(env).filter((s) => s.includes('REGION "'))) {
      expect(regions.has(/REGION (?:IF NOT EXISTS )?"([^"]+)"/.exec(statement)![1]!)).toBe(true);
    }
  });

  it('gives each client service its own database next to the listed ones', () => {
    const env = prod((spec) => {
      spec.cockroachdb.databases = ['ledger'];
      spec.services.find((s: any) => s.name === 'catalog').uses = ['cockroachdb'];
    });
    expect(runbookDatabases(env)).toEqual(['catalog', 'ledger', 'shop']);
    expect(setupSql(env)).toContain('GRANT ALL ON DATABASE "catalog" TO "catalog";');
    expect(setupSql(env).filter((s) => s.startsWith('CREATE USER'))).toEqual(['CREATE USER IF NOT EXISTS "catalog";', 'CREATE USER IF NOT EXISTS "shop";']);
  });

  it('keeps zone survival when the topology asks for it', () => {
    const env = prod((spec) => (spec.cockroachdb.survivalGoal = 'zone'));
    expect(setupSql(env)).toContain('ALTER DATABASE "shop" SURVIVE ZONE FAILURE;');
    expect(setupSql(env).join('\n')).not.toContain('SURVIVE REGION');
  });

  it('runs inside the first node of the bootstrap cluster as root against localhost', () => {
    expect(sqlShellCommand(prod())).toEqual([
      'kubectl',
      '--context=cluster1',
      '--namespace=cockroachdb',
      'exec',
      '-i',
      'cockroachdb-0',
      '--',
      '/cockroach/cockroach',
      'sql',
      '--certs-dir=/cockroach/cockroach-certs',
      '--host=localhost:26257',
    ]);
  });

  it('fails without a cockroachdb block', () => {
    expect(() => setupSql(load('test/fixtures/environments/minimal.yaml'))).toThrow(/environment minimal has no cockroachdb block/);
  });
});

describe('SQL user names', () => {
  it('accepts ordinary service names', () => {
    expect(sqlUserProblem({ name: 'shop' })).toBeUndefined();
    expect(sqlUserProblem({ name: 'order-api' })).toBeUndefined();
  });

  it.each(['root', 'node', 'admin', 'public', 'system', 'pg-stats'])('fails %s, a CockroachDB identity', (name) => {
    expect(sqlUserProblem({ name })).toMatch(/is reserved by CockroachDB/);
  });

  it('fails a name that starts with a digit', () => {
    expect(sqlUserProblem({ name: '9lives' })).toMatch(/must start with a letter/);
  });
});
