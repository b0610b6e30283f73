#!/usr/bin/env node
// Generates imports/ (the cdk8s bindings) from the upstream CRDs pinned in cdk8s.yaml, read through
// scripts/pinned-crds.mjs. Nothing of a CRD is kept in the project: the reduced CRDs go to a temporary
// file outside it for \`cdk8s import\`, and only the generated bindings land in imports/ (gitignored).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { configText, pinnedCrds, root } from './pinned-crds.mjs';

const out = path.join(root, 'imports');

function fail(message) {
  process.stderr.write(`import: ${message}\n`);
  process.exit(1);
}

// --if-stale: skip when imports/ was generated from this very cdk8s.yaml and these very scripts.
const stamp = createHash('sha256')
  .update(configText())
  .update(fs.readFileSync(fileURLToPath(import.meta.url)))
  .update(fs.readFileSync(path.join(root, 'scripts', 'pinned-crds.mjs')))
  .digest('hex');
const stampFile = path.join(out, '.stamp');
if (process.argv.includes('--if-stale') && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) process.exit(0);
const { urls, kinds } = await pinnedCrds();

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-import-'));
const combined = path.join(scratch, 'crds.yaml');
try {
  fs.writeFileSync(combined, kinds.map((k) => YAML.stringify(k.crd)).join('---\n'));
  const cli = path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
  const run = spawnSync(process.execPath, [cli, 'import', combined, '--language', 'typescript', '--output', out, '--no-save', '--no-check-upgrade'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) fail(`cdk8s import failed:\n${run.stdout}${run.stderr}`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
fs.writeFileSync(stampFile, stamp);
process.stderr.write(`import: ${kinds.length} kinds from ${urls.length} pinned CRD files -> imports/\n`);
