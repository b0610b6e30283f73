// The first sync converges (issue #15): the sync simulator (src/report/sync-simulator.ts) runs Argo CD's
// sync of every Application, the operators and the runbook's steps over the default environment, every
// fixture and generated topologies, and fails on the defects of the issue when they are put back.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { Tier, tierFolder, SYNC_WAVE_ANNOTATION } from '../../src/lib/sync-wave';
import { runbook } from '../../src/report/runbook';
import { luaHealth, simulateFirstSync, timelineLines, type SimulationResult } from '../../src/report/sync-simulator';
import { synthesize, type Bundle, type SynthesizedObject } from '../../src/synth/synthesize';
import { buildTopology, parseEnvironment, type Environment } from '../../src/topology';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';
import { envShape, renderEnvironment } from '../properties/arbitraries';
import { fengariLua, simulate } from './harness';

const prodTopology = loadTopology('environments');
const prod = prodTopology.environments[0]!;
const prodBundle = synthesize(prodTopology);
const fixtureTopology = topologyOf(...fs.readdirSync(FIXTURE_ENVIRONMENTS).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(FIXTURE_ENVIRONMENTS, f)));
const fixtureBundle = synthesize(fixtureTopology);

/** What a converging first sync looks like: every Application Synced and Healthy, nothing Degraded, no step stuck, no retry. */
function expectConverges(r: SimulationResult): void {
  expect(r.stuck, 'runbook steps waiting for something no earlier step provides').toEqual([]);
  expect(r.degraded, 'resources seen Degraded').toEqual([]);
  expect(r.refused, 'Certificates Vault refused').toEqual([]);
  expect(r.retries, 'sync retries used').toBe(0);
  expect(r.applications.length).toBeGreaterThan(0);
  for (const a of r.applications) expect({ name: a.name, synced: a.synced, health: a.health }).toEqual({ name: a.name, synced: true, health: 'Healthy' });
}

/** A copy of a bundle with the objects `pick` selects moved into another tier (and wave). */
function moved(bundle: Bundle, pick: (o: SynthesizedObject) => boolean, tier: Tier, wave?: number): Bundle {
  const objects = bundle.objects.map((o) => {
    if (!pick(o)) return o;
    const sub = tierFolder(tier);
    const manifest = structuredClone(o.manifest) as any;
    if (wave !== undefined) manifest.metadata.annotations = { ...manifest.metadata.annotations, [SYNC_WAVE_ANNOTATION]: String(wave) };
    return { ...o, file: `${o.folder}/${sub ? `${sub}/` : ''}${o.file.slice(o.file.lastIndexOf('/') + 1)}`, manifest };
  });
  return { ...bundle, objects };
}

const isVaultIssuer = (o: SynthesizedObject): boolean => (o.manifest.kind === 'ClusterIssuer' || o.manifest.kind === 'Issuer') && (o.manifest as any).spec?.vault !== undefined;
const tierOf = (o: SynthesizedObject): string => {
  const rest = o.file.slice(o.folder.length + 1);
  return rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : Tier.PLATFORM;
};

describe('the first sync of the default environment', () => {
  const result = simulate(prod, prodBundle);

  it('converges: every Application Synced and Healthy, nothing Degraded, no step waiting on a later one, no retry', () => {
    expectConverges(result);
    expect(result.applications.map((a) => a.name)).toEqual(expect.arrayContaining(prod.clusters.flatMap((c) => [`meridian-${c.name}`, `meridian-${c.name}-vault-config`, `meridian-${c.name}-vault-pki`, `meridian-${c.name}-services`])));
  });

  it('runs the hooks that initialize the stores and brings each tier up after the step that makes it convergent', () => {
    expect(result.timeline.map((e) => e.text)).toContain('meridian-cluster1-vault-pki: Job cockroachdb/cockroachdb-init initialized the store cockroachdb/cockroachdb');
    expect(result.convergedAfter.get('apply-applicationsets')).toEqual(['meridian-cluster1', 'meridian-cluster2', 'meridian-cluster3']);
    expect(result.convergedAfter.get('apply-vault-pki')).toEqual(['meridian-cluster1-vault-pki', 'meridian-cluster2-vault-pki', 'meridian-cluster3-vault-pki']);
    expect(result.convergedAfter.get('apply-services')).toEqual(['meridian-cluster1-services', 'meridian-cluster2-services', 'meridian-cluster3-services']);
  });

  it('runs each hook once: no operation is repeated', () => {
    expect([...result.hookRuns.keys()].sort()).toEqual(['meridian-cluster1-vault-pki cockroachdb/cockroachdb-backup-schedule', 'meridian-cluster1-vault-pki cockroachdb/cockroachdb-init']);
    expect([...result.hookRuns.values()].every((n) => n === 1)).toBe(true);
  });

  it('holds Vault\'s initialization until the Submariner tunnels are up', () => {
    const steps = runbook(prod).filter((s) => s.id !== 'submariner-secrets');
    expect(simulate(prod, prodBundle, { steps }).stuck.join('\n')).toMatch(/vault-init: the Submariner tunnels of every cluster connected/);
  });

  it('judges with the real Lua: its TypeScript twin gives the same simulation', () => {
    const objects = prodBundle.objects.map((o) => ({ folder: o.folder, file: o.file, manifest: o.manifest as any }));
    const twin = simulateFirstSync({ env: prod, objects, runbook: runbook(prod), lua: luaHealth });
    const real = simulateFirstSync({ env: prod, objects, runbook: runbook(prod), lua: fengariLua });
    expect(twin.timeline).toEqual(real.timeline);
  });
});

describe.each(fixtureTopology.environments.map((e) => [e.name, e] as const))('the first sync of fixture environment %s', (_name, env) => {
  it('converges', () => expectConverges(simulate(env, fixtureBundle)));
});

describe('the first sync of generated topologies', () => {
  // At most four clusters keep the runs cheap: placements and services keep to them, three members at least.
  const within = (on: number[] | undefined): number[] | undefined => (on && on.filter((i) => i < 4).length >= 3 ? on.filter((i) => i < 4) : undefined);
  const small = envShape.map((s) => ({ ...s, clusters: Math.min(s.clusters, 4), vaultOn: within(s.vaultOn), crdbOn: within(s.crdbOn), services: s.services.filter((x) => x.active.every((a) => a < 4)).slice(0, 3) }));
  fcTest.prop([small.map((s) => ({ ...s, vaultReplicas: Math.min(s.vaultReplicas, Math.floor(9 / (s.vaultOn?.length ?? s.clusters))) }))], { numRuns: 3 })('converges', (shape) => {
    const topology = buildTopology([parseEnvironment(renderEnvironment(shape), 'prop.yaml')]);
    const env: Environment = topology.environments[0]!;
    expectConverges(simulate(env, synthesize(topology)));
  });
});

describe('a reordered bundle or runbook fails the simulation', () => {
  it('the Vault ClusterIssuer in the platform, before Vault: the platform waits forever and the rollout never reaches the other clusters', () => {
    const r = simulate(prod, moved(prodBundle, isVaultIssuer, Tier.PLATFORM, -1));
    expect(r.stuck.join('\n')).toMatch(/vault-running: StatefulSet vault\/vault in cluster2 Ready/);
  });

  it('the same without meridian\'s health checks in argocd-cm: the issuer is Degraded and the retry budget burns', () => {
    const r = simulate(prod, moved(prodBundle, isVaultIssuer, Tier.PLATFORM, -1), { customizations: false });
    expect(r.degraded.join('\n')).toMatch(/meridian-cluster1 ClusterIssuer vault-issuer: Ready=False/);
    expect(r.retries).toBeGreaterThan(0);
  });

  it('without meridian\'s health checks, even the tiers need a retry: the issuer is Degraded before the operator reconciled its login', () => {
    const r = simulate(prod, prodBundle, { customizations: false });
    expect(r.degraded.join('\n')).toMatch(/-vault-config ClusterIssuer vault-issuer: Ready=False/);
    expect(r.retries).toBeGreaterThan(0);
  });

  it('the services merged into the platform: they hold its waves and the rollout stops', () => {
    const r = simulate(prod, moved(prodBundle, (o) => tierOf(o) === Tier.SERVICES, Tier.PLATFORM));
    expect(r.stuck.join('\n')).toMatch(/vault-running: StatefulSet vault\/vault in cluster2 Ready/);
  });

  it('a Vault-signed Certificate applied before the PKI step: Vault refuses it and cert-manager backs off', () => {
    const r = simulate(prod, moved(prodBundle, (o) => o.manifest.kind === 'Certificate' && tierOf(o) === Tier.VAULT_PKI, Tier.VAULT_CONFIG));
    expect(r.refused.length).toBeGreaterThan(0);
    expect(r.degraded.join('\n')).toMatch(/Certificate .*: the CertificateRequest failed; backing off/);
  });

  it('the services applied before the SQL users exist: shop never becomes Ready and its Deployment goes Degraded', () => {
    const steps = runbook(prod);
    const sql = steps.findIndex((s) => s.id === 'cockroachdb-sql');
    const services = steps.findIndex((s) => s.id === 'apply-services');
    const reordered = [...steps];
    reordered.splice(services, 1);
    reordered.splice(sql, 0, steps[services]!);
    const r = simulate(prod, prodBundle, { steps: reordered });
    expect(r.degraded.join('\n')).toMatch(/services Deployment shop\/shop: ProgressDeadlineExceeded/);
  });

  it('a step that waits on a later one: the PKI intermediate before the operators can log in', () => {
    const steps = runbook(prod);
    const access = steps.findIndex((s) => s.id === 'vault-config-operator-access');
    const reordered = [...steps];
    const [step] = reordered.splice(access, 1);
    reordered.splice(reordered.findIndex((s) => s.id === 'vault-admin-access'), 0, step!);
    expect(simulate(prod, prodBundle, { steps: reordered }).stuck.join('\n')).toMatch(/apply-vault-config: every Application labelled .*vault-config Synced and Healthy/);
  });
});

describe('the timeline', () => {
  it('is the README\'s list of the first sync, step for step', () => {
    const lines = timelineLines(runbook(prod), simulate(prod, prodBundle));
    const readme = fs.readFileSync('README.md', 'utf8');
    const re = /<!-- first-sync:begin -->\n([\s\S]*?)<!-- first-sync:end -->/;
    expect(re.test(readme), 'README has the first-sync block').toBe(true);
    const want = `${lines.join('\n')}\n`;
    if (process.env.UPDATE_README === '1') fs.writeFileSync('README.md', readme.replace(re, `<!-- first-sync:begin -->\n${want}<!-- first-sync:end -->`));
    else expect(re.exec(readme)![1]).toBe(want);
  });

  it('lists every runbook step and what Argo CD brought up after it', () => {
    const lines = timelineLines(runbook(prod), simulate(prod, prodBundle));
    expect(lines).toHaveLength(runbook(prod).length);
    expect(lines.find((l) => l.includes('(`apply-services`)'))).toMatch(/then Argo CD brings up meridian-cluster1-services, meridian-cluster2-services, meridian-cluster3-services$/);
  });
});
