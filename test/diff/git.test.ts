// `meridian diff` end to end: fixture environments committed with their dist/ in a temporary git
// repository, then edited in the working tree.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli';
import { diffTrees, diffWorkingTree, gitBlobId, readFolderAtRef, type BundleDiff } from '../../src/diff';
import { synthToDisk } from '../../src/main';
import { readTree, tempDir } from '../helpers';

const MINIMAL = fs.readFileSync('test/fixtures/environments/minimal.yaml', 'utf8');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 't@example.com' } });
}

/** A repository with environments/minimal.yaml (optionally edited) and its synthesized dist/, committed. */
function repository(environment = MINIMAL): { root: string; envs: string; out: string; edit: (f: (text: string) => string) => void } {
  const root = tempDir('meridian-diff-');
  git(root, 'init', '-q');
  const envs = path.join(root, 'environments');
  fs.mkdirSync(envs);
  fs.writeFileSync(path.join(envs, 'minimal.yaml'), environment);
  const out = path.join(root, 'dist');
  synthToDisk({ envDir: envs, outDir: out });
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'base');
  const edit = (f: (text: string) => string): void => fs.writeFileSync(path.join(envs, 'minimal.yaml'), f(fs.readFileSync(path.join(envs, 'minimal.yaml'), 'utf8')));
  return { root, envs, out, edit };
}

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), color: false };
  return { code: main(argv, io), out, err };
}

const entries = (d: BundleDiff): { folder: string; change: string; kind: string; namespace?: string; name: string }[] =>
  d.folders.flatMap((f) => f.components.flatMap((c) => c.entries.map((e) => ({ folder: f.folder, change: e.change, kind: e.kind, ...(e.namespace ? { namespace: e.namespace } : {}), name: e.name }))));

describe('readFolderAtRef', () => {
  it('reads dist/ as committed, byte for byte, without touching the working tree', () => {
    const r = repository();
    const committed = readTree(r.out);
    fs.rmSync(r.out, { recursive: true });
    expect(readFolderAtRef(r.out, 'HEAD')).toEqual(committed);
    expect(fs.existsSync(r.out)).toBe(false);
  });
});

describe('gitBlobId', () => {
  it('is the id git hash-object gives the same text, bytes not characters counted', () => {
    const root = tempDir('meridian-hash-');
    git(root, 'init', '-q');
    for (const text of ['', 'kind: Namespace\n', 'name: café ☕ — 東京\n', 'no newline at the end']) {
      const file = path.join(root, 'blob');
      fs.writeFileSync(file, text);
      expect(gitBlobId(text)).toBe(git(root, 'hash-object', file).trim());
    }
  });
});

describe('meridian diff', () => {
  it('exits 0 and says so when the working tree synthesizes to the committed dist/', () => {
    const r = repository();
    const res = run('diff', '--environments', r.envs, '--out', r.out);
    expect(res).toMatchObject({ code: EXIT.OK, err: '' });
    expect(res.out).toBe('no changes: dist/ at HEAD equals a fresh synth of the working tree\n');
  });

  it('one replica count: exit 3, the report changes, no object appears or disappears', () => {
    const r = repository();
    r.edit((t) => t.replace('replicas: 7', 'replicas: 8'));
    const d = diffWorkingTree({ envDir: r.envs, outDir: r.out });
    expect(d.files).toEqual([{ file: 'minimal.report.md', change: 'changed', linesAdded: 2, linesRemoved: 2 }]);
    expect(entries(d).filter((e) => e.change !== 'changed')).toEqual([]);
    for (const f of d.folders.flatMap((x) => x.components.flatMap((c) => c.entries.flatMap((e) => e.fields ?? [])))) expect(f.path).toMatch(/replicas/i);
    expect(run('diff', '--environments', r.envs, '--out', r.out).code).toBe(EXIT.CHANGES);
  });

  it('one new cluster: its folder is added object by object, nothing is removed', () => {
    const r = repository();
    r.edit((t) => t.replace(/(\n {2}- \{ name: north[^\n]*)/, '$1\n  - { name: south, region: eu-south-1, server: https://south.example.org:6443, podCIDR: 10.3.0.0/16, serviceCIDR: 10.103.0.0/16 }'));
    const d = diffWorkingTree({ envDir: r.envs, outDir: r.out });
    const south = entries(d).filter((e) => e.folder === 'south');
    expect(south.every((e) => e.change === 'added')).toBe(true);
    expect(south).toEqual(expect.arrayContaining([{ folder: 'south', change: 'added', kind: 'Kustomization', name: '(kustomization.yaml)' }, { folder: 'south', change: 'added', kind: 'Namespace', name: 'api' }]));
    expect(entries(d).filter((e) => e.change === 'removed')).toEqual([]);
    expect(d.files.map((f) => `${f.file} ${f.change}`)).toEqual(['minimal.prerequisites.json changed', 'minimal.report.md changed']);
    const res = run('diff', '--environments', r.envs, '--out', r.out, '--format', 'markdown');
    expect(res.code).toBe(EXIT.CHANGES);
    expect(res.out).toMatch(/\| south \| minimal \| \d+ \| 0 \| 0 \|/);
    expect(res.out).toContain('<summary><b>south</b>:');
    // the base environment file is read from git: the report change is the new cluster and its runbook
    expect(d.review?.reports.map((x) => [x.environment, x.clustersAdded])).toEqual([['minimal', ['south']]]);
    expect(d.review?.runbooks.map((x) => x.id)).toEqual(['add-cluster-south']);
    expect(res.out).not.toContain('minimal.report.md` changed');
  });

  it('--fail-on exits 4 when a risk of a named class is present, 3 otherwise, 2 for an unknown class', () => {
    const r = repository();
    r.edit((t) => t.replace('image: example.org/api:1', 'image: example.org/api:2'));
    const d = diffWorkingTree({ envDir: r.envs, outDir: r.out });
    expect(d.risks.map((x) => `${x.class} ${x.subject}`)).toEqual(['restart Deployment api/api']);
    const args = ['diff', '--environments', r.envs, '--out', r.out];
    expect(run(...args, '--fail-on', 'restart')).toMatchObject({ code: EXIT.RISK, err: 'meridian: risk of class restart present (--fail-on restart)\n' });
    expect(run(...args, '--fail-on', 'quorum,prune').code).toBe(EXIT.CHANGES);
    expect(run(...args, '--fail-on', 'quorum,bogus')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('not "bogus"') });
    const text = run(...args);
    expect(text.out.split('\n')[0]).toMatch(/^risk: restart Deployment api\/api in \w+ \(\d+ pods\), .*pods restart \(pod template: spec\.containers\[name=api\]\.image\)$/);
    expect(JSON.parse(run(...args, '--format', 'json').out).risks).toEqual(JSON.parse(JSON.stringify(d.risks)));
  });

  it('one removed service: its namespace goes in every cluster, nothing is added', () => {
    const r = repository(`${MINIMAL}  - { name: jobs, namespace: jobs, image: example.org/jobs:1, port: 8080, healthPath: /ready, replicas: 3 }\n`);
    r.edit((t) => t.replace(/ {2}- \{ name: jobs[^\n]*\n/, ''));
    const d = diffWorkingTree({ envDir: r.envs, outDir: r.out });
    const removed = entries(d).filter((e) => e.change === 'removed');
    expect(removed.filter((e) => e.kind === 'Namespace')).toEqual(['east', 'north', 'west'].map((folder) => ({ folder, change: 'removed', kind: 'Namespace', name: 'jobs' })));
    expect(removed.every((e) => e.name === 'jobs' || e.namespace === 'jobs')).toBe(true);
    expect(entries(d).filter((e) => e.change === 'added')).toEqual([]);
    expect(d.files.map((f) => `${f.file} ${f.change}`)).toEqual(['minimal.report.md changed']);
    const res = run('diff', '--environments', r.envs, '--out', r.out);
    expect(res.code).toBe(EXIT.CHANGES);
    expect(res.out).toContain('    - v1 Namespace jobs');
  });

  it('with --env compares only that environment\'s folders and report', () => {
    const r = repository();
    fs.copyFileSync('test/fixtures/environments/active-passive.yaml', path.join(r.envs, 'dr.yaml'));
    synthToDisk({ envDir: r.envs, outDir: r.out });
    git(r.root, 'add', '-A');
    git(r.root, 'commit', '-qm', 'add dr');
    r.edit((t) => t.replace('replicas: 7', 'replicas: 8'));
    expect(run('diff', '--environments', r.envs, '--out', r.out, '--env', 'dr').code).toBe(EXIT.OK);
    const d = diffWorkingTree({ envDir: r.envs, outDir: r.out, environment: 'minimal' });
    expect(d.files.map((f) => f.file)).toEqual(['minimal.report.md']);
    expect(run('diff', '--environments', r.envs, '--out', r.out, '--env', 'nope')).toMatchObject({ code: EXIT.ERROR, err: expect.stringContaining('no environment named "nope"') });
  });

  it('compares with an older revision given as --base', () => {
    const r = repository();
    r.edit((t) => t.replace('replicas: 7', 'replicas: 9'));
    synthToDisk({ envDir: r.envs, outDir: r.out });
    git(r.root, 'commit', '-qam', 'scale api');
    expect(run('diff', '--environments', r.envs, '--out', r.out).code).toBe(EXIT.OK);
    const res = run('diff', '--environments', r.envs, '--out', r.out, '--base', 'HEAD~1', '--format', 'json');
    expect(res.code).toBe(EXIT.CHANGES);
    expect(JSON.parse(res.out)).toMatchObject({ base: 'HEAD~1', head: 'working tree', files: [{ file: 'minimal.report.md', change: 'changed' }] });
  });

  it('reads from git only the committed files that a fresh synth does not reproduce byte for byte', () => {
    // GIVEN a repository whose blob of east/namespaces.yaml is gone (the tree still lists it)
    const r = repository();
    const sha = git(r.root, 'rev-parse', 'HEAD:dist/east/namespaces.yaml').trim();
    fs.rmSync(path.join(r.root, '.git', 'objects', sha.slice(0, 2), sha.slice(2)));
    expect(() => readFolderAtRef(r.out, 'HEAD')).toThrow(/git cat-file/);
    // WHEN the working tree changes elsewhere THEN the diff never asks git for that blob
    r.edit((t) => t.replace('replicas: 7', 'replicas: 8'));
    const d = diffWorkingTree({ envDir: r.envs, outDir: r.out });
    expect(d.files.map((f) => f.file)).toEqual(['minimal.report.md']);
    expect(entries(d).length).toBeGreaterThan(0);
  });

  it('exits 1 with a message on an unknown revision, outside a repository, on a corrupt committed file and on bad environment files', () => {
    const r = repository();
    expect(run('diff', '--environments', r.envs, '--out', r.out, '--base', 'nope')).toMatchObject({ code: EXIT.ERROR, err: expect.stringContaining('unknown revision "nope"') });
    const outside = tempDir('meridian-nogit-');
    expect(run('diff', '--environments', r.envs, '--out', path.join(outside, 'dist'))).toMatchObject({ code: EXIT.ERROR, err: expect.stringMatching(/git rev-parse failed: fatal: not a git repository/) });
    fs.appendFileSync(path.join(r.out, 'east', 'namespaces.yaml'), '---\nkind: [unclosed\n');
    git(r.root, 'commit', '-qam', 'corrupt');
    expect(run('diff', '--environments', r.envs, '--out', r.out)).toMatchObject({ code: EXIT.ERROR, err: expect.stringContaining('east/namespaces.yaml: not valid YAML') });
    r.edit((t) => t.replace('name: minimal', 'name: Minimal'));
    expect(run('diff', '--environments', r.envs, '--out', r.out)).toMatchObject({ code: EXIT.ERROR, err: expect.stringContaining('minimal.yaml:3:7: name:') });
    expect(run('diff', '--format', 'html')).toMatchObject({ code: EXIT.USAGE, err: expect.stringContaining('--format must be one of text, markdown, json') });
  });
});

describe('meridian diff --head', () => {
  /** The repository with a second commit: api scaled from 7 to 8 replicas, dist/ synthesized again. */
  function scaled(): ReturnType<typeof repository> {
    const r = repository();
    r.edit((t) => t.replace('replicas: 7', 'replicas: 8'));
    synthToDisk({ envDir: r.envs, outDir: r.out });
    git(r.root, 'commit', '-qam', 'scale api');
    return r;
  }

  it('compares dist/ at two revisions: exactly the changed object and the report, exit 3', () => {
    const r = scaled();
    // no environment files and no dist/ in the working tree: both sides come from git
    fs.rmSync(r.envs, { recursive: true });
    fs.rmSync(r.out, { recursive: true });
    const res = run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out, '--format', 'json');
    expect(res).toMatchObject({ code: EXIT.CHANGES, err: '' });
    const d = JSON.parse(res.out) as BundleDiff;
    expect(d).toMatchObject({ base: 'HEAD~1', head: 'HEAD', summary: { added: 0, removed: 0, changed: 1, files: 1 } });
    expect(d.folders).toEqual([
      {
        folder: 'west',
        environment: 'minimal',
        added: 0,
        removed: 0,
        changed: 1,
        components: [{ component: 'services', entries: [{ change: 'changed', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'api', name: 'api', file: 'west/services/services.yaml', fields: [{ path: 'spec.replicas', change: 'changed', old: 2, new: 3 }] }] }],
      },
    ]);
    expect(d.files).toEqual([{ file: 'minimal.report.md', change: 'changed', linesAdded: 2, linesRemoved: 2 }]);
    // the same result as comparing the two trees read in full
    const base = readFolderAtRef(r.out, 'HEAD~1');
    const head = readFolderAtRef(r.out, 'HEAD');
    const { review, ...objects } = d;
    expect(objects).toEqual(diffTrees(base, head, { base: 'HEAD~1', head: 'HEAD' }));
    // the report change as meaning, from the environment files of the repository holding --out
    expect(review?.reports.map((x) => x.replicaSplits)).toEqual([[{ service: 'api', before: { east: 3, north: 2, west: 2 }, after: { east: 3, north: 2, west: 3 } }]]);
    // the labels name both revisions
    expect(run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out, '--format', 'markdown').out).toMatch(/^### meridian diff: `HEAD~1` → `HEAD`\n/);
    expect(run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out).out).toMatch(/\(HEAD~1 -> HEAD\)\n$/);
  });

  it('exits 0 when both revisions hold the same dist/, whatever the working tree holds', () => {
    const r = scaled();
    r.edit((t) => t.replace('replicas: 8', 'replicas: 9'));
    fs.writeFileSync(path.join(r.out, 'east', 'namespaces.yaml'), 'kind: [unclosed\n');
    git(r.root, 'commit', '-qm', 'environment only', '--', r.envs);
    const res = run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out);
    expect(res).toEqual({ code: EXIT.OK, out: 'no changes: dist/ at HEAD~1 equals dist/ at HEAD\n', err: '' });
    expect(run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out, '--format', 'markdown').out).toBe('### meridian diff: `HEAD~1` → `HEAD`\n\nNo changes: `dist/` at `HEAD~1` equals `dist/` at `HEAD`.\n');
  });

  it('reads only the blobs whose ids differ between the two revisions', () => {
    // GIVEN the blob of a file that did not change is gone (both trees still list it)
    const r = scaled();
    const sha = git(r.root, 'rev-parse', 'HEAD:dist/east/namespaces.yaml').trim();
    expect(git(r.root, 'rev-parse', 'HEAD~1:dist/east/namespaces.yaml').trim()).toBe(sha);
    fs.rmSync(path.join(r.root, '.git', 'objects', sha.slice(0, 2), sha.slice(2)));
    // WHEN compared THEN nothing asks git for it
    expect(run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out)).toMatchObject({ code: EXIT.CHANGES, err: '' });
    expect(() => readFolderAtRef(r.out, 'HEAD')).toThrow(/git cat-file/);
  });

  it('with --env compares only the folders labelled with that environment and its report', () => {
    const r = repository();
    fs.copyFileSync('test/fixtures/environments/active-passive.yaml', path.join(r.envs, 'dr.yaml'));
    synthToDisk({ envDir: r.envs, outDir: r.out });
    git(r.root, 'add', '-A');
    git(r.root, 'commit', '-qm', 'add dr');
    r.edit((t) => t.replace('replicas: 7', 'replicas: 8'));
    synthToDisk({ envDir: r.envs, outDir: r.out });
    git(r.root, 'commit', '-qam', 'scale api');
    expect(run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out, '--env', 'dr')).toMatchObject({ code: EXIT.OK, out: expect.stringContaining('no changes') });
    const res = run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out, '--env', 'minimal', '--format', 'json');
    expect(res.code).toBe(EXIT.CHANGES);
    const d = JSON.parse(res.out) as BundleDiff;
    expect(entries(d)).toEqual([{ folder: 'west', change: 'changed', kind: 'Deployment', namespace: 'api', name: 'api' }]);
    expect(d.files.map((f) => f.file)).toEqual(['minimal.report.md']);
    // from the revision before dr existed, dr's folders and report are all added, and minimal's are out of scope
    const added = JSON.parse(run('diff', '--base', 'HEAD~2', '--head', 'HEAD~1', '--out', r.out, '--env', 'dr', '--format', 'json').out) as BundleDiff;
    expect(added.folders.map((f) => f.folder)).toEqual(['argocd', 'primary', 'standby']);
    expect(entries(added).filter((e) => e.folder !== 'argocd').every((e) => e.change === 'added')).toBe(true);
    expect(added.files).toEqual([expect.objectContaining({ file: 'dr.report.md', change: 'added' })]);
    // argocd/ holds both environments' objects: it belongs to no single environment
    const unscoped = JSON.parse(run('diff', '--base', 'HEAD~2', '--head', 'HEAD~1', '--out', r.out, '--format', 'json').out) as BundleDiff;
    expect(unscoped.folders.map((f) => `${f.folder} ${f.environment ?? '(none)'}`)).toEqual(['argocd (none)', 'primary dr', 'standby dr']);
    // and --env minimal keeps only minimal's ApplicationSet there (its generator now excludes dr's folders), not dr's
    const minimalOnly = JSON.parse(run('diff', '--base', 'HEAD~2', '--head', 'HEAD~1', '--out', r.out, '--env', 'minimal', '--format', 'json').out) as BundleDiff;
    expect(entries(minimalOnly).filter((e) => e.folder === 'argocd').sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual(
      ['meridian-minimal', 'meridian-minimal-services', 'meridian-minimal-vault-config', 'meridian-minimal-vault-pki'].map((name) => ({ folder: 'argocd', change: 'changed', kind: 'ApplicationSet', namespace: 'argocd', name })),
    );
    expect(run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out, '--env', 'nope')).toMatchObject({ code: EXIT.ERROR, err: expect.stringContaining('no environment named "nope"') });
  });

  it('exits 1 naming --head on an unknown revision, and 2 when given environment files', () => {
    const r = scaled();
    expect(run('diff', '--head', 'nope', '--out', r.out)).toMatchObject({ code: EXIT.ERROR, out: '', err: 'meridian: unknown revision "nope"; give a branch, tag or commit (--head)\n' });
    expect(run('diff', '--base', 'nope', '--head', 'HEAD', '--out', r.out)).toMatchObject({ code: EXIT.ERROR, err: expect.stringContaining('(--base)') });
    const res = run('diff', '--base', 'HEAD~1', '--head', 'HEAD', '--out', r.out, '--environments', r.envs);
    expect(res).toMatchObject({ code: EXIT.USAGE, out: '' });
    expect(res.err).toMatch(/^meridian: --environments cannot be used with --head: both sides are read from git and nothing is synthesized/);
  });
});
