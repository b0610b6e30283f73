import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli';
import { readTree, tempDir } from '../helpers';

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), color: false };
  return { code: main(argv, io), out, err };
}

describe('meridian synth', () => {
  it('writes the output and prints a summary with objects per component and quorum per store', () => {
    const out = path.join(tempDir(), 'dist');
    const r = run('synth', '--out', out);
    expect(r.code).toBe(EXIT.OK);
    // prod's seal is a multi-Region key used in each cluster's own region: no warning
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^synthesized 1 environment\(s\), 3 cluster\(s\), \d+ objects in \d+ files -> .*dist\/ \(\d+\.\d\d s\)$/m);
    expect(r.out).toMatch(/^ {2}cluster1 +us-east-1 +\d+/m);
    expect(r.out).toContain('vault: 9 voters (3/3/3 per cluster), quorum 5, survives the loss of any 1 cluster(s)');
    expect(r.out).toContain('cockroachdb: 9 nodes (3/3/3 per cluster), 5 voters per range (survival goal region), survives the loss of any 1 cluster(s)');
    expect(fs.existsSync(path.join(out, 'cluster1', 'kustomization.yaml'))).toBe(true);
  });

  it('with --strict, turns warnings into located errors and writes nothing', () => {
    // GIVEN the default environment with its multi-Region seal key replaced by an alias of one region
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'environments'));
    const text = fs.readFileSync('environments/prod.yaml', 'utf8').replace(/kmsKeyId: mrk-[0-9a-f]+/, 'kmsKeyId: alias/meridian-vault');
    fs.writeFileSync(path.join(root, 'environments', 'prod.yaml'), text);
    const out = path.join(root, 'dist');
    const r = run('synth', '--environments', path.join(root, 'environments'), '--out', out, '--strict');
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.err).toMatch(/prod\.yaml:58:17: vault\.seal\.awskms\.kmsKeyId: alias\/meridian-vault is a single-Region key or an alias in us-east-1: losing region us-east-1 leaves every restarted Vault pod sealed in us-east-2, us-west-2 as well.* \(--strict\)$/m);
    expect(readTree(out).size).toBe(0);
  });

  it('refuses to let globalnet: auto switch on an environment whose committed output has it off', () => {
    // GIVEN an environment synthesized once with distinct CIDRs
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'envs'));
    const file = path.join(root, 'envs', 'minimal.yaml');
    const text = fs.readFileSync('test/fixtures/environments/minimal.yaml', 'utf8');
    fs.writeFileSync(file, text);
    const out = path.join(root, 'dist');
    expect(run('synth', '--environments', path.join(root, 'envs'), '--out', out).code).toBe(EXIT.OK);
    const before = readTree(out);
    // WHEN a typo makes two pod CIDRs overlap
    fs.writeFileSync(file, text.replace('podCIDR: 10.1.0.0/16', 'podCIDR: 10.0.0.0/16'));
    const r = run('synth', '--environments', path.join(root, 'envs'), '--out', out);
    // THEN synth refuses at the submariner block and dist/ stays as committed
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.err).toMatch(/minimal\.yaml:\d+:\d+: submariner: globalnet: auto would switch globalnet on because west podCIDR 10\.0\.0\.0\/16 overlaps east podCIDR 10\.0\.0\.0\/16, but the committed output runs with globalnet off/);
    expect(readTree(out)).toEqual(before);
    // AND an explicit globalnet: true is the way to migrate on purpose
    fs.writeFileSync(file, text.replace('podCIDR: 10.1.0.0/16', 'podCIDR: 10.0.0.0/16').replace('  ipsecPSKSecret: psk', '  ipsecPSKSecret: psk\n  globalnet: true'));
    expect(run('synth', '--environments', path.join(root, 'envs'), '--out', out).code).toBe(EXIT.OK);
  });

  it('exits 1 with located errors on stderr and writes nothing', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'envs'));
    fs.writeFileSync(path.join(root, 'envs', 'bad.yaml'), 'name: Bad\n');
    const out = path.join(root, 'dist');
    const r = run('synth', '--environments', path.join(root, 'envs'), '--out', out);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/bad\.yaml:1:7: name: "Bad" has the wrong format/);
    expect(r.err).toMatch(/nothing was written/);
    expect(readTree(out).size).toBe(0);
  });

  it('prints help and rejects unknown commands and flags with exit 2', () => {
    expect(run('synth', '--help')).toMatchObject({ code: EXIT.OK, out: expect.stringContaining('Usage: meridian synth') });
    expect(run('--help')).toMatchObject({ code: EXIT.OK, out: expect.stringContaining('Commands:') });
    expect(run()).toMatchObject({ code: EXIT.USAGE });
    expect(run('deploy')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('unknown command "deploy"') });
    expect(run('synth', '--bogus')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining("Unknown option '--bogus'") });
  });

  it('never colours output unless asked', () => {
    const r = run('synth', '--out', path.join(tempDir(), 'dist'));
    expect(r.out).not.toMatch(/\u001b\[/);
  });
});
