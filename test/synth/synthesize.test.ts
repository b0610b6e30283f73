import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology, synthToDisk } from '../../src/main';
import { synthesize } from '../../src/synth/synthesize';
import { OWNED_FILE } from '../../src/synth/owned';
import { writeTreeAtomically } from '../../src/synth/write';
import { RESERVED_CLUSTER_NAMES, TopologyError } from '../../src/topology';
import { docs, objectsOf, readTree, synthFixture, tempDir, topologyOf, twoEnvironmentWorkspace } from '../helpers';

describe('synthesize', () => {
  it('is byte-identical when run twice', () => {
    const a = synthesize(loadTopology('environments'));
    const b = synthesize(loadTopology('environments'));
    expect([...a.files]).toEqual([...b.files]);
  });

  it('writes one folder per cluster plus argocd, each tier a sub-folder, each with a kustomization listing every manifest', () => {
    const bundle = synthFixture('globalnet');
    expect(bundle.folders).toEqual(['ams1', 'argocd', 'fra1', 'mad1', 'par1']);
    for (const folder of bundle.folders) {
      for (const dir of [folder, ...['vault-config', 'vault-pki', 'services'].map((t) => `${folder}/${t}`)]) {
        const files = [...bundle.files.keys()].filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)).filter((f) => !f.includes('/'));
        const kustomization = docs(bundle.files.get(`${dir}/kustomization.yaml`)!)[0];
        expect(kustomization.resources).toEqual(files.filter((f) => f !== 'kustomization.yaml'));
      }
    }
  });

  it('emits explicit names without hashes and the standard labels on every object', () => {
    for (const o of synthFixture('globalnet').objects) {
      expect(o.manifest.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(o.manifest.metadata.name).not.toMatch(/-[0-9a-f]{8}$/);
      expect(o.manifest.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meridian', 'meridian.dev/environment': 'fleet' });
      if (o.folder !== 'argocd') expect(o.manifest.metadata.labels!['meridian.dev/cluster']).toBe(o.folder);
      expect(o.manifest.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toMatch(/^-?\d+$/);
    }
  });

  it('creates the namespaces every cluster needs, labelled for the mesh and Pod Security restricted', () => {
    const namespaces = objectsOf(synthFixture('globalnet'), 'par1', 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual(['cockroachdb', 'meridian-ingress', 'storefront', 'vault']);
    const storefront = namespaces.find((n) => n.metadata.name === 'storefront');
    expect(storefront.metadata.labels).toMatchObject({ 'istio-discovery': 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(namespaces.find((n) => n.metadata.name === 'vault').metadata.labels['istio-discovery']).toBeUndefined();
  });

  it('gives each environment an ApplicationSet that excludes argocd and the other environments clusters', () => {
    const bundle = synthesize(topologyOf('test/fixtures/environments/minimal.yaml', 'test/fixtures/environments/active-passive.yaml'));
    const sets = objectsOf(bundle, 'argocd', 'ApplicationSet');
    expect(sets.map((s) => s.metadata.name).sort()).toEqual(['meridian-dr', 'meridian-dr-services', 'meridian-dr-vault-config', 'meridian-dr-vault-pki', 'meridian-minimal', 'meridian-minimal-services', 'meridian-minimal-vault-config', 'meridian-minimal-vault-pki']);
    const dirs = (name: string) => sets.find((s) => s.metadata.name === name).spec.generators[0].git.directories;
    expect(dirs('meridian-minimal')).toEqual([
      { path: 'dist/*' },
      ...[...RESERVED_CLUSTER_NAMES, 'primary', 'standby'].sort().map((f) => ({ path: `dist/${f}`, exclude: true })),
    ]);
  });
});

describe('synthToDisk', () => {
  it('replaces the output atomically and removes the stale files it wrote', () => {
    const out = path.join(tempDir(), 'dist');
    synthToDisk({ envDir: 'environments', outDir: out });
    // A cluster folder an earlier synth wrote (the record lists it) and that the topology no longer has.
    fs.mkdirSync(path.join(out, 'oldcluster'));
    fs.writeFileSync(path.join(out, 'oldcluster', 'stale.yaml'), 'kind: Stale\n');
    fs.appendFileSync(path.join(out, OWNED_FILE), 'oldcluster/stale.yaml prod\n');
    synthToDisk({ envDir: 'environments', outDir: out });
    const tree = readTree(out);
    expect(tree.has('oldcluster/stale.yaml')).toBe(false);
    expect([...tree.keys()]).toEqual([...synthesize(loadTopology('environments')).files.keys(), OWNED_FILE].sort());
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  it('fails on bad input and leaves the previous output byte-identical', () => {
    const root = tempDir();
    const out = path.join(root, 'dist');
    synthToDisk({ envDir: 'environments', outDir: out });
    const before = readTree(out);
    const envs = path.join(root, 'environments');
    fs.mkdirSync(envs);
    fs.writeFileSync(path.join(envs, 'prod.yaml'), fs.readFileSync('environments/prod.yaml', 'utf8').replace('podCIDR: 10.132.0.0/14', 'podCIDR: 10.132.0.1/14'));
    expect(() => synthToDisk({ envDir: envs, outDir: out })).toThrow(TopologyError);
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(root).sort()).toEqual(['dist', 'environments']);
  });

  it('leaves the previous output untouched when writing fails midway', () => {
    const out = path.join(tempDir(), 'dist');
    synthToDisk({ envDir: 'environments', outDir: out });
    const before = readTree(out);
    const files = new Map([['a/ok.yaml', 'x: 1\n'], ['../escape.yaml', 'x: 2\n']]);
    expect(() => writeTreeAtomically(out, files)).toThrow(/refusing to write outside/);
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  it('with --env rewrites only that environment and keeps the others', () => {
    const { envs, out } = twoEnvironmentWorkspace();
    const before = readTree(out);
    // Both environments change; only minimal is synthesized.
    for (const f of ['minimal.yaml', 'active-passive.yaml']) {
      const file = path.join(envs, f);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/(image: [^,}\s]+):[^,}\s]+/, '$1:changed'));
    }
    synthToDisk({ envDir: envs, outDir: out, environment: 'minimal' });
    const after = readTree(out);
    const owned = after.get(OWNED_FILE)!;
    const of = (env: string): string[] => [...before.keys()].filter((k) => owned.includes(`\n${k} ${env}\n`));
    expect(of('dr').length).toBeGreaterThan(0);
    expect(of('minimal').length).toBeGreaterThan(0);
    for (const k of of('dr')) expect(after.get(k), k).toBe(before.get(k));
    expect(of('minimal').some((k) => after.get(k) !== before.get(k))).toBe(true);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(() => synthToDisk({ envDir: envs, outDir: out, environment: 'nope' })).toThrow(/no environment named "nope"; known: dr, minimal/);
  });
});

describe('synthesize at scale', () => {
  it('synthesizes a 60-cluster environment whose every object validates (no field grows past its schema limit)', async () => {
    const { renderEnvironment } = await import('../properties/arbitraries');
    const { parseEnvironment, buildTopology } = await import('../../src/topology');
    // Vault on five clusters (60 voters would exceed the bound of 9); CockroachDB on all 60, so its join list and SANs grow with the fleet.
    const text = renderEnvironment({ clusters: 60, vaultReplicas: 1, crdbReplicas: 1, vaultOn: [0, 1, 2, 3, 4], overlapping: false, services: [{ replicas: 120, active: Array.from({ length: 60 }, (_, i) => i), drained: [5], expose: 'global', min: 60, max: 240 }] });
    const bundle = synthesize(buildTopology([parseEnvironment(text, 'scale.yaml')]));
    expect(bundle.folders).toHaveLength(61);
    const project = objectsOf(bundle, 'argocd', 'AppProject')[0];
    expect(new Set(project.spec.destinations.map((d: any) => d.name)).size).toBe(60);
    expect(project.spec.description.length).toBeLessThanOrEqual(255);
  });
});
