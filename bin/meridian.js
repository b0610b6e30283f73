#!/usr/bin/env node
'use strict';
// Entry point. `npm run build` compiles src/ to lib/ and bundles the CLI into lib/meridian.js
// (scripts/bundle.mjs). The bundle is loaded with a V8 code cache (lib/meridian.js.cache): after a run,
// the code of every function that run compiled is saved, so the next run skips parsing and compiling
// the ~4 MB of the CLI and its libraries. V8 checks the cache against its own version and flags, the
// header below against the bundle; a rejected or missing cache is simply rebuilt. Without a bundle
// (only `tsc` ran) the compiled modules are loaded directly.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const lib = path.join(__dirname, '..', 'lib');
const bundle = path.join(lib, 'meridian.js');

/**
 * Loads the bundle as a CommonJS module through its code cache; returns its exports and a cache saver.
 * The cache file starts with a line naming the size and modification time of the bundle it was made
 * from: V8 compares only the length of the source, and a rebuilt bundle must never run stale code.
 */
function loadCached(file) {
  const cacheFile = `${file}.cache`;
  const source = fs.readFileSync(file, 'utf8');
  const stat = fs.statSync(file);
  const header = Buffer.from(`meridian code cache ${stat.size} ${stat.mtimeMs}\n`);
  let cachedData;
  try {
    const cache = fs.readFileSync(cacheFile);
    if (cache.subarray(0, header.length).equals(header)) cachedData = cache.subarray(header.length);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  const require = Module.createRequire(file);
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  mod.loaded = true;
  const save = () => {
    if (!stale) return;
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.concat([header, script.createCachedData()]));
      fs.renameSync(tmp, cacheFile);
    } catch {
      // a read-only installation: every run compiles, nothing else changes
    }
  };
  return { exports: mod.exports, save };
}

let cli;
let save = () => undefined;
try {
  if (fs.existsSync(bundle)) ({ exports: cli, save } = loadCached(bundle));
  else cli = require('../lib/src/cli/index.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('lib/src/cli')) {
    process.stderr.write('meridian: not built yet; run `npm run build` (or `npm run synth`) first\n');
    process.exit(1);
  }
  throw e;
}
process.exitCode = cli.main(process.argv.slice(2));
save();
