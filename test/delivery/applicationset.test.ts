// The ApplicationSets in dist/argocd, run the way Argo CD runs them: the git directories generator
// over a real output tree (include and exclude rules, exclude wins, dot-folders skipped), the Go
// template with missingkey=error, and the AppProject check every generated object must pass.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { synthesize, type Bundle } from '../../src/synth/synthesize';
import { writeTreeAtomically } from '../../src/synth/write';
import type { Topology } from '../../src/topology';
import { Tier, tierFolder, TIERS } from '../../src/lib/sync-wave';
import { docs, FIXTURE_ENVIRONMENTS, objectsOf, tempDir, topologyOf } from '../helpers';

/** Every directory below `root`, as repository paths relative to `base` (what the generator lists). */
function directories(base: string, root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    out.push(rel);
    for (const e of fs.readdirSync(path.join(base, rel), { withFileTypes: true })) if (e.isDirectory()) walk(`${rel}/${e.name}`);
  };
  walk(root);
  return out.sort();
}

/** Go's path.Match for the patterns the generator accepts: `*` and `?` never cross a `/`. */
function pathMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`).test(name);
}

/** The directories an ApplicationSet's git directories generator yields: matched by an include, by no exclude. */
function generate(appSet: any, dirs: readonly string[]): string[] {
  const rules: { path: string; exclude?: boolean }[] = appSet.spec.generators[0].git.directories;
  return dirs.filter(
    (d) => !d.split('/').some((seg) => seg.startsWith('.')) && rules.some((r) => !r.exclude && pathMatch(r.path, d)) && !rules.some((r) => r.exclude && pathMatch(r.path, d)),
  );
}

/** Go text/template with missingkey=error, for the `{{.a.b}}` actions the template uses. */
function render(value: unknown, params: Record<string, any>): any {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*\.([A-Za-z0-9_.]+)\s*\}\}/g, (_, ref: string) => {
      const v = ref.split('.').reduce<any>((o, k) => (o !== undefined && k in o ? o[k] : undefined), params);
      if (v === undefined) throw new Error(`map has no entry for key "${ref}"`);
      return String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, params));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, params)]));
  return value;
}

function applications(appSet: any, dirs: readonly string[]): any[] {
  expect(appSet.spec.goTemplate).toBe(true);
  expect(appSet.spec.goTemplateOptions).toEqual(['missingkey=error']);
  return generate(appSet, dirs).map((d) => {
    const basename = d.slice(d.lastIndexOf('/') + 1);
    return render(appSet.spec.template, { path: { path: d, basename, basenameNormalized: basename.replace(/[^a-zA-Z0-9-]/g, '-'), segments: d.split('/') } });
  });
}

/** Argo CD's glob for project destinations (`*` matches anything, the empty pattern only the empty name). */
function glob(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);
}

interface Case {
  readonly name: string;
  readonly topology: Topology;
  readonly bundle: Bundle;
  /** Output tree as the repository holds it. */
  readonly repo: string;
}

function committed(): Case {
  const topology = loadTopology('environments');
  return { name: 'committed dist/', topology, bundle: synthesize(topology), repo: '.' };
}

function allFixtures(): Case {
  const files = fs
    .readdirSync(FIXTURE_ENVIRONMENTS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `${FIXTURE_ENVIRONMENTS}/${f}`);
  const topology = topologyOf(...files);
  const bundle = synthesize(topology);
  const repo = tempDir();
  writeTreeAtomically(path.join(repo, 'dist'), bundle.files);
  fs.mkdirSync(path.join(repo, 'dist', '.cache'));
  return { name: 'all fixture environments together', topology, bundle, repo };
}

describe('the generator simulation', () => {
  const set = (directories: object[]): any => ({ spec: { generators: [{ git: { directories } }] } });
  const dirs = ['dist', 'dist/.cache', 'dist/argocd', 'dist/c1', 'dist/c1/sub', 'dist/c2', 'src'];

  it('includes by path.Match, where * stops at a slash', () => {
    expect(generate(set([{ path: 'dist/*' }]), dirs)).toEqual(['dist/argocd', 'dist/c1', 'dist/c2']);
  });

  it('lets exclude rules win over include rules, whatever their order', () => {
    expect(generate(set([{ path: 'dist/argocd', exclude: true }, { path: 'dist/*' }, { path: 'dist/c2', exclude: true }]), dirs)).toEqual(['dist/c1']);
  });

  it('fails to cover exactly the clusters when the argocd folder is not excluded', () => {
    const appSet = objectsOf(synthesize(loadTopology('environments')), 'argocd', 'ApplicationSet')[0];
    const withoutExclude = { ...appSet, spec: { ...appSet.spec, generators: [{ git: { ...appSet.spec.generators[0].git, directories: [{ path: 'dist/*' }] } }] } };
    expect(applications(withoutExclude, directories('.', 'dist')).map((a) => a.spec.destination.name)).toContain('argocd');
  });

  it('fails a template that names a parameter the generator does not have (missingkey=error)', () => {
    expect(() => render({ name: '{{.path.basenme}}' }, { path: { basename: 'c1' } })).toThrow(/no entry for key "path.basenme"/);
  });
});

describe.each([
  ['the committed dist/', committed],
  ['all fixture environments together', allFixtures],
])('ApplicationSets of %s', (_name, make) => {
  const c = make();
  const dirs = directories(c.repo, 'dist');
  const argo = c.bundle.objects.filter((o) => o.folder === 'argocd').map((o) => o.manifest as any);

  it('live in dist/argocd/<environment>.yaml, labelled as the delivery component', () => {
    for (const env of c.topology.environments) {
      const file = docs(fs.readFileSync(path.join(c.repo, 'dist/argocd', `${env.name}.yaml`), 'utf8'));
      expect(file.map((d) => d.kind)).toContain('ApplicationSet');
      for (const d of file) expect(d.metadata.labels['app.kubernetes.io/component']).toBe('delivery');
    }
  });

  it('generate one Application per cluster folder and tier of the environment, and nothing else', () => {
    const seen = new Set<string>();
    for (const env of c.topology.environments) {
      const sets = argo.filter((o) => o.kind === 'ApplicationSet' && o.metadata.labels['meridian.dev/environment'] === env.name);
      // one ApplicationSet per tier: the platform's in dist/argocd/<env>.yaml, each later tier's in dist/argocd/<tier>/<env>.yaml
      expect(sets.map((s) => s.metadata.name).sort()).toEqual([`meridian-${env.name}`, ...TIERS.slice(1).map((t) => `meridian-${env.name}-${t}`)].sort());
      for (const tier of TIERS) {
        const appSet = sets.find((s) => s.metadata.name === (tier === Tier.PLATFORM ? `meridian-${env.name}` : `meridian-${env.name}-${tier}`));
        const apps = applications(appSet, dirs);
        // THEN exactly the environment's clusters, by folder name
        expect(apps.map((a) => a.spec.destination.name).sort()).toEqual(env.clusters.map((cl) => cl.name).sort());
        for (const app of apps) {
          const sub = tierFolder(tier);
          expect(app.spec.source.path).toBe(`${env.argocd.path}/${app.spec.destination.name}${sub ? `/${sub}` : ''}`);
          expect(app.spec.source.repoURL).toBe(env.argocd.repoURL);
          expect(app.spec.source.targetRevision).toBe(env.argocd.revision);
          expect(app.metadata.name).toBe(`meridian-${app.spec.destination.name}${sub ? `-${sub}` : ''}`);
          expect(app.metadata.labels['meridian.dev/cluster']).toBe(app.spec.destination.name);
          expect(app.metadata.labels['meridian.dev/tier']).toBe(tier);
          expect(seen.has(app.metadata.name), `${app.metadata.name} generated twice`).toBe(false);
          seen.add(app.metadata.name);
          // Kustomize renders the folder: it has a kustomization.yaml; the platform's sub-folders are the other tiers, which its kustomization does not list
          expect(fs.existsSync(path.join(c.repo, app.spec.source.path, 'kustomization.yaml'))).toBe(true);
          const subFolders = dirs.filter((d) => d.startsWith(`${app.spec.source.path}/`)).map((d) => d.slice(app.spec.source.path.length + 1));
          expect(subFolders).toEqual(tier === Tier.PLATFORM ? TIERS.slice(1).map(tierFolder).sort() : []);
          const listed: string[] = docs(fs.readFileSync(path.join(c.repo, app.spec.source.path, 'kustomization.yaml'), 'utf8'))[0].resources;
          expect(listed.every((r) => !r.includes('/'))).toBe(true);
          expect(app.spec.source.directory).toBeUndefined();
        }
      }
    }
  });

  it('sync server-side, honouring ignored differences, never delete on removal, and roll out as the environment asks', () => {
    for (const appSet of argo.filter((o) => o.kind === 'ApplicationSet')) {
      const env = c.topology.environments.find((e) => e.name === appSet.metadata.labels['meridian.dev/environment'])!;
      expect(appSet.spec.syncPolicy.preserveResourcesOnDeletion).toBe(true);
      const sync = appSet.spec.template.spec.syncPolicy;
      if (env.argocd.rollout === 'all-at-once') {
        expect(appSet.spec.strategy).toBeUndefined();
        expect(sync.automated).toEqual({ prune: true, selfHeal: true });
      } else {
        // progressive sync: the controller syncs one cluster at a time, in file order, and turns automated sync off
        expect(appSet.spec.strategy.type).toBe('RollingSync');
        // one step per region, the bootstrap cluster's region first; every cluster in exactly one step
        const stepped: string[] = appSet.spec.strategy.rollingSync.steps.flatMap((s: any) => s.matchExpressions[0].values);
        expect(stepped[0]).toBe(env.clusters[0]!.name);
        expect([...stepped].sort()).toEqual(env.clusters.map((cl) => cl.name).sort());
        for (const step of appSet.spec.strategy.rollingSync.steps) expect(new Set(step.matchExpressions[0].values.map((n: string) => env.clusters.find((cl) => cl.name === n)!.region)).size).toBe(1);
        for (const step of appSet.spec.strategy.rollingSync.steps) expect(step.maxUpdate).toBe(1);
        expect(sync.automated).toBeUndefined();
      }
      expect(sync.syncOptions).toEqual(expect.arrayContaining(['ServerSideApply=true', 'RespectIgnoreDifferences=true']));
    }
  });

  it('ignore only drifts of kinds the folders contain, and never the replicas the topology asks for', () => {
    for (const env of c.topology.environments) {
      const appSet = argo.find((o) => o.kind === 'ApplicationSet' && o.metadata.labels['meridian.dev/environment'] === env.name);
      const objects = c.bundle.objects.filter((o) => env.clusters.some((cl) => cl.name === o.folder)).map((o) => o.manifest as any);
      for (const ignore of appSet.spec.template.spec.ignoreDifferences ?? []) {
        expect(objects.some((o) => o.kind === ignore.kind && (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '') === ignore.group), `${ignore.group}/${ignore.kind}`).toBe(true);
        expect(ignore.jsonPointers ?? []).not.toContain('/spec/replicas');
        expect((ignore.jqPathExpressions ?? []).join(' ')).not.toMatch(/replicas/);
        // kube-controller-manager's replicas only where an HPA scales the kind
        if (ignore.managedFieldsManagers) {
          expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.kind === ignore.kind)).toBe(true);
        }
      }
    }
  });

  it('confine the Applications with a project: meridian ships one unless the environment names its own', () => {
    for (const env of c.topology.environments) {
      const appSet = argo.find((o) => o.kind === 'ApplicationSet' && o.metadata.labels['meridian.dev/environment'] === env.name);
      expect(appSet.spec.template.spec.project).toBe(env.argocd.project);
      const project = argo.find((o) => o.kind === 'AppProject' && o.metadata.name === env.argocd.project);
      if (!env.argocd.ownProject) {
        expect(project).toBeUndefined();
        continue;
      }
      expect(project.metadata.namespace).toBe(env.argocd.namespace);
      expect(project.spec.sourceRepos).toEqual([env.argocd.repoURL]);
      expect([...new Set(project.spec.destinations.map((d: any) => d.name))].sort()).toEqual(env.clusters.map((cl) => cl.name).sort());
      const permitted = (cluster: string, namespace: string): boolean => project.spec.destinations.some((d: any) => d.name === cluster && glob(d.namespace, namespace));
      const listed = (list: any[] | undefined, group: string, kind: string): boolean => (list ?? []).some((k) => k.group === group && k.kind === kind);
      const used = new Set<string>();
      for (const app of applications(appSet, dirs)) {
        // the Application itself names only the cluster
        expect(permitted(app.spec.destination.name, app.spec.destination.namespace ?? '')).toBe(true);
        for (const o of objectsOf(c.bundle, app.spec.destination.name)) {
          const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
          used.add(`${group}/${o.kind}`);
          if (o.metadata.namespace === undefined) {
            expect(listed(project.spec.clusterResourceWhitelist, group, o.kind), `cluster-scoped ${o.kind}`).toBe(true);
          } else {
            expect(listed(project.spec.namespaceResourceWhitelist, group, o.kind), `namespaced ${o.kind}`).toBe(true);
            expect(permitted(app.spec.destination.name, o.metadata.namespace), `${o.kind} in ${o.metadata.namespace}`).toBe(true);
          }
        }
      }
      // and nothing it does not write
      const whitelisted = [...(project.spec.clusterResourceWhitelist ?? []), ...(project.spec.namespaceResourceWhitelist ?? [])].map((k: any) => `${k.group}/${k.kind}`);
      expect(whitelisted.sort()).toEqual([...used].sort());
      expect(project.spec.destinations.every((d: any) => d.namespace !== '*')).toBe(true);
    }
  });
});

describe('dist/argocd when only one environment is synthesized (--env)', () => {
  it('still describes every environment exactly as a full synth does', () => {
    // GIVEN two environments
    const topology = topologyOf(`${FIXTURE_ENVIRONMENTS}/minimal.yaml`, `${FIXTURE_ENVIRONMENTS}/external-dns.yaml`);
    // WHEN only one is written
    const one = synthesize(topology, { environments: ['minimal'] });
    const all = synthesize(topology);
    // THEN the other's project and ApplicationSet are unchanged, its cluster folders are not written
    for (const file of ['argocd/minimal.yaml', 'argocd/edge.yaml']) expect(one.files.get(file)).toBe(all.files.get(file));
    expect([...one.files.keys()].some((f) => f.startsWith('edge1/'))).toBe(false);
  });
});
