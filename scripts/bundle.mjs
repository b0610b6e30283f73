#!/usr/bin/env node
// Runs last in `npm run build`: bundles the compiled CLI (lib/src/cli/index.js) into lib/meridian.js and
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
for (const [entry, out] of [
  ['src/cli/index.js', 'meridian.js'],
  ['src/synth/offload-worker.js', 'offload-worker.js'],
]) {
  buildSync({
    entryPoints: [path.join(lib, entry)],
    outfile: path.join(lib, out),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // Run-time requires of generated files (validators, their kubernetes-models dependencies) stay requires.
    logOverride: { 'unsupported-require-call': 'silent' },
  });
  fs.rmSync(path.join(lib, `${out}.cache`), { force: true }); // the code cache of the previous bundle
}
