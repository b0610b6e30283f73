import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli';
import { RULES } from '../../src/validate';
import { tempDir } from '../helpers';
import { container, find, fullBundle, render } from '../validate/full-bundle';

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), color: false };
  return { code: main(argv, io), out, err };
}

function brokenTree(): string {
  const b = fullBundle();
  delete find(b, 'cluster2', 'Service', 'vault-internal').spec.publishNotReadyAddresses;
  container(find(b, 'cluster3', 'StatefulSet', 'cockroachdb')).args.push('--insecure');
  const dir = path.join(tempDir('meridian-validate-'), 'dist');
  for (const [file, content] of render(b)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

describe('meridian validate', () => {
  it('passes the committed dist/ with exit 0', () => {
    const r = run('validate');
    expect(r).toMatchObject({ code: EXIT.OK, err: '' });
    expect(r.out).toMatch(new RegExp(`^valid: ${RULES.length} rule\\(s\\), \\d+ object\\(s\\) in \\d+ file\\(s\\) under dist/\n$`));
  });

  it('prints located violations on stderr and exits 1', () => {
    const dir = brokenTree();
    const r = run('validate', dir);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.out).toBe('');
    const lines = r.err.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual([
      `${dir}/cluster2/vault.yaml:${lines[0]!.split(':')[1]}:${lines[0]!.split(':')[2]}: MER011 store-peers-exported: Service vault/vault-internal spec.publishNotReadyAddresses: Service vault/vault-internal must set publishNotReadyAddresses: true: vault pods become Ready only after they reached their peers, so without it nobody can ever join`,
      expect.stringMatching(new RegExp(`^${dir}/cluster3/cockroachdb\\.yaml:\\d+:\\d+: MER060 tls-on-every-listener: StatefulSet cockroachdb/cockroachdb spec\\.template\\.spec\\.containers\\[0\\]\\.args\\[7\\]: CockroachDB in cluster3 runs with --insecure`)),
    ]);
    expect(lines[0]).toMatch(/vault\.yaml:\d+:\d+: /);
    expect(lines.at(-1)).toMatch(new RegExp(`^2 violation\\(s\\) of 2 rule\\(s\\) in 2 file\\(s\\); checked ${RULES.length} rule\\(s\\)`));
  });

  it('report --timeline prints the simulated first sync of each environment, and refuses --format json', () => {
    const r = run('report', '--env', 'prod', '--timeline');
    expect(r).toMatchObject({ code: EXIT.OK, err: '' });
    expect(r.out).toMatch(/^## First sync of prod \(simulated\)\n\n1\. Log in to Argo CD \(`argocd-login`\)\n/);
    expect(r.out).toMatch(/\n20\. Apply the services ApplicationSet \(`apply-services`\); then Argo CD brings up meridian-cluster1-services, meridian-cluster2-services, meridian-cluster3-services\n/);
    expect(r.out).toMatch(/Every Application \(12\) Synced and Healthy; nothing Degraded, no step waited on a later one, no retry\.\n$/);
    expect(run('report', '--timeline', '--format', 'json')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('--timeline prints Markdown') });
  });

  it('validates one cluster folder against its siblings: no false violations, only that folder reported', () => {
    const clean = run('validate', 'dist/cluster1');
    expect(clean).toMatchObject({ code: EXIT.OK, err: '' });
    expect(clean.out).toMatch(new RegExp(`^valid: ${RULES.length} rule\\(s\\), \\d+ object\\(s\\) in \\d+ file\\(s\\) under dist/ \\(reported: cluster1 only\\)\n$`));
    const dir = brokenTree();
    fs.writeFileSync(path.join(dir, 'demo.report.md'), '# report\n'); // what synth writes beside the folders
    expect(run('validate', path.join(dir, 'cluster1')).code).toBe(EXIT.OK);
    const three = run('validate', path.join(dir, 'cluster3'));
    expect(three.code).toBe(EXIT.ERROR);
    expect(three.err).toMatch(/cluster3\/cockroachdb\.yaml:\d+:\d+: MER060 /);
    expect(three.err).not.toMatch(/cluster2\/vault\.yaml/);
  });

  it('gives the same result as JSON on stdout', () => {
    const r = run('validate', brokenTree(), '--format', 'json');
    expect(r.code).toBe(EXIT.ERROR);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ valid: false, rules: 'all' });
    expect(json.violations.map((v: any) => [v.rule, v.name, v.location.folder, v.location.kind, v.location.name, v.location.path])).toEqual([
      ['MER011', 'store-peers-exported', 'cluster2', 'Service', 'vault-internal', 'spec.publishNotReadyAddresses'],
      ['MER060', 'tls-on-every-listener', 'cluster3', 'StatefulSet', 'cockroachdb', 'spec.template.spec.containers[0].args[7]'],
    ]);
    expect(json.violations[0].location.line).toBeGreaterThan(1);
  });

  it('runs only the rules asked for, and only reports the folders of --env', () => {
    const dir = brokenTree();
    expect(run('validate', dir, '--rule', 'MER060').err).not.toContain('MER011');
    expect(run('validate', dir, '--rule', 'store-join-complete')).toMatchObject({ code: EXIT.OK });
    expect(run('validate', dir, '--env', 'demo').code).toBe(EXIT.ERROR);
    expect(run('validate', dir, '--env', 'prod')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('no cluster folder of environment "prod"') });
  });

  it('lists the rules, and refuses unknown rules, formats and extra arguments with exit 2', () => {
    const list = run('validate', '--list-rules');
    expect(list.code).toBe(EXIT.OK);
    for (const r of RULES) expect(list.out).toContain(`${r.id} ${r.name}\n`);
    expect(JSON.parse(run('validate', '--list-rules', '--format', 'json').out)).toHaveLength(RULES.length);
    expect(run('validate', '--rule', 'MER999')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('unknown rule MER999') });
    expect(run('validate', '--format', 'yaml')).toMatchObject({ code: EXIT.USAGE });
    expect(run('validate', 'a', 'b')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining("unexpected argument 'b'") });
    expect(run('validate', '--environments', 'environments')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('validate reads a dist/ tree') });
    expect(run('validate', '--out', 'no-such-dir')).toMatchObject({ code: EXIT.ERROR, err: expect.stringContaining('no-such-dir: no such folder') });
    expect(run('validate', 'no-such-dir')).toMatchObject({ code: EXIT.ERROR, err: expect.stringContaining('no-such-dir: no such folder') });
  });
});

describe('meridian report', () => {
  it('prints the committed report of the default environment', () => {
    const r = run('report', '--env', 'prod');
    // the default environment has no warning: its seal key is multi-Region
    expect(r).toMatchObject({ code: EXIT.OK, err: '' });
    expect(r.out).toBe(fs.readFileSync('dist/prod.report.md', 'utf8'));
  });

  it('prints JSON: one object with --env, a list without', () => {
    const one = run('report', '--environments', 'test/fixtures/environments', '--env', 'dr', '--format', 'json');
    expect(JSON.parse(one.out)).toMatchObject({ environment: 'dr', strategy: 'active-passive', globalLoadBalancer: { provider: 'k8gb', reaction: expect.stringMatching(/^k8gb sends no HTTP probe/) } });
    const all = JSON.parse(run('report', '--environments', 'test/fixtures/environments', '--format', 'json').out);
    const fixtures = fs.readdirSync('test/fixtures/environments').filter((f) => f.endsWith('.yaml'));
    expect(all.map((e: any) => e.environment)).toHaveLength(fixtures.length);
    expect(all.map((e: any) => e.environment)).toEqual(expect.arrayContaining(['dr', 'fleet', 'minimal']));
    expect([...all.map((e: any) => e.environment)].sort()).toEqual(all.map((e: any) => e.environment));
  });

  it('refuses an unknown environment and format', () => {
    expect(run('report', '--env', 'nope')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('no environment named "nope"; known: prod') });
    expect(run('report', '--format', 'text')).toMatchObject({ code: EXIT.USAGE });
  });
});

describe('help', () => {
  it('documents every command', () => {
    for (const c of ['synth', 'validate', 'diff', 'report']) {
      expect(run(c, '--help')).toMatchObject({ code: EXIT.OK, out: expect.stringContaining(`Usage: meridian ${c}`) });
      expect(run('--help').out).toContain(`  ${c} `);
    }
  });
});
