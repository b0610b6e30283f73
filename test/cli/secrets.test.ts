// What the user sees when a secret is where it must not be: the field and the kind of material,
// never the value, on stderr of `synth` (environment files) and `validate` (a dist/ tree).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli';
import { readTree, tempDir } from '../helpers';
import { find, fullBundle, render } from '../validate/full-bundle';

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), color: false };
  return { code: main(argv, io), out, err };
}

describe('secrets on the command line', () => {
  it('synth refuses credentials in the repository URL at their location, without printing them, and writes nothing', () => {
    // GIVEN an environment whose repoURL carries a password, and a token pasted into an image
    const root = tempDir();
    const envs = path.join(root, 'environments');
    fs.mkdirSync(envs);
    const text = fs
      .readFileSync('test/fixtures/environments/minimal.yaml', 'utf8')
      .replace(/repoURL: \S+/, 'repoURL: https://deploy:Hunter2Hunter2@git.example.org/min.git');
    fs.writeFileSync(path.join(envs, 'minimal.yaml'), text);
    const out = path.join(root, 'dist');
    // WHEN synthesized
    const r = run('synth', '--environments', envs, '--out', out);
    // THEN exit 1, the field and the kind are named, the password is not, and nothing is written
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.err).toMatch(/minimal\.yaml:\d+:\d+: argocd\.repoURL: holds a password in a URL; /);
    expect(r.err).not.toContain('Hunter2');
    expect(readTree(out).size).toBe(0);
  });

  it('validate names the rule and the kind of material, never the value', () => {
    // GIVEN a dist/ tree with a password in the ApplicationSet's repository URL and a token in a report
    const b = fullBundle();
    const set = find(b, 'argocd', 'ApplicationSet', 'meridian-demo');
    const url = 'https://deploy:Hunter2Hunter2@git.example.com/bundles.git';
    set.spec.generators[0].git.repoURL = url;
    set.spec.template.spec.source.repoURL = url;
    const files = render(b);
    files.set('demo.report.md', '# demo\n\nVault root token: hvs.CAESIJyZ0123456789AbCdEfGhIjKlMn\n');
    const dir = tempDir();
    for (const [file, content] of files) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    // WHEN validated, in text and in JSON
    const text = run('validate', dir);
    const json = run('validate', dir, '--format', 'json');
    // THEN both violations are reported, and neither output holds the values
    expect(text.code).toBe(EXIT.ERROR);
    expect(text.err).toMatch(/MER030 no-secret-material: ApplicationSet argocd\/meridian-demo spec\.generators\[0\]\.git\.repoURL: holds a password in a URL/);
    expect(text.err).toMatch(/demo\.report\.md:3:1: MER031 no-secret-in-files: holds a Vault token/);
    for (const shown of [text.err, text.out, json.out, json.err]) {
      expect(shown).not.toContain('Hunter2');
      expect(shown).not.toContain('CAESIJyZ0123');
    }
  });
});
