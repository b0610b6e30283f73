#!/usr/bin/env node
// Runs last in `npm run build`: bundles the compiled CLI and library (lib/src/index.js: the library's
// exports and the CLI's `main`) into lib/meridian.js, the package's one entry point (package.json
// `exports`: `import { synthesize } from 'meridian'` and the `meridian` command share one cdk8s), and
// the synthesis worker into lib/offload-worker.js, each one file that bin/meridian.js loads with a V8
// code cache. Start-up dominates a small synthesis: resolving and compiling ~370 modules took about
// 170 ms per run, loading one file from its code cache takes a fraction of that (README, Performance).
// The precompiled validators in imports/validators/ stay separate files, loaded only for the kinds a run
// checks. Nothing here is committed: lib/ is build output.
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = path.join(root, 'lib');

// `npm run synth` builds before every run: when no compiled module, installed package or this script
// changed since the last bundle, there is nothing to do.
const inputs = [fileURLToPath(import.meta.url), path.join(root, 'node_modules', '.package-lock.json')];
for (const e of fs.readdirSync(path.join(lib, 'src'), { withFileTypes: true, recursive: true })) {
  if (e.isFile() && e.name.endsWith('.js')) inputs.push(path.join(e.parentPath ?? e.path, e.name));
}
const stamp = inputs.sort().map((f) => `${f} ${fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0}`).join('\n');
const stampFile = path.join(lib, '.bundle-stamp');
const outputs = ['meridian.js', 'offload-worker.js'].map((f) => path.join(lib, f));
if (outputs.every((f) => fs.existsSync(f)) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

for (const [entry, out] of [
  ['src/index.js', 'meridian.js'],
  ['src/synth/offload-worker.js', 'offload-worker.js'],
]) {
  const target = path.join(lib, out);
  const { outputFiles } = buildSync({
    entryPoints: [path.join(lib, entry)],
    outfile: target,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // Run-time requires of generated files (validators, their kubernetes-models dependencies) stay requires.
    logOverride: { 'unsupported-require-call': 'silent' },
  });
  const [bundle] = outputFiles;
  // Unchanged code keeps its bundle and code cache: `npm run synth` builds before every run.
  if (fs.existsSync(target) && Buffer.compare(fs.readFileSync(target), bundle.contents) === 0) continue;
  fs.writeFileSync(target, bundle.contents);
  fs.rmSync(`${target}.cache`, { force: true }); // the code cache of the previous bundle
}
fs.writeFileSync(stampFile, stamp);
