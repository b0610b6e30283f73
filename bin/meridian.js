#!/usr/bin/env node
'use strict';
// Entry point. `npm run build` compiles src/ to lib/ and bundles the CLI into lib/meridian.js
// (scripts/bundle.mjs). The bundle is loaded with a V8 code cache (meridian.js.cache in the cache folder,
// see cacheDir below; never inside the installation): after a run,
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
 * The cache folder: $XDG_CACHE_HOME/meridian, else node_modules/.cache/meridian of the project run from
 * (the nearest folder at or above the working directory that has node_modules), else ~/.cache/meridian.
 * The same rule as src/lib/cache-dir.ts, which the bundle uses for its record of checked objects.
 */
function cacheDir() {
  if (process.env.XDG_CACHE_HOME) return path.join(process.env.XDG_CACHE_HOME, 'meridian');
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) return path.join(dir, 'node_modules', '.cache', 'meridian');
    if (dir === path.dirname(dir)) break;
  }
  return path.join(require('node:os').homedir(), '.cache', 'meridian');
}

/**
 * Loads the bundle as a CommonJS module through its code cache; returns its exports and a cache saver.
 * The cache file starts with a line naming the path, size and modification time of the bundle it was made
 * from: V8 compares only the length of the source, and a rebuilt bundle must never run stale code.
 */
function loadCached(file) {
  const cacheFile = path.join(cacheDir(), 'meridian.js.cache');
  const source = fs.readFileSync(file, 'utf8');
  const stat = fs.statSync(file);
  const header = Buffer.from(`meridian code cache ${file} ${stat.size} ${stat.mtimeMs}\n`);
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
  // `require('meridian')` / `import 'meridian'` from a meridian.config.mjs resolves to this very file:
  // registering it makes the config get this instance instead of loading and compiling the 4 MB bundle
  // a second time (Node's ESM loader reuses a CommonJS module already in Module._cache). cdk8s itself
  // would cope with two copies: `instanceof ApiObject` checks Symbol.for('cdk8s.ApiObject')
  // (cdk8s lib/api-object.js), so a config that imports its own cdk8s still works.
  Module._cache[file] = mod;
  const save = () => {
    if (!stale) return;
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.concat([header, script.createCachedData()]));
      fs.renameSync(tmp, cacheFile);
    } catch {
      // an unwritable cache folder: every run compiles, nothing else changes
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
