// The cdk8s validation plugin: the same rules, reported through cdk8s-cli's validation contract.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MeridianValidation } from '../../src/validate/plugin';
import { tempDir } from '../helpers';
import { container, find, fullBundle, render } from './full-bundle';

// cdk8s-cli's own context and report classes (the CLI constructs them for every plugin it loads).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ValidationContext } = require(path.resolve('node_modules/cdk8s-cli/lib/plugins/validation.js')) as { ValidationContext: new (manifests: string[], pkg: string, version: string) => any };

function writeTree(files: Map<string, string>): { dir: string; manifests: string[] } {
  const dir = path.join(tempDir('meridian-plugin-'), 'dist');
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return { dir, manifests: [...files.keys()].filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)) };
}

function brokenBundle(): Map<string, string> {
  const b = fullBundle();
  const args: string[] = container(find(b, 'cluster2', 'StatefulSet', 'cockroachdb')).args;
  args[1] = args[1]!.replace(',cockroachdb-2.cluster3.cockroachdb.cockroachdb.svc.clusterset.local', '');
  return render(b);
}

describe('MeridianValidation (cdk8s validation plugin)', () => {
  it('submits success for a valid tree', async () => {
    const { manifests } = writeTree(render(fullBundle()));
    const context = new ValidationContext(manifests, 'meridian', '0.1.0');
    await new MeridianValidation().validate(context);
    expect(context.report.success).toBe(true);
    expect(context.report.toJson().summary.metadata).toMatchObject({ violations: '0', rules: '30' });
  });

  it('reports each violation with rule, recommendation, fix and the violating resource', async () => {
    const { dir, manifests } = writeTree(brokenBundle());
    const context = new ValidationContext(manifests, 'meridian', '0.1.0');
    await new MeridianValidation().validate(context);
    expect(context.report.success).toBe(false);
    const [violation] = context.report.toJson().violations;
    expect(violation).toMatchObject({
      ruleName: 'MER020 store-join-complete',
      recommendation: expect.stringContaining('misses 1 of 9 peers: cockroachdb-2.cluster3.cockroachdb.cockroachdb.svc.clusterset.local'),
      fix: expect.stringContaining('derive the peer list from the model'),
      violatingConstructs: [{ resourceName: 'StatefulSet cockroachdb/cockroachdb', manifestPath: path.join(dir, 'cluster2', 'cockroachdb.yaml'), locations: [expect.stringMatching(/^spec\.template\.spec\.containers\[0\]\.args\[1\] \(line \d+, column \d+\)$/)] }],
    });
  });

  it('can skip rules by id or name', async () => {
    const { manifests } = writeTree(brokenBundle());
    const context = new ValidationContext(manifests, 'meridian', '0.1.0');
    await new MeridianValidation({ skip: ['store-join-complete'] }).validate(context);
    expect(context.report.success).toBe(true);
  });
});

const cdk8s = path.resolve('node_modules/cdk8s-cli/bin/cdk8s');
const plugin = path.resolve('lib/src/validate/plugin.js');

describe.skipIf(!fs.existsSync(cdk8s) || !fs.existsSync(plugin))('cdk8s synth with the validations of cdk8s.yaml', () => {
  it('fails (exit 2) when the synthesized manifests break a rule', () => {
    // GIVEN an app that writes a tree with an incomplete join list, and the repository's validations
    const scratch = tempDir('meridian-cdk8s-');
    const tree = brokenBundle();
    fs.writeFileSync(path.join(scratch, 'tree.json'), JSON.stringify([...tree]));
    fs.writeFileSync(
      path.join(scratch, 'app.js'),
      "const fs = require('fs'); const path = require('path'); for (const [f, c] of JSON.parse(fs.readFileSync('tree.json', 'utf8'))) { const p = path.join(process.env.CDK8S_OUTDIR, f); fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, c); }\n",
    );
    const validations = (parse(fs.readFileSync('cdk8s.yaml', 'utf8')) as { validations: { package: string }[] }).validations.map((v) => ({ ...v, package: path.resolve(v.package) }));
    fs.writeFileSync(path.join(scratch, 'cdk8s.yaml'), JSON.stringify({ language: 'typescript', app: 'node app.js', output: 'dist', validations }));
    // WHEN cdk8s synth runs
    const run = spawnSync(process.execPath, [cdk8s, 'synth'], { cwd: scratch, encoding: 'utf8', timeout: 120_000 });
    // THEN it fails with meridian's rule in the report
    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout + run.stderr).toContain('MER020 store-join-complete');
  });
});
