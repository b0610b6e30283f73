#!/usr/bin/env node
'use strict';
// Entry point: runs the compiled CLI (npm run build compiles src/ to lib/).
let cli;
try {
  cli = require('../lib/src/cli/index.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('lib/src/cli')) {
    process.stderr.write('meridian: not built yet; run `npm run build` (or `npm run synth`) first\n');
    process.exit(1);
  }
  throw e;
}
process.exitCode = cli.main(process.argv.slice(2));
