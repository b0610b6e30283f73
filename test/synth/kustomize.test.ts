// kubectl's built-in kustomize is a real client of the output: every cluster folder must build and
// yield exactly the objects of its files.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docs } from '../helpers';

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const available = kubectl.status === 0;
const top = fs.existsSync('dist') ? fs.readdirSync('dist').filter((f) => fs.existsSync(`dist/${f}/kustomization.yaml`)).sort() : [];
// and the tier sub-folders (each its own Application) of one cluster folder: the others have the same layout
const firstCluster = top.find((f) => f !== 'argocd');
const folders = [...top, ...(firstCluster ? fs.readdirSync(`dist/${firstCluster}`).filter((f) => fs.existsSync(`dist/${firstCluster}/${f}/kustomization.yaml`)).sort().map((f) => `${firstCluster}/${f}`) : [])];
const identity = (o: any): string => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe.skipIf(!available)('kubectl kustomize dist/<folder>', () => {
  it('has folders to check', () => {
    expect(folders.length).toBeGreaterThan(1);
  });

  it.each(folders)('builds dist/%s into exactly the objects of its files', (folder) => {
    const run = spawnSync('kubectl', ['kustomize', `dist/${folder}`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const built = docs(run.stdout).map(identity).sort();
    const files = docs(fs.readFileSync(`dist/${folder}/kustomization.yaml`, 'utf8'))[0].resources as string[];
    const expected = files.flatMap((f) => docs(fs.readFileSync(`dist/${folder}/${f}`, 'utf8'))).map(identity).sort();
    expect(built).toEqual(expected);
  });
});

if (!available) {
  describe('kubectl kustomize', () => {
    it.skip('kubectl is not installed here: the kustomize client check was skipped', () => {});
  });
}
