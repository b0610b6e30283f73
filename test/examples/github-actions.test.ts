// The CI recipe examples/github-actions/meridian.yml: every `run:` block is valid bash, and the ones that
// need no network (all but `npm ci` and `gh pr comment`) run as written against a scratch repository with
// a pull request that changes the Vault image, then with its committed dist/ made stale.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers';

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
}

const workflow = parse(fs.readFileSync('examples/github-actions/meridian.yml', 'utf8')) as { jobs: { review: { env: Record<string, string>; steps: Step[] } } };
const job = workflow.jobs.review;
const steps = job.steps.filter((s): s is Step & { run: string; name: string } => typeof s.run === 'string');
const step = (name: string): Step & { run: string } => steps.find((s) => s.name === name)!;
const NETWORK = /^\s*(npm ci|gh )/m;

/** `meridian synth` run in the repository, as a user runs it (the report names environments/prod.yaml). */
function synth(root: string): void {
  const r = spawnSync(process.execPath, ['bin/meridian.js', 'synth', '--quiet'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth: ${r.stderr}`);
}

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/** A repository like a user's: environments/, the committed dist/, the CLI; `npm` runs package.json's synth after its build. */
function scratch(): string {
  const root = tempDir('meridian-ci-');
  fs.mkdirSync(path.join(root, 'environments'));
  fs.copyFileSync('environments/prod.yaml', path.join(root, 'environments', 'prod.yaml'));
  fs.symlinkSync(path.resolve('bin'), path.join(root, 'bin'));
  fs.mkdirSync(path.join(root, '.shim'));
  // package.json: "synth": "npm run -s build && node bin/meridian.js synth"; the build is done already
  fs.writeFileSync(path.join(root, '.shim', 'npm'), '#!/bin/sh\n[ "$1 $2 $3 $4" = "run -s synth --" ] || { echo "unexpected npm $*" >&2; exit 2; }\nshift 4\nexec node bin/meridian.js synth "$@"\n', { mode: 0o755 });
  git(root, 'init', '-q', '-b', 'main');
  fs.appendFileSync(path.join(root, '.git', 'info', 'exclude'), '.shim\nbin\nmeridian-diff.md\n');
  synth(root);
  git(root, 'add', '-A');
  git(root, '-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', 'commit', '-qm', 'base');
  git(root, 'update-ref', 'refs/remotes/origin/main', 'main');
  return root;
}

/** Runs one step's block as GitHub does (`bash --noprofile --norc -eo pipefail`), with the job's and the step's env. */
function runStep(root: string, s: Step & { run: string }, output: string): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(root, '.shim', 'step.sh');
  fs.writeFileSync(file, s.run);
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.join(root, '.shim')}:${process.env.PATH ?? ''}`, GITHUB_OUTPUT: output, ...job.env, ...(s.env ?? {}), BASE_REF: 'main' },
  });
}

describe('examples/github-actions/meridian.yml', () => {
  it('has valid bash in every run block', () => {
    expect(steps.map((s) => s.name)).toEqual(['Install', 'Check that the committed dist/ is fresh', 'Validate dist/', 'Review comment', 'Post the comment', 'Fail on the risks in FAIL_ON']);
    for (const s of steps) {
      const r = spawnSync('bash', ['-n'], { input: s.run, encoding: 'utf8' });
      expect({ step: s.name, status: r.status, stderr: r.stderr }).toEqual({ step: s.name, status: 0, stderr: '' });
    }
  });

  describe('on a pull request that changes the Vault image', () => {
    let root = '';
    let output = '';
    beforeAll(() => {
      root = scratch();
      git(root, 'checkout', '-q', '-b', 'pr');
      const env = path.join(root, 'environments', 'prod.yaml');
      fs.writeFileSync(env, fs.readFileSync(env, 'utf8').replace('hashicorp/vault:1.17.6', 'hashicorp/vault:1.17.7'));
      synth(root);
      git(root, 'add', '-A');
      git(root, '-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', 'commit', '-qm', 'vault 1.17.7');
      output = path.join(root, '.shim', 'github-output');
      fs.writeFileSync(output, '');
    });

    it('passes the freshness check and the validation', () => {
      const fresh = runStep(root, step('Check that the committed dist/ is fresh'), output);
      // synth's own warnings (located `warning:` lines) may precede; nothing else goes to stderr
      expect({ status: fresh.status, stderr: withoutWarnings(fresh.stderr) }).toEqual({ status: 0, stderr: '' });
      expect(runStep(root, step('Validate dist/'), output)).toMatchObject({ status: 0, stdout: expect.stringMatching(/^valid: /) });
    });

    it('writes the comment, records exit 4 for the quorum risk, and the gate step fails the job', () => {
      const review = runStep(root, step('Review comment'), output);
      expect({ status: review.status, stderr: review.stderr }).toEqual({ status: 0, stderr: 'meridian: risk of class quorum present (--fail-on quorum,prune)\n' });
      expect(fs.readFileSync(output, 'utf8')).toBe('code=4\n');
      const comment = fs.readFileSync(path.join(root, 'meridian-diff.md'), 'utf8');
      expect(comment.split('\n').slice(0, 5)).toEqual([
        '### meridian diff: `origin/main` → `HEAD`',
        '',
        '#### Risk',
        '',
        expect.stringMatching(/^- \*\*quorum\*\* `store vault\/vault` in cluster1, cluster2, cluster3: .*RollingSync/),
      ]);
      expect(comment).toContain('<summary><b>Upgrade the vault image</b>');
      expect(NETWORK.test(step('Post the comment').run)).toBe(true); // not run here: it needs GitHub
      expect(runStep(root, step('Fail on the risks in FAIL_ON'), output).status).toBe(1);
    });

    it('fails the freshness check once the committed dist/ is stale', () => {
      fs.appendFileSync(path.join(root, 'dist', 'cluster1', 'vault.yaml'), '# edited by hand\n');
      git(root, '-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', 'commit', '-qam', 'hand edit');
      const r = runStep(root, step('Check that the committed dist/ is fresh'), output);
      expect(r.status).toBe(1);
      expect(withoutWarnings(r.stderr)).toBe('::error::dist/ differs from a fresh synth of environments/: run npm run synth and commit dist/\n M dist/cluster1/vault.yaml\n');
    });
  });

});

/** stderr without meridian's `warning:` lines (valid but surprising choices of the environment file). */
function withoutWarnings(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !l.startsWith('warning: '))
    .join('\n');
}
