// `meridian preflight` against a stub kubectl on PATH (test/fixtures/kubectl/kubectl) that answers
// from fixture files: a stub cluster set with every prerequisite passes, and one that lacks some
// gets each missing prerequisite named on its own line, with exit code 1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli';
import { prerequisitesOf } from '../../src/cli/preflight';
import { preflightChecks, type Check } from '../../src/preflight';
import { loadTopology } from '../../src/main';
import { tempDir } from '../helpers';

const STUB = path.resolve('test/fixtures/kubectl');
const doc = prerequisitesOf(loadTopology('environments'), ['prod'])[0]!;

/** The file name the stub reads for a call (see the stub). */
const key = (args: readonly string[]): string => args.map((a) => `${a} `).join('').replace(/[^A-Za-z0-9.=_-]/g, '_');

/** What a cluster that has the prerequisite answers. */
function answer(check: Check): string {
  const c = doc.clusters.find((x) => x.cluster === check.cluster)!;
  if (check.subject.startsWith('API ')) {
    const gv = check.args[check.args.length - 1]!.replace('/apis/', '');
    const kinds = c.apis.find((a) => a.groupVersion === gv)!.kinds;
    return JSON.stringify({ kind: 'APIResourceList', groupVersion: gv, resources: kinds.map((k) => ({ name: `${k.toLowerCase()}s`, kind: k, namespaced: true })) });
  }
  if (check.subject.startsWith('operator ')) return JSON.stringify({ kind: 'Deployment', status: { replicas: 1, availableReplicas: 1 } });
  if (check.subject.startsWith('secret ')) {
    const [ns, name] = check.subject.replace('secret ', '').split('/');
    return `${c.secrets.find((s) => s.namespace === ns && s.name === name)!.keys.join('\n')}\n`;
  }
  if (check.subject.startsWith('SCC ')) return `securitycontextconstraints.security.openshift.io/${check.args[check.args.length - 3]!}\n`;
  if (check.subject.startsWith('DNS ')) return JSON.stringify({ items: [{ ports: c.dns.podPorts.flatMap((port) => [{ name: 'dns', port, protocol: 'UDP' }, { name: 'dns-tcp', port, protocol: 'TCP' }]) }] });
  throw new Error(`no answer for ${check.subject}`);
}

function stubClusters(contexts: ReadonlyMap<string, string> = new Map()): { dir: string; checks: Check[] } {
  const dir = tempDir('meridian-kubectl-');
  const checks = preflightChecks(doc, (c) => contexts.get(c) ?? c);
  for (const check of checks) fs.writeFileSync(path.join(dir, key(check.args)), answer(check));
  return { dir, checks };
}

function run(fixtures: string, ...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), color: false };
  process.env.MERIDIAN_KUBECTL_FIXTURES = fixtures;
  return { code: main(argv, io), out, err };
}

const savedPath = process.env.PATH;
beforeAll(() => {
  process.env.PATH = `${STUB}${path.delimiter}${savedPath ?? ''}`;
});
afterAll(() => {
  process.env.PATH = savedPath;
  delete process.env.MERIDIAN_KUBECTL_FIXTURES;
});

describe('meridian preflight', () => {
  it('passes against stub clusters that have every prerequisite, reading only', () => {
    const { dir, checks } = stubClusters();
    const r = run(dir, 'preflight', '--env', 'prod');
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.OK);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(checks.length + 1);
    expect(lines.slice(0, -1).every((l) => /^cluster\d: ok /.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`preflight: all ${checks.length} prerequisite(s) present`);
    // Every call was a get (the stub refuses writes and logs every call).
    const calls = fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trimEnd().split('\n');
    expect(calls).toHaveLength(checks.length);
    expect(calls.every((c) => / get /.test(` ${c} `))).toBe(true);
  });

  it('checks what the default environment relies on, per cluster', () => {
    const subjects = stubClusters().checks.filter((c) => c.cluster === 'cluster1').map((c) => c.subject);
    expect(subjects).toContain('API route.openshift.io/v1 (Route)');
    expect(subjects).toContain('secret global-load-balancer-operator/cluster2-kubeconfig');
    expect(subjects).toContain('secret submariner-operator/submariner-broker');
    expect(subjects).toContain('SCC nonroot-v2 (for cockroachdb/cockroachdb)');
    expect(subjects).toContain('DNS openshift-dns/dns-default on pod port(s) 5353');
  });

  it('names each missing prerequisite on its own line and exits 1', () => {
    const { dir, checks } = stubClusters();
    const find = (cluster: string, subject: string): Check => checks.find((c) => c.cluster === cluster && c.subject.startsWith(subject))!;
    fs.rmSync(path.join(dir, key(find('cluster1', 'secret global-load-balancer-operator/cluster3-kubeconfig').args)));
    fs.writeFileSync(path.join(dir, key(find('cluster2', 'secret submariner-operator/submariner-broker').args)), 'token\nca.crt\n');
    fs.rmSync(path.join(dir, key(find('cluster2', 'SCC nonroot-v2').args)));
    fs.writeFileSync(path.join(dir, key(find('cluster3', 'DNS ').args)), JSON.stringify({ items: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }));
    fs.writeFileSync(path.join(dir, key(find('cluster3', 'API route.openshift.io/v1').args)), JSON.stringify({ resources: [] }));
    fs.writeFileSync(path.join(dir, key(find('cluster1', 'operator cert-manager').args)), JSON.stringify({ status: { replicas: 1 } }));

    const r = run(dir, 'preflight', '--env', 'prod');
    expect(r.code).toBe(EXIT.ERROR);
    const missing = r.out.split('\n').filter((l) => l.includes(' MISSING '));
    expect(missing).toEqual([
      'cluster1: MISSING operator cert-manager (deployment cert-manager/cert-manager): deployment cert-manager/cert-manager has no available replica',
      'cluster1: MISSING secret global-load-balancer-operator/cluster3-kubeconfig: no Secret global-load-balancer-operator/cluster3-kubeconfig; run runbook step gslb-kubeconfigs',
      'cluster2: MISSING secret submariner-operator/submariner-broker: Secret submariner-operator/submariner-broker lacks key(s) namespace; recreate it with runbook step submariner-secrets',
      'cluster2: MISSING SCC nonroot-v2 (for cockroachdb/cockroachdb): SCC nonroot-v2 does not exist; the bundle grants it to cockroachdb/cockroachdb, whose pods would not be admitted',
      'cluster3: MISSING API route.openshift.io/v1 (Route): route.openshift.io/v1 does not serve Route; install a version of its CRDs that does',
      'cluster3: MISSING DNS openshift-dns/dns-default on pod port(s) 5353: openshift-dns/dns-default answers on 53, not 5353: the egress policies admit DNS for platform openshift; set clusters[].platform to what this cluster runs',
    ]);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(`preflight: 6 of ${checks.length} prerequisite(s) missing`);
  });

  it('addresses a cluster through the context --context-for maps it to', () => {
    const { dir } = stubClusters(new Map([['cluster2', 'admin@cluster2']]));
    expect(run(dir, 'preflight', '--env', 'prod', '--context-for', 'cluster2=admin@cluster2').code).toBe(EXIT.OK);
    expect(fs.readFileSync(path.join(dir, 'calls.log'), 'utf8')).toContain('--context admin@cluster2 ');
  });

  it('refuses a --context-for naming no cluster of the environment', () => {
    const r = run(tempDir(), 'preflight', '--env', 'prod', '--context-for', 'nowhere=ctx');
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/--context-for names cluster "nowhere", which is not in prod/);
  });
});
