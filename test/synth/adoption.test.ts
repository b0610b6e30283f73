// The extension points of issue #19, in process: strategic merge and RFC 6902 patches, workload
// overrides, team charts (meridian.config.mjs factories), folders of extra manifests, init and the
// cache folder. The packed end-to-end run is test/package/adopt.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiObject } from 'cdk8s';
import { init, InitConflict } from '../../src/cli/init';
import { main } from '../../src/cli/index';
import { cacheDir } from '../../src/lib/cache-dir';
import { loadConfig, loadTopology, synthToDisk } from '../../src/main';
import { checkConfig, ConfigError } from '../../src/synth/extensions';
import { strategicMerge } from '../../src/synth/patches';
import { OutputValidationError, synthesize, type Bundle, type SynthesizeOptions } from '../../src/synth/synthesize';
import { buildTopology, parseEnvironment, TopologyError, type Topology } from '../../src/topology';
import { treeFromDirectory, validateTree } from '../../src/validate';
import { docs, tempDir } from '../helpers';

const BASE = fs.readFileSync('test/fixtures/environments/minimal.yaml', 'utf8').replace(/^services:[\s\S]*$/m, '');
const API = '  - { name: api, namespace: api, image: example.org/api:1, port: 8080, healthPath: /ready, replicas: 3, expose: clusterset }\n';

function topology(extra: string, services = API): Topology {
  return buildTopology([parseEnvironment(`${BASE}services:\n${services}${extra}`, 'env.yaml')]);
}

function object(bundle: Bundle, file: string, kind: string, name: string): any {
  return docs(bundle.files.get(file)!).find((d) => d.kind === kind && d.metadata.name === name);
}

function fails(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('strategic merge', () => {
  it('merges maps, lists by their merge key, deletes with null and $patch: delete, replaces other lists', () => {
    const base = {
      spec: {
        replicas: 3,
        containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], volumeMounts: [{ name: 'v', mountPath: '/v' }] }, { name: 'b', image: 'b:1' }],
        tolerations: [{ key: 'k', operator: 'Exists' }],
      },
    };
    const merged = strategicMerge(base, {
      spec: {
        replicas: null,
        containers: [{ name: 'a', env: [{ name: 'Y', value: '3' }, { name: 'X', $patch: 'delete' }], volumeMounts: [{ mountPath: '/v', readOnly: true }] }, { name: 'c', image: 'c:1' }],
        tolerations: [{ key: 'other', operator: 'Exists' }],
      },
    });
    expect(merged).toEqual({
      spec: {
        containers: [{ name: 'a', image: 'a:1', env: [{ name: 'Y', value: '3' }], volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true }] }, { name: 'b', image: 'b:1' }, { name: 'c', image: 'c:1' }],
        tolerations: [{ key: 'other', operator: 'Exists' }],
      },
    });
    expect(base.spec.replicas).toBe(3); // the input is not modified
  });
});

describe('patches', () => {
  const bundle = synthesize(
    topology(`patches:
  - target: { kind: Deployment, name: api, namespace: api }
    cluster: west
    json6902:
      - { op: add, path: /spec/template/spec/priorityClassName, value: high }
  - target: { kind: Service, name: api }
    strategic: { metadata: { annotations: { team.example.org/owner: payments } } }
`),
  );

  it('apply to one cluster or to all, before the files are written', () => {
    expect(object(bundle, 'west/services/services.yaml', 'Deployment', 'api').spec.template.spec.priorityClassName).toBe('high');
    expect(object(bundle, 'east/services/services.yaml', 'Deployment', 'api').spec.template.spec.priorityClassName).toBeUndefined();
    for (const c of ['east', 'west', 'north']) expect(object(bundle, `${c}/services/services.yaml`, 'Service', 'api').metadata.annotations['team.example.org/owner']).toBe('payments');
    expect(bundle.patched.filter((p) => p.kind === 'Deployment').map((p) => p.folder)).toEqual(['west']);
  });

  it('a patch that matches nothing is an error at its place in the file', () => {
    const e = fails(() => synthesize(topology(`patches:\n  - target: { kind: Deployment, name: apx }\n    strategic: { spec: { replicas: 1 } }\n`)));
    expect(e).toBeInstanceOf(TopologyError);
    expect(e.message).toBe('env.yaml:21:5: patches[0]: the patch matches no generated object: no Deployment named apx in any cluster of environment minimal; fix target (kind and name as in dist/) or remove the patch');
  });

  it('a patch that fails or changes the identity of its object is an error at its place', () => {
    const failing = fails(() => synthesize(topology(`patches:\n  - target: { kind: Service, name: api }\n    json6902: [{ op: remove, path: /spec/nothing }]\n`)));
    expect(failing.message).toBe('env.yaml:21:5: patches[0]: json6902 cannot be applied to Service api/api: op remove needs /spec/nothing to exist (cluster east)');
    const renaming = fails(() => synthesize(topology(`patches:\n  - target: { kind: Service, name: api }\n    strategic: { metadata: { name: other } }\n`)));
    expect(renaming.message).toMatch(/^env\.yaml:21:5: patches\[0\]: a patch may not change the identity .* of Service api\/api/);
  });

  it('a patch that breaks a schema is reported as such, naming the patch', () => {
    const e = fails(() => synthesize(topology(`patches:\n  - target: { kind: Deployment, name: api }\n    strategic: { spec: { replicas: many } }\n`)));
    expect(e).toBeInstanceOf(OutputValidationError);
    expect((e as OutputValidationError).violations[0]).toMatch(/^dist\/east\/services\/services\.yaml: Deployment\/api\/api: \/spec\/replicas: .* \(after patches\[0\] \(env\.yaml:21:5\)\)$/);
  });
});

describe('workload overrides', () => {
  const bundle = synthesize(
    topology(
      '',
      `  - name: api
    namespace: api
    image: example.org/api:1
    port: 8080
    healthPath: /ready
    replicas: 3
    expose: clusterset
    workload:
      env:
        - { name: API_TOKEN, secretKeyRef: { name: api-token, key: token } }
      volumes:
        - { name: files, mountPath: /etc/api, configMap: { name: api-files } }
      command: [/api]
      args: [--verbose]
      ports: [{ name: metrics, port: 9090 }]
      readinessProbe: { path: /live, periodSeconds: 5 }
      serviceAccount: { annotations: { eks.amazonaws.com/role-arn: 'arn:aws:iam::123456789012:role/api' } }
      nodeSelector: { pool: general }
      tolerations: [{ key: dedicated, operator: Equal, value: api, effect: NoSchedule }]
      topologySpreadConstraints: [{ maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule }]
      imagePullSecrets: [pull]
`,
    ),
  );

  it('reach the pod template, the Service and a ServiceAccount of its own', () => {
    const d = object(bundle, 'east/services/services.yaml', 'Deployment', 'api');
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(c.env).toEqual([{ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api-token', key: 'token' } } }]);
    expect(c.volumeMounts).toContainEqual({ name: 'files', mountPath: '/etc/api', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'files', configMap: { name: 'api-files' } });
    expect([c.command, c.args]).toEqual([['/api'], ['--verbose']]);
    expect(c.ports).toContainEqual({ name: 'metrics', containerPort: 9090, protocol: 'TCP' });
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/live' }, periodSeconds: 5 });
    expect(c.livenessProbe.httpGet.path).toBe('/ready');
    expect(pod).toMatchObject({ serviceAccountName: 'api', automountServiceAccountToken: false, nodeSelector: { pool: 'general' }, imagePullSecrets: [{ name: 'pull' }] });
    expect(pod.topologySpreadConstraints).toEqual([{ maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: d.spec.selector.matchLabels } }]);
    expect(d.metadata.annotations['secret.reloader.stakater.com/reload']).toBe('api-token');
    expect(object(bundle, 'east/services/services.yaml', 'Service', 'api').spec.ports).toContainEqual({ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' });
    expect(object(bundle, 'east/services/services.yaml', 'ServiceAccount', 'api').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/api', 'argocd.argoproj.io/sync-wave': expect.any(String) });
  });
});

describe('team charts and extra manifests', () => {
  const options = (extraFiles: SynthesizeOptions['extraFiles']): SynthesizeOptions => ({
    config: checkConfig({
      charts: {
        team: ({ scope, cluster }) => {
          if (cluster.name !== 'north') new ApiObject(scope, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team', namespace: 'api' }, data: { CLUSTER: cluster.name } });
        },
      },
    }),
    ...(extraFiles ? { extraFiles } : {}),
  });
  const extra = `extraManifests:\n  - { path: manifests, cluster: east }\n`;
  const quota = { name: 'quota.yaml', text: 'apiVersion: v1\nkind: ResourceQuota\nmetadata: { name: api, namespace: api }\nspec: { hard: { pods: "9" } }\n' };

  it('become components of the cluster folders, labelled, listed and in the AppProject', () => {
    const bundle = synthesize(topology(extra), options(new Map([['manifests', [quota]]])));
    const team = object(bundle, 'east/team.yaml', 'ConfigMap', 'team');
    expect(team.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meridian', 'meridian.dev/environment': 'minimal', 'meridian.dev/cluster': 'east', 'app.kubernetes.io/component': 'team' });
    expect(bundle.files.has('north/team.yaml')).toBe(false); // a factory adding nothing leaves no file
    expect(object(bundle, 'east/extra-quota.yaml', 'ResourceQuota', 'api').metadata.labels['meridian.dev/cluster']).toBe('east');
    expect(bundle.files.has('west/extra-quota.yaml')).toBe(false);
    expect(docs(bundle.files.get('east/kustomization.yaml')!)[0].resources).toEqual(expect.arrayContaining(['extra-quota.yaml', 'team.yaml']));
    expect(bundle.files.get('argocd/minimal.yaml')).toContain('kind: ResourceQuota');
  });

  it('refuse Secrets, unparsable files, undeclared folders and names meridian writes', () => {
    const secret = { name: 's.yaml', text: 'apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: api }\n' };
    expect(fails(() => synthesize(topology(extra), options(new Map([['manifests', [secret]]])))).message).toMatch(/^manifests\/s\.yaml:1:1: \(file\): a Secret would put secret material into git/);
    const broken = { name: 'b.yaml', text: 'apiVersion: v1\nkind: [\n' };
    expect(fails(() => synthesize(topology(extra), options(new Map([['manifests', [broken]]])))).message).toMatch(/^manifests\/b\.yaml:\d+:\d+: \(file\): not valid YAML/);
    expect(fails(() => synthesize(topology(extra), options(new Map()))).message).toBe('env.yaml:21:13: extraManifests[0].path: folder manifests not found; create it (relative to the repository root) or remove the entry');
    const reserved = checkConfig({ charts: { services: () => undefined } });
    expect(fails(() => synthesize(topology(''), { config: reserved })).message).toBe('meridian.config.mjs: charts.services: "services" is a component meridian writes itself; choose another name');
    const throwing = checkConfig({ charts: { team: () => { throw new Error('no quota for north'); } } });
    expect(fails(() => synthesize(topology(''), { config: throwing }))).toBeInstanceOf(ConfigError);
  });

  it('checkConfig names what is wrong in meridian.config.mjs', () => {
    expect(() => checkConfig([])).toThrow('meridian.config.mjs: default export: must be an object');
    expect(() => checkConfig({ chart: {} })).toThrow('meridian.config.mjs: chart: unknown setting; the settings are: charts');
    expect(() => checkConfig({ charts: { Team: () => undefined } })).toThrow('meridian.config.mjs: charts.Team: the component name is the file name');
    expect(() => checkConfig({ charts: { team: 'x' } })).toThrow('meridian.config.mjs: charts.team: must be a function');
  });
});

describe('init', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it('scaffolds a repository whose environment synthesizes and validates cleanly', () => {
    const dir = tempDir('meridian-init-');
    const { written } = init(dir, 'prod');
    expect(written).toEqual(['environments/prod.yaml', 'environments/schema.json', '.gitignore', '.github/workflows/meridian.yml', 'README.md']);
    // Without an installed package the schema is copied beside the file and referenced from there.
    expect(fs.readFileSync(path.join(dir, 'environments', 'prod.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/schema\.json\n/);
    expect(fs.readFileSync(path.join(dir, 'environments', 'schema.json'), 'utf8')).toBe(fs.readFileSync('environments/schema.json', 'utf8'));
    process.chdir(dir);
    expect(loadConfig()).toEqual({});
    const result = synthToDisk({ cache: false });
    expect(result.bundle.folders).toEqual(['argocd', 'central', 'east', 'west']);
    expect(validateTree(treeFromDirectory('dist', 'dist'))).toEqual([]);
    expect(loadTopology('environments').environments[0]!.services.map((s) => s.name)).toEqual(['hello']);
  });

  it('refuses to overwrite anything and then writes nothing (exit 2 naming the file)', () => {
    const dir = tempDir('meridian-init-');
    fs.writeFileSync(path.join(dir, 'README.md'), 'mine\n');
    expect(() => init(dir, 'prod')).toThrow(InitConflict);
    expect(fs.readdirSync(dir)).toEqual(['README.md']);
    const err: string[] = [];
    expect(main(['init', dir], { out: () => undefined, err: (t) => void err.push(t), color: false })).toBe(2);
    expect(err.join('')).toBe(`meridian: ${path.join(dir, 'README.md')} already exists; meridian init never overwrites a file: move it away or scaffold into another folder\n`);
  });
});

describe('cacheDir', () => {
  it('is $XDG_CACHE_HOME/meridian, else node_modules/.cache/meridian of the project, else ~/.cache/meridian', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x' }, '/anywhere')).toBe(path.join('/x', 'meridian'));
    const project = tempDir('meridian-project-');
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.mkdirSync(path.join(project, 'environments'));
    expect(cacheDir({}, path.join(project, 'environments'))).toBe(path.join(project, 'node_modules', '.cache', 'meridian'));
    expect(cacheDir({}, '/')).toMatch(/\.cache\/meridian$/);
  });
});
