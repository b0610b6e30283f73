// stdout carries only the requested output on every path, a fresh checkout included: `npm run -s diff --
// --format markdown` prints only the comment and `npm run -s report -- --format json` only JSON, while the
// build that runs first on a fresh checkout (scripts/*.mjs, tsc, esbuild) writes its progress to stderr.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

/** The scripts/*.mjs files a build runs (prebuild, build, postbuild). */
function buildScripts(): string[] {
  const lines = ['prebuild', 'build', 'postbuild'].map((s) => pkg.scripts[s] ?? '');
  return [...new Set(lines.flatMap((l) => [...l.matchAll(/node (scripts\/[\w-]+\.mjs)/g)].map((m) => m[1]!)))];
}

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), color: false };
  return { code: main(argv, io), out, err };
}

describe('clean streams', () => {
  it('runs the build before diff and report, and the build writes nothing to stdout', () => {
    expect(pkg.scripts.diff).toMatch(/^npm run -s build && /);
    expect(pkg.scripts.report).toMatch(/^npm run -s build && /);
    // tsc prints its diagnostics on stdout: the build script sends them to stderr
    expect(pkg.scripts.build).toMatch(/^tsc -p \. >&2$/);
    const scripts = buildScripts();
    expect(scripts).toEqual(expect.arrayContaining(['scripts/import.mjs', 'scripts/compile-validators.mjs', 'scripts/compile-environment-validator.mjs', 'scripts/bundle.mjs']));
    for (const file of scripts) {
      const text = fs.readFileSync(file, 'utf8');
      expect({ file, stdout: /process\.stdout\.write|console\.(log|info|table|dir)\(/.test(text) }).toEqual({ file, stdout: false });
    }
    // esbuild logs to stderr; the bundle step must not turn that off for stdout
    expect(fs.readFileSync('scripts/bundle.mjs', 'utf8')).not.toMatch(/logLevel: '(info|verbose|debug)'/);
  });

  it('writes to stdout only in the command line layer', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && p !== 'src/cli/index.ts' && /process\.stdout|console\.(log|info)\(/.test(fs.readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    walk('src');
    expect(offenders).toEqual([]);
  });

  it('prints valid JSON for report --format json and only the comment for diff --format markdown', () => {
    const report = run('report', '--format', 'json');
    expect(report.code).toBe(0);
    expect(() => JSON.parse(report.out)).not.toThrow();
    const diff = run('diff', '--format', 'markdown');
    expect(diff.code).toBe(0);
    expect(diff.out).toBe('### meridian diff: `HEAD` → working tree\n\nNo changes: `dist/` at `HEAD` equals a fresh synth of the working tree.\n');
  });
});
