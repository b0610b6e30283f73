// The writer only replaces what meridian wrote, refuses every output folder it must not write, and
// leaves the old tree or the new one whatever happens to it: scratch repositories, crash states built by
// hand, and file-system errors injected into node:fs.
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthToDisk } from '../../src/main';
import { OWNED_FILE } from '../../src/synth/owned';
import { OutputRefusedError, recoverOutput, WriteError } from '../../src/synth/write';
import { treeFromDirectory, validateTree } from '../../src/validate';
import { FIXTURE_ENVIRONMENTS, readTree, tempDir } from '../helpers';
import { scratch } from './scratch';

const MINIMAL = fs.readFileSync(`${FIXTURE_ENVIRONMENTS}/minimal.yaml`, 'utf8');

/** Every file and folder under `root` except .git's content: what a refused synth must leave as it was. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isSymbolicLink()) out.set(r, `-> ${fs.readlinkSync(path.join(root, r))}`);
      else if (e.isDirectory()) {
        out.set(`${r}/`, '');
        if (e.name !== '.git') walk(r);
      } else out.set(r, fs.readFileSync(path.join(root, r), 'utf8'));
    }
  };
  walk('');
  return out;
}

const fsc = createRequire(import.meta.url)('node:fs') as Record<string, (...args: any[]) => any>;

/** Runs `fn` while `name` of node:fs throws `code` for calls whose first argument contains `match`. */
function withFault<T>(name: string, code: string, match: string, fn: () => T): T {
  const original = fsc[name]!;
  fsc[name] = (...args: any[]) => {
    if (String(args[0]).includes(match)) throw Object.assign(new Error(`${code}: injected`), { code, path: String(args[0]), syscall: name });
    return original(...args);
  };
  syncBuiltinESMExports();
  try {
    return fn();
  } finally {
    fsc[name] = original;
    syncBuiltinESMExports();
  }
}

describe('synth refuses an output folder it must not write, before writing anything', () => {
  const cases: { name: string; out: (r: ReturnType<typeof scratch>) => string; envs?: string; message: RegExp }[] = [
    { name: 'the repository root', out: (r) => r.root, message: /holds \.git, so it is the root of a repository/ },
    {
      name: 'a folder holding a repository deeper inside',
      out: (r) => {
        fs.mkdirSync(path.join(r.root, 'vendor', 'lib', '.git'), { recursive: true });
        return path.join(r.root, 'vendor');
      },
      message: /holds a repository at .*vendor\/lib\/\.git; meridian never writes over \.git/,
    },
    { name: 'the environments folder', out: (r) => r.envs, message: /is the environments folder/ },
    { name: 'a folder inside the environments folder', out: (r) => path.join(r.envs, 'generated'), message: /is inside the environments folder/ },
    { name: 'a folder above the environments folder', envs: 'config/environments', out: (r) => path.join(r.root, 'config'), message: /holds the environments folder/ },
    {
      name: 'a file',
      out: (r) => {
        fs.writeFileSync(path.join(r.root, 'README.md'), '# project\n');
        return path.join(r.root, 'README.md');
      },
      message: /is a file, not a folder/,
    },
    {
      name: 'a symbolic link',
      out: (r) => {
        fs.mkdirSync(path.join(r.root, 'real'));
        fs.symlinkSync('real', r.out);
        return r.out;
      },
      message: /is a symbolic link/,
    },
    {
      name: 'a non-empty folder that meridian did not write',
      out: (r) => {
        fs.mkdirSync(path.join(r.root, 'notes'));
        fs.writeFileSync(path.join(r.root, 'notes', 'todo.txt'), 'buy milk\n');
        return path.join(r.root, 'notes');
      },
      message: /is not empty and was not written by meridian \(no meridian-owned\.txt; it holds todo\.txt\)/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = scratch(c.envs ? { envs: c.envs } : {});
      const out = c.out(r);
      const before = snapshot(r.root);
      expect(() => synthToDisk({ envDir: r.envs, outDir: out })).toThrow(OutputRefusedError);
      expect(() => synthToDisk({ envDir: r.envs, outDir: out })).toThrow(c.message);
      expect(snapshot(r.root)).toEqual(before);
    });
  }
});

describe('synth replaces and removes only the files it owns', () => {
  it('records every file it wrote, sorted, with its environment', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    const record = fs.readFileSync(path.join(r.out, OWNED_FILE), 'utf8');
    const lines = record.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual([...lines].sort());
    expect(lines.map((l) => l.split(' ')[0])).toEqual([...readTree(r.out).keys()].filter((f) => f !== OWNED_FILE));
    expect(lines).toContain('argocd/minimal.yaml -');
    expect(lines).toContain('east/kustomization.yaml minimal');
    expect(lines).toContain('minimal.report.md minimal');
  });

  it('adds no folder, so the git directories generator makes no new Application of the record', () => {
    // The generator lists directories only and skips those starting with "." (argo-cd
    // reposerver/repository/repository.go, GetGitDirectories).
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    const folders = fs.readdirSync(r.out, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual(['argocd', 'east', 'north', 'west']);
    expect(fs.statSync(path.join(r.out, OWNED_FILE)).isFile()).toBe(true);
  });

  it('with --env does not carry over a recorded file that was removed by hand', () => {
    const r = scratch();
    fs.copyFileSync(`${FIXTURE_ENVIRONMENTS}/active-passive.yaml`, path.join(r.envs, 'active-passive.yaml'));
    synthToDisk({ envDir: r.envs, outDir: r.out });
    fs.rmSync(path.join(r.out, 'primary', 'services', 'services.yaml'));
    synthToDisk({ envDir: r.envs, outDir: r.out, environment: 'minimal' });
    expect(fs.readFileSync(path.join(r.out, OWNED_FILE), 'utf8')).not.toContain('primary/services/services.yaml');
    expect(fs.existsSync(path.join(r.out, 'primary', 'kustomization.yaml'))).toBe(true);
  });

  it('refuses a foreign file under dist/, names it, and keeps it', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    fs.writeFileSync(path.join(r.out, 'README.md'), '# what is in here\n');
    fs.writeFileSync(path.join(r.out, 'east', 'extra.yaml'), 'kind: ConfigMap\n');
    const before = snapshot(r.root);
    expect(() => synthToDisk({ envDir: r.envs, outDir: r.out })).toThrow(
      /dist: holds files meridian did not write: .*dist\/README\.md, .*dist\/east\/extra\.yaml; .*move them out of .*dist .*extraManifests/,
    );
    expect(snapshot(r.root)).toEqual(before);
  });

  it('refuses a foreign folder under dist/, even an empty one', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    fs.mkdirSync(path.join(r.out, 'docs'));
    expect(() => synthToDisk({ envDir: r.envs, outDir: r.out })).toThrow(/holds a file meridian did not write: .*dist\/docs\//);
    expect(fs.existsSync(path.join(r.out, 'docs'))).toBe(true);
  });

  it('refuses a record that meridian did not write', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    fs.appendFileSync(path.join(r.out, OWNED_FILE), '../../src/main.ts minimal\n');
    expect(() => synthToDisk({ envDir: r.envs, outDir: r.out })).toThrow(/meridian-owned\.txt: line \d+ is not "<path> <environment>" .*git checkout/);
  });

  it('accepts a tree from before the record once, and records it', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    const recorded = fs.readFileSync(path.join(r.out, OWNED_FILE), 'utf8');
    fs.rmSync(path.join(r.out, OWNED_FILE));
    synthToDisk({ envDir: r.envs, outDir: r.out });
    expect(fs.readFileSync(path.join(r.out, OWNED_FILE), 'utf8')).toBe(recorded);
  });

  it('refuses a tree from before the record that holds a file meridian does not write', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    fs.rmSync(path.join(r.out, OWNED_FILE));
    fs.writeFileSync(path.join(r.out, 'east', 'hand-written.yaml'), '# Generated by meridian (not really)\nkind: ConfigMap\nmetadata: {name: x}\n');
    expect(() => synthToDisk({ envDir: r.envs, outDir: r.out })).toThrow(/holds a file meridian did not write: .*dist\/east\/hand-written\.yaml/);
    expect(fs.existsSync(path.join(r.out, OWNED_FILE))).toBe(false);
  });

  it('with --env drops the files of an environment that no longer exists, and keeps the others', () => {
    const r = scratch();
    fs.copyFileSync(`${FIXTURE_ENVIRONMENTS}/active-passive.yaml`, path.join(r.envs, 'active-passive.yaml'));
    synthToDisk({ envDir: r.envs, outDir: r.out });
    expect(fs.existsSync(path.join(r.out, 'primary'))).toBe(true);
    const east = fs.readFileSync(path.join(r.out, 'east', 'services', 'services.yaml'), 'utf8');
    fs.rmSync(path.join(r.envs, 'active-passive.yaml'));
    synthToDisk({ envDir: r.envs, outDir: r.out, environment: 'minimal' });
    const tree = readTree(r.out);
    expect([...tree.keys()].filter((f) => f.startsWith('primary/') || f.startsWith('standby/') || f === 'dr.report.md')).toEqual([]);
    expect(tree.get(OWNED_FILE)).not.toMatch(/ dr$/m);
    expect(tree.get('east/services/services.yaml')).toBe(east);
  });
});

describe('--out and argocd.path agree', () => {
  it('refuses an --out the ApplicationSet does not watch, naming both, and writes nothing', () => {
    const r = scratch();
    const out = path.join(r.root, 'bundles');
    expect(() => synthToDisk({ envDir: r.envs, outDir: out })).toThrow(
      /environments\/minimal\.yaml:5:1: argocd\.path: is "dist", but --out .*bundles writes to bundles \(relative to the repository root .*\); .*set argocd\.path to "bundles"/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('writes where argocd.path points, and the ApplicationSet watches that folder', () => {
    const r = scratch({ environment: MINIMAL.replace('  repoURL: https://git.example.org/min.git', '  repoURL: https://git.example.org/min.git\n  path: deploy/bundles') });
    const out = path.join(r.root, 'deploy', 'bundles');
    synthToDisk({ envDir: r.envs, outDir: out });
    expect(fs.readFileSync(path.join(out, 'argocd', 'minimal.yaml'), 'utf8')).toContain('- path: deploy/bundles/*');
    // and the located error points at the field itself
    expect(() => synthToDisk({ envDir: r.envs, outDir: r.out })).toThrow(/minimal\.yaml:7:3: argocd\.path: is "deploy\/bundles"/);
  });

  it('in a checkout without git, where the root is unknown, wants an --out that ends with argocd.path', () => {
    const r = scratch({ git: false });
    expect(() => synthToDisk({ envDir: r.envs, outDir: path.join(r.root, 'bundles') })).toThrow(/argocd\.path: is "dist", but --out .*bundles does not end with it \(no git repository here/);
    synthToDisk({ envDir: r.envs, outDir: r.out });
    expect(fs.existsSync(path.join(r.out, OWNED_FILE))).toBe(true);
  });

  it('accepts a scratch output outside the repository, which nothing deploys', () => {
    const r = scratch();
    const out = path.join(tempDir(), 'look');
    synthToDisk({ envDir: r.envs, outDir: out });
    expect(fs.existsSync(path.join(out, 'east', 'kustomization.yaml'))).toBe(true);
  });
});

describe('an interrupted write leaves the old tree or the new one', () => {
  /** A synthesized dist/, its files, and a "new" tree (a copy with one file changed) to swap in. */
  function crashed(): { r: ReturnType<typeof scratch>; old: Map<string, string>; next: Map<string, string>; at: (s: string) => string; writeTree: (dir: string, tree: Map<string, string>) => void } {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    const old = readTree(r.out);
    const next = new Map(old);
    next.set('east/services.yaml', `${old.get('east/services.yaml')!}# changed\n`);
    const at = (suffix: string): string => path.join(r.root, `.dist.meridian-${suffix}`);
    const writeTree = (dir: string, tree: Map<string, string>): void => {
      for (const [f, text] of tree) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), text);
      }
    };
    return { r, old, next, at, writeTree };
  }
  const leftovers = (root: string): string[] => fs.readdirSync(root).filter((n) => n.startsWith('.dist'));

  it('killed while building the new tree: the old tree, and the staging folder goes', () => {
    const { r, old, next, at, writeTree } = crashed();
    writeTree(at('new'), new Map([...next].slice(0, 3)));
    recoverOutput(r.out);
    expect(readTree(r.out)).toEqual(old);
    expect(leftovers(r.root)).toEqual([]);
  });

  it('killed after the new tree was complete, before the swap: the new tree', () => {
    const { r, next, at, writeTree } = crashed();
    writeTree(at('new'), next);
    fs.writeFileSync(at('commit'), '');
    recoverOutput(r.out);
    expect(readTree(r.out)).toEqual(next);
    expect(leftovers(r.root)).toEqual([]);
  });

  it('killed between the two renames (no dist/ at all): the new tree', () => {
    const { r, next, at, writeTree } = crashed();
    writeTree(at('new'), next);
    fs.writeFileSync(at('commit'), '');
    fs.renameSync(r.out, at('old'));
    recoverOutput(r.out);
    expect(readTree(r.out)).toEqual(next);
    expect(leftovers(r.root)).toEqual([]);
  });

  it('killed after the swap, before the cleanup: the new tree, and the old one goes', () => {
    const { r, next, at, writeTree } = crashed();
    fs.renameSync(r.out, at('old'));
    writeTree(r.out, next);
    fs.writeFileSync(at('commit'), '');
    recoverOutput(r.out);
    expect(readTree(r.out)).toEqual(next);
    fs.mkdirSync(at('old'));
    recoverOutput(r.out);
    expect(leftovers(r.root)).toEqual([]);
  });

  it('the earlier writer killed between its renames: its old tree comes back, its staging folder goes', () => {
    const { r, old, next, writeTree } = crashed();
    fs.renameSync(r.out, path.join(r.root, '.dist.new-Ab12Cd.old'));
    writeTree(path.join(r.root, '.dist.new-Ab12Cd'), next);
    recoverOutput(r.out);
    expect(readTree(r.out)).toEqual(old);
    expect(leftovers(r.root)).toEqual([]);
  });

  it('a synth finishes what a killed one left, and takes over its stale lock', () => {
    const { r, old, next, at, writeTree } = crashed();
    writeTree(at('new'), next);
    fs.writeFileSync(at('lock'), '2147483646\n');
    synthToDisk({ envDir: r.envs, outDir: r.out });
    expect(readTree(r.out)).toEqual(old);
    expect(leftovers(r.root)).toEqual([]);
  });

  it('a synth refuses to run while a live one holds the lock', () => {
    const { r, at } = crashed();
    fs.writeFileSync(at('lock'), `${process.ppid}\n`);
    expect(() => synthToDisk({ envDir: r.envs, outDir: r.out })).toThrow(new RegExp(`another meridian synth \\(pid ${process.ppid}\\) is writing`));
  });
});

describe('file-system errors are `path: what is wrong`, and the previous tree stays', () => {
  const cases = [
    { name: 'a read-only file system', fn: 'mkdirSync', code: 'EROFS', match: '.dist.meridian-new', message: /\.dist\.meridian-new: read-only file system; write the output to a writable folder; .*dist was left as it was/ },
    { name: 'a full disk', fn: 'writeFileSync', code: 'ENOSPC', match: 'meridian-new/', message: /\.dist\.meridian-new\/.*: no space left on device; free some space and run again; .*dist was left as it was/ },
    { name: 'a rename that is not permitted', fn: 'renameSync', code: 'EACCES', match: 'meridian-new', message: /permission denied; make the folder writable for this user/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = scratch();
      synthToDisk({ envDir: r.envs, outDir: r.out });
      fs.writeFileSync(path.join(r.envs, 'minimal.yaml'), MINIMAL.replace('replicas: 7', 'replicas: 8'));
      const before = snapshot(r.root);
      let error: unknown;
      withFault(c.fn, c.code, c.match, () => {
        try {
          synthToDisk({ envDir: r.envs, outDir: r.out });
        } catch (e) {
          error = e;
        }
      });
      expect(error).toBeInstanceOf(WriteError);
      expect((error as Error).message).toMatch(c.message);
      const after = snapshot(r.root);
      after.set('environments/minimal.yaml', before.get('environments/minimal.yaml')!);
      expect(after).toEqual(before);
    });
  }

  it.skipIf(process.getuid?.() === 0)('a read-only output folder (chmod; not as root, who may write anyway)', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    fs.chmodSync(r.root, 0o555);
    try {
      expect(() => synthToDisk({ envDir: r.envs, outDir: r.out })).toThrow(/permission denied/);
    } finally {
      fs.chmodSync(r.root, 0o755);
    }
  });
});

describe('MER081 owned-files-recorded', () => {
  const check = (dir: string): string[] => validateTree(treeFromDirectory(dir, 'dist'), { rules: ['MER081'] }).map((v) => `${v.location.file}: ${v.message}`);

  it('passes on a tree synth wrote, and names what it does not list and what it lists but is gone', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    expect(check(r.out)).toEqual([]);
    // MER080 accepts the record: it is no manifest and sits beside the folders
    expect(validateTree(treeFromDirectory(r.out, 'dist'), { rules: ['MER080'] })).toEqual([]);
    fs.writeFileSync(path.join(r.out, 'NOTES.md'), 'notes\n');
    fs.rmSync(path.join(r.out, 'west', 'services', 'services.yaml'));
    expect(check(r.out)).toEqual([
      'dist/NOTES.md: NOTES.md is not in meridian-owned.txt, so meridian did not write it and `meridian synth` refuses to run until it is moved out of dist/',
      'dist/meridian-owned.txt: lists west/services/services.yaml, which is missing: it was removed by hand; run `meridian synth` to restore it',
    ]);
  });

  it('names a record meridian did not write', () => {
    const r = scratch();
    synthToDisk({ envDir: r.envs, outDir: r.out });
    fs.appendFileSync(path.join(r.out, OWNED_FILE), 'not a line\n');
    expect(check(r.out)).toEqual([expect.stringMatching(/^dist\/meridian-owned\.txt: line \d+ is not "<path> <environment>"/)]);
  });
});
