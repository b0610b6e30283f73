// scripts/import.mjs when the pinned CRDs cannot be had: it names the URL that failed and the two ways
// to supply a local copy, exits non-zero and prints no stack trace; an explicit MERIDIAN_CRDS_DIR that
// does not exist is an error, never a silent download. Runs a copy of the script in a scratch root
// (no ../shared/crds beside it) whose cdk8s.yaml pins a URL nothing listens on.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers';

function scratch(): string {
  const root = path.join(tempDir('meridian-import-'), 'checkout');
  fs.mkdirSync(path.join(root, 'scripts'), { recursive: true });
  for (const script of ['import.mjs', 'pinned-crds.mjs']) fs.copyFileSync(path.join('scripts', script), path.join(root, 'scripts', script));
  fs.symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
  fs.writeFileSync(path.join(root, 'cdk8s.yaml'), 'language: typescript\nimports:\n  - https://127.0.0.1:2/crds/submariner.io_brokers.yaml\n');
  return root;
}

function run(root: string, env: Record<string, string | undefined>): { status: number | null; stderr: string } {
  const e = { ...process.env, ...env };
  if (env.MERIDIAN_CRDS_DIR === undefined) delete e.MERIDIAN_CRDS_DIR;
  return spawnSync(process.execPath, [path.join(root, 'scripts', 'import.mjs')], { encoding: 'utf8', env: e, timeout: 30_000 });
}

describe('scripts/import.mjs without the CRDs', () => {
  it('names the URL that failed and where a local copy can come from', () => {
    const root = scratch();
    const r = run(root, { MERIDIAN_CRDS_DIR: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^import: cannot fetch https:\/\/127\.0\.0\.1:2\/crds\/submariner\.io_brokers\.yaml \(ECONNREFUSED\); .*\.\.\/shared\/crds.*MERIDIAN_CRDS_DIR/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.existsSync(path.join(root, 'imports'))).toBe(false);
  });

  it('refuses a MERIDIAN_CRDS_DIR that does not exist instead of downloading', () => {
    const root = scratch();
    const missing = path.join(root, 'no-such-crds');
    const r = run(root, { MERIDIAN_CRDS_DIR: missing });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`import: MERIDIAN_CRDS_DIR=${missing}: no such folder; point it at a copy of the pinned CRDs (a folder with SOURCES.md), or unset it to download them\n`);
  });
});
