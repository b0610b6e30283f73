#!/usr/bin/env node
// Runs in `npm pack` (prepack, after the build): writes lib/validators/, a self-contained copy of the
// precompiled validators of imports/validators/ for the package. In a checkout every validator module
// require()s ajv's runtime, ajv-formats and kubernetes-models' own validators from node_modules; the
// package has no runtime dependencies, so each module is bundled here with what it requires, and
// index.json points each core kind at its bundled kubernetes-models validator (`local`). An installed
// meridian has no imports/ folder, so src/validate/schema.ts reads lib/validators/ there. lib/ is build
// output: nothing here is committed.
import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const from = path.join(root, 'imports', 'validators');
const to = path.join(root, 'lib', 'validators');

function fail(message) {
  process.stderr.write(`pack-validators: ${message}\n`);
  process.exit(1);
}

if (!fs.existsSync(path.join(from, 'index.json'))) fail('imports/validators/index.json is missing; run `npm run build` first');
// --if-stale: nothing to do when lib/validators/ was made from these very validators by this very script.
const stamp = createHash('sha256')
  .update(fs.readFileSync(path.join(from, 'index.json')))
  .update(fs.existsSync(path.join(from, '.stamp')) ? fs.readFileSync(path.join(from, '.stamp')) : '')
  .update(fs.readFileSync(fileURLToPath(import.meta.url)))
  .digest('hex');
const stampFile = path.join(to, '.stamp');
if (process.argv.includes('--if-stale') && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) process.exit(0);
const index = JSON.parse(fs.readFileSync(path.join(from, 'index.json'), 'utf8'));
const staging = `${to}.${process.pid}`;
fs.rmSync(staging, { recursive: true, force: true });
fs.mkdirSync(path.join(staging, 'models'), { recursive: true });

// Output name (without .js) -> entry module; bundled in one esbuild run, each entry self-contained.
const entries = {};
for (const f of fs.readdirSync(from)) {
  if (f.endsWith('.js') && f !== 'formats.js') entries[f.replace(/\.js$/, '')] = path.join(from, f);
}
const models = new Map();
const localModel = (ref) => {
  const packageDir = path.dirname(require.resolve(`${ref.package}/package.json`));
  const key = `${ref.package}/${ref.file}`;
  if (!models.has(key)) {
    const local = `models/${key.replace(/^@/, '').replace(/[/]/g, '_')}`;
    entries[local.replace(/\.js$/, '')] = path.join(packageDir, ref.file);
    models.set(key, local);
  }
  return { ...ref, local: models.get(key) };
};
const packed = {
  ...index,
  kinds: Object.fromEntries(Object.entries(index.kinds).map(([k, v]) => [k, v.model ? { ...v, model: localModel(v.model) } : v])),
  objectMeta: { ...index.objectMeta, model: localModel(index.objectMeta.model) },
};
buildSync({ entryPoints: entries, outdir: staging, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', minify: true });
fs.writeFileSync(path.join(staging, 'index.json'), `${JSON.stringify(packed, null, 1)}\n`);
fs.writeFileSync(path.join(staging, '.stamp'), stamp);
fs.rmSync(to, { recursive: true, force: true });
fs.renameSync(staging, to);
process.stdout.write(`pack-validators: ${Object.keys(index.kinds).length} kinds, ${models.size} kubernetes-models validators -> lib/validators/\n`);
