// `meridian init [dir]`: scaffolds a GitOps repository (templates in init-templates.ts). It never
// overwrites: every target is checked before the first file is written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DNS_LABEL } from '../topology';
import { environmentTemplate, GITIGNORE, readmeTemplate, WORKFLOW } from './init-templates';
import { packageRoot } from './version';

export class InitConflict extends Error {}

export interface InitResult {
  /** Paths written, relative to the target folder, in order. */
  readonly written: readonly string[];
}

/**
 * The environment file's `$schema`: the schema shipped in the installed package when the repository
 * has one (node_modules/meridian/environments/schema.json, so it follows upgrades), else a copy
 * written beside the environment file.
 */
function schemaFor(dir: string): { ref: string; copy?: string } {
  const installed = path.join(dir, 'node_modules', 'meridian', 'environments', 'schema.json');
  if (fs.existsSync(installed)) return { ref: '../node_modules/meridian/environments/schema.json' };
  return { ref: './schema.json', copy: fs.readFileSync(path.join(packageRoot(), 'environments', 'schema.json'), 'utf8') };
}

export function init(dir: string, environment: string): InitResult {
  if (!new RegExp(DNS_LABEL).test(environment)) throw new InitConflict(`--name "${environment}" is not a DNS label (lower-case letters, digits, '-')`);
  const schema = schemaFor(dir);
  const files: [string, string][] = [
    [`environments/${environment}.yaml`, environmentTemplate({ environment, schemaRef: schema.ref })],
    ...(schema.copy !== undefined ? ([['environments/schema.json', schema.copy]] as [string, string][]) : []),
    ['.gitignore', GITIGNORE],
    ['.github/workflows/meridian.yml', WORKFLOW],
    ['README.md', readmeTemplate({ environment, schemaRef: schema.ref })],
  ];
  for (const [rel] of files) {
    if (fs.existsSync(path.join(dir, rel))) throw new InitConflict(`${path.join(dir, rel)} already exists; meridian init never overwrites a file: move it away or scaffold into another folder`);
  }
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text, { flag: 'wx' });
  }
  return { written: files.map(([rel]) => rel) };
}
