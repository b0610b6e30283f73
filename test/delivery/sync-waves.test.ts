// Sync ordering: the rules of wave-rules.ts over the real bundles (the committed dist/ and every
// fixture environment) and over a folder holding every component DESIGN §3 lists, planned by the
// same planner MeridianChart uses. The rules are about kinds and references, so they keep holding as
// components land in the bundle.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { planWaves, SYNC_WAVE_ANNOTATION, waveOf } from '../../src/lib/sync-wave';
import type { Bundle } from '../../src/synth/synthesize';
import { synthesize } from '../../src/synth/synthesize';
import { FIXTURE_ENVIRONMENTS, synthFixture } from '../helpers';
import { fullStackFolder } from './full-stack';
import { waveViolations, type Placed } from './wave-rules';

const fixtures = fs
  .readdirSync(FIXTURE_ENVIRONMENTS)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

const bundles: [string, () => Bundle][] = [['environments/ (dist)', () => synthesize(loadTopology('environments'))], ...fixtures.map((f): [string, () => Bundle] => [f, () => synthFixture(f)])];

function placedByFolder(bundle: Bundle): Map<string, Placed[]> {
  const out = new Map<string, Placed[]>();
  for (const o of bundle.objects) {
    const wave = Number(o.manifest.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
    out.set(o.folder, [...(out.get(o.folder) ?? []), { wave, manifest: o.manifest }]);
  }
  return out;
}

function planned(objects: any[]): Placed[] {
  const waves = planWaves(objects);
  return objects.map((manifest, i) => ({ wave: waves[i]!, manifest }));
}

describe.each(bundles)('sync waves of %s', (_name, bundleOf) => {
  const bundle = bundleOf();

  it('give every object an integer wave', () => {
    for (const o of bundle.objects) expect(o.manifest.metadata.annotations?.[SYNC_WAVE_ANNOTATION], `${o.file} ${o.manifest.kind}`).toMatch(/^-?\d+$/);
  });

  it('follow the ordering rules in every cluster folder', () => {
    for (const [folder, objects] of placedByFolder(bundle)) {
      if (folder === 'argocd') continue;
      expect(waveViolations(objects), folder).toEqual([]);
    }
  });

  it('apply every AppProject before the ApplicationSet whose Applications use it', () => {
    const argo = placedByFolder(bundle).get('argocd') ?? [];
    for (const set of argo.filter((p) => p.manifest.kind === 'ApplicationSet')) {
      const project = argo.find((p) => p.manifest.kind === 'AppProject' && p.manifest.metadata.name === set.manifest.spec.template.spec.project);
      if (project) expect(project.wave).toBeLessThan(set.wave);
    }
  });
});

describe('sync waves of a folder with every component', () => {
  it('follow the ordering rules', () => {
    // GIVEN Vault, CockroachDB, services, gateway, routes, mesh and global DNS in one folder
    const objects = planned(fullStackFolder());
    // THEN
    expect(waveViolations(objects)).toEqual([]);
  });

  it('hold back only what needs an initialized Vault until Vault is up', () => {
    const objects = planned(fullStackFolder());
    const wave = (kind: string, name: string): number => objects.find((p) => p.manifest.kind === kind && p.manifest.metadata.name === name)!.wave;
    const vault = wave('StatefulSet', 'vault');
    // Vault's own TLS comes from the bootstrap CA, its Services and export exist before its pods
    for (const [kind, name] of [['Certificate', 'vault-tls'], ['ClusterIssuer', 'meridian-root-ca'], ['ServiceExport', 'vault-internal'], ['Deployment', 'catalog'], ['ServiceEntry', 'catalog-clusterset'], ['GlobalDNSZone', 'global-zone']] as const) {
      expect(wave(kind, name), `${kind}/${name}`).toBeLessThan(vault);
    }
    // the Vault issuer, its certificates and everything that mounts them, serves them or routes to them wait for it
    for (const [kind, name] of [
      ['ClusterIssuer', 'vault-issuer'],
      ['KubernetesAuthEngineRole', 'cert-manager'],
      ['Certificate', 'cockroachdb-node'],
      ['StatefulSet', 'cockroachdb'],
      ['Job', 'cockroachdb-init'],
      ['Deployment', 'shop'],
      ['HorizontalPodAutoscaler', 'shop'],
      ['Gateway', 'meridian-gateway'],
      ['HTTPRoute', 'shop'],
      ['ServiceEntry', 'shop-clusterset'],
      ['GlobalDNSRecord', 'shop'],
    ] as const) {
      expect(wave(kind, name), `${kind}/${name}`).toBeGreaterThan(vault);
    }
  });

  it('fails the rules when waves come from kinds alone: the first sync would wait for a Vault issuer before Vault exists', () => {
    // GIVEN the same folder ordered by kind only
    const objects = fullStackFolder().map((manifest) => ({ wave: waveOf(manifest.kind), manifest }));
    // THEN the deadlock and the needless waits are reported
    const violations = waveViolations(objects);
    expect(violations).toContainEqual(expect.stringMatching(/^vault: StatefulSet\/vault\/vault .* must come before ClusterIssuer\/vault-issuer/));
    expect(violations).toContainEqual(expect.stringMatching(/^vault: GlobalDNSZone\/global-zone .* must come before StatefulSet\/vault\/vault/));
  });

  it.each([
    ['namespaces', 'Namespace', 'shop', 5],
    ['rbac', 'ServiceAccount', 'vault-issuer', 7],
    ['rbac', 'KubernetesAuthEngineRole', 'cert-manager', 7],
    ['issuers', 'ClusterIssuer', 'vault-issuer', 8],
    ['mounts', 'Certificate', 'shop-vault-client', 10],
    ['exports', 'ServiceExport', 'cockroachdb', 11],
    ['routes', 'HTTPRoute', 'shop', 2],
    ['global-dns', 'GlobalDNSRecord', 'shop', 3],
  ])('fails the %s rule when %s/%s moves to wave %i', (rule, kind, name, moved) => {
    // GIVEN a correct plan with one object moved
    const objects = planned(fullStackFolder()).map((p) => (p.manifest.kind === kind && p.manifest.metadata.name === name ? { ...p, wave: moved } : p));
    // THEN its rule reports it
    expect(waveViolations(objects).some((v) => v.startsWith(`${rule}:`))).toBe(true);
  });

  it('keeps waves that a construct set explicitly', () => {
    const objects = fullStackFolder();
    objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'catalog').metadata.annotations = { [SYNC_WAVE_ANNOTATION]: '7' };
    const waves = planWaves(objects);
    expect(waves[objects.findIndex((o) => o.kind === 'Deployment' && o.metadata.name === 'catalog')]).toBe(7);
  });
});
