#!/usr/bin/env node
// Runs after tsc (npm run build): compiles the environment schema (src/topology/schema.ts, compiled to
// lib/) into standalone ajv code next to it, so `meridian` does not compile the schema on every run.
// The module carries a hash of the schema it was made from; parse.ts uses it only when the hash still
// matches and compiles the schema itself otherwise (e.g. when run from sources under vitest).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { default: Ajv } = require('ajv');
const standalone = require('ajv/dist/standalone').default;
const topology = path.join(root, 'lib', 'src', 'topology');
const { environmentSchema, ENVIRONMENT_AJV_OPTIONS } = require(path.join(topology, 'schema.js'));

const ajv = new Ajv({ ...ENVIRONMENT_AJV_OPTIONS, code: { source: true } });
const code = standalone(ajv, ajv.compile(environmentSchema));
const hash = createHash('sha256').update(JSON.stringify(environmentSchema)).digest('hex');
const file = path.join(topology, 'environment-validator.js');
const text = `${code}\nmodule.exports.schemaHash = ${JSON.stringify(hash)};\n`;
// Rewritten only when it changes, so that the bundle step (scripts/bundle.mjs) sees nothing new.
if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
