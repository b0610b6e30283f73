#!/usr/bin/env node
// Writes environments/schema.json from the compiled schema (src/topology/schema.ts is the source).
// Run by `npm run schema`; test/topology/schema.test.ts fails when the committed file is stale.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { environmentSchema } = createRequire(import.meta.url)(path.join(root, 'lib/src/topology/schema.js'));
fs.writeFileSync(path.join(root, 'environments/schema.json'), `${JSON.stringify(environmentSchema, null, 2)}\n`);
