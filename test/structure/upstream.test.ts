// Upstream CRDs stay where they are pinned (../shared/crds, or the pinned URL): the project neither
// commits a CRD or its schema nor keeps a copy in imports/, which holds only what is generated from
// them (the cdk8s bindings and the compiled validators; scripts/pinned-crds.mjs reads the CRDs).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/** A CRD document, or a CRD schema as YAML or JSON data (a key, not a mention in code or prose). */
const CRD_DATA = /^kind:\s*CustomResourceDefinition\s*$|^\s*openAPIV3Schema:\s*$|"openAPIV3Schema"\s*:/m;

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('upstream CRDs', () => {
  it('are in no committed file', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter((f) => f !== '' && fs.existsSync(f));
    expect(tracked.filter((f) => CRD_DATA.test(fs.readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('are not copied into imports/: only bindings and validators are generated there', () => {
    // Generated code (.ts bindings, .js validators), the validators' index and the staleness stamps; any
    // other file (a CRD file, a schema dump such as the former imports/crd-schemas.json) is a copy.
    const generated = /(\.ts|\.js|\/\.stamp)$|^imports\/validators\/index\.json$/;
    expect(filesUnder('imports').filter((f) => !generated.test(f))).toEqual([]);
    expect(filesUnder('imports').filter((f) => f.endsWith('.json') && CRD_DATA.test(fs.readFileSync(f, 'utf8')))).toEqual([]);
  });
});
