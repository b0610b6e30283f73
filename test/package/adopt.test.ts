// The package as a new user gets it: `npm pack` of this checkout, installed into a scratch GitOps
// repository with the npm registry unreachable, then the steps of README "Adopting meridian": init, one
// service with a Secret-backed variable and a volume, a team chart (meridian.config.mjs), a per-cluster
// patch and a folder of extra manifests; synth, validate and diff. One tarball and one installation are
// shared by the cases (the build already ran: `npm test` builds first, so packing skips the prepack
// build and only bundles the validators, as the prepack script does after it).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { docs, tempDir } from '../helpers';

const checkout = process.cwd();
let repo = '';
let tarball = '';

function meridian(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // What `npx meridian` runs: the bin link npm made in the scratch repository.
  return spawnSync(path.join(repo, 'node_modules', '.bin', 'meridian'), args, { cwd: repo, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: '', NO_COLOR: '1' } });
}

const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo, encoding: 'utf8' });

beforeAll(() => {
  const scratch = tempDir('meridian-adopt-');
  execFileSync(process.execPath, ['scripts/pack-validators.mjs', '--if-stale'], { cwd: checkout, stdio: 'pipe' });
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', scratch], { cwd: checkout, encoding: 'utf8' }).trim().split('\n').pop()!;
  tarball = path.join(scratch, packed);
  repo = path.join(scratch, 'gitops');
  fs.mkdirSync(repo);
  fs.writeFileSync(path.join(repo, 'package.json'), `${JSON.stringify({ name: 'gitops', version: '1.0.0', private: true }, null, 2)}\n`);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  // No network: the registry is a closed port, and --offline forbids any request anyway.
  execFileSync('npm', ['install', '--save-dev', '--offline', '--registry', 'http://127.0.0.1:9', '--no-audit', '--no-fund', tarball], { cwd: repo, stdio: 'pipe' });
}, 120_000);

describe('a GitOps repository adopting the packed meridian, offline', () => {
  it('installs with no dependency but meridian, and never caches into the installation', () => {
    expect(fs.readdirSync(path.join(repo, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['meridian']);
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', 'meridian', 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    const own = JSON.parse(fs.readFileSync(path.join(checkout, 'package.json'), 'utf8'));
    expect(meridian('--version')).toMatchObject({ status: 0, stdout: `${own.version}\n` });
    // The library: what README shows, resolved through package.json exports from the repository.
    const lib = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "import * as m from 'meridian'; console.log(['loadEnvironments', 'synthesize', 'VaultCluster', 'Microservice', 'Chart', 'defineConfig'].map((k) => typeof m[k]).join(' '))"],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(lib).toBe('function function function function function function\n');
    expect(fs.existsSync(path.join(repo, 'node_modules', 'meridian', 'lib', 'src', 'index.d.ts'))).toBe(true);
  });

  it('init scaffolds a repository that synthesizes and validates, and refuses to overwrite', () => {
    const r = meridian('init');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const env = fs.readFileSync(path.join(repo, 'environments', 'prod.yaml'), 'utf8');
    const ref = /\$schema=(\S+)/.exec(env)![1]!;
    expect(fs.existsSync(path.resolve(repo, 'environments', ref))).toBe(true); // the $schema resolves
    for (const f of ['.gitignore', '.github/workflows/meridian.yml', 'README.md']) expect(fs.existsSync(path.join(repo, f))).toBe(true);
    const again = meridian('init');
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(`meridian: environments/prod.yaml already exists; meridian init never overwrites a file: move it away or scaffold into another folder\n`);
    expect(meridian('synth', '-q')).toMatchObject({ status: 0, stderr: '' });
    expect(meridian('validate').status).toBe(0);
    expect(fs.readdirSync(path.join(repo, 'node_modules', 'meridian', 'lib')).sort()).toEqual(['imports', 'meridian.js', 'offload-worker.js', 'src', 'validators']);
    expect(fs.existsSync(path.join(repo, 'node_modules', '.cache', 'meridian', 'meridian.js.cache'))).toBe(true);
    git('add', '-A');
    git('commit', '-qm', 'scaffold');
  });

  it('adds a service with a Secret-backed variable and a volume, a team chart and a per-cluster patch; synth, validate and diff', () => {
    const envFile = path.join(repo, 'environments', 'prod.yaml');
    fs.appendFileSync(
      envFile,
      `  - name: shop
    namespace: shop
    image: registry.example.com/shop:2.1.0
    port: 8080
    healthPath: /ready
    replicas: 3
    workload:
      env:
        - name: PAYMENT_API_KEY
          secretKeyRef: { name: shop-payment, key: api-key }
      volumes:
        - name: uploads
          mountPath: /var/lib/shop/uploads
          emptyDir: { sizeLimit: 2Gi }
extraManifests:
  - path: manifests/shop
`,
    );
    fs.mkdirSync(path.join(repo, 'manifests', 'shop'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'manifests', 'shop', 'quota.yaml'), 'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  hard:\n    pods: "30"\n');
    fs.writeFileSync(
      path.join(repo, 'meridian.config.mjs'),
      `import { defineConfig, kplus } from 'meridian';

export default defineConfig({
  charts: {
    team: ({ scope, cluster }) => {
      new kplus.k8s.KubeConfigMap(scope, 'settings', { metadata: { name: 'team-settings', namespace: 'shop' }, data: { CLUSTER: cluster.name } });
    },
  },
});
`,
    );
    expect(meridian('synth', '-q')).toMatchObject({ status: 0, stderr: '' });
    git('add', '-A');
    git('commit', '-qm', 'shop');

    // A per-cluster patch: diff shows it against the committed dist/ before synth writes it.
    fs.appendFileSync(
      envFile,
      `patches:
  - target: { kind: Deployment, name: shop, namespace: shop }
    cluster: west
    strategic:
      spec:
        template:
          spec:
            nodeSelector: { node.example.com/pool: large }
`,
    );
    const diff = meridian('diff');
    expect(diff.stderr).toBe('');
    expect(diff.status).toBe(3);
    expect(diff.stdout).toContain('west');
    expect(diff.stdout).toContain('spec.template.spec.nodeSelector');
    expect(diff.stdout).not.toContain('east');
    expect(meridian('synth', '-q')).toMatchObject({ status: 0, stderr: '' });
    expect(meridian('validate')).toMatchObject({ status: 0 });

    const deployment = (cluster: string): any => docs(fs.readFileSync(path.join(repo, 'dist', cluster, 'services', 'services.yaml'), 'utf8')).find((d) => d.kind === 'Deployment' && d.metadata.name === 'shop');
    const west = deployment('west');
    expect(west.spec.template.spec.nodeSelector).toEqual({ 'node.example.com/pool': 'large' });
    expect(deployment('east').spec.template.spec.nodeSelector).toBeUndefined();
    const container = west.spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'PAYMENT_API_KEY', valueFrom: { secretKeyRef: { name: 'shop-payment', key: 'api-key' } } });
    expect(container.volumeMounts).toContainEqual({ name: 'uploads', mountPath: '/var/lib/shop/uploads', readOnly: false });
    expect(west.metadata.annotations['secret.reloader.stakater.com/reload']).toBe('shop-payment');

    const team = docs(fs.readFileSync(path.join(repo, 'dist', 'east', 'team.yaml'), 'utf8'));
    expect(team[0].metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meridian', 'meridian.dev/environment': 'prod', 'meridian.dev/cluster': 'east' });
    const kustomization = docs(fs.readFileSync(path.join(repo, 'dist', 'east', 'kustomization.yaml'), 'utf8'))[0];
    expect(kustomization.resources).toEqual(expect.arrayContaining(['extra-quota.yaml', 'team.yaml']));

    git('add', '-A');
    git('commit', '-qm', 'patch');
    expect(meridian('diff')).toMatchObject({ status: 0 });
    // The extra manifests stay where they are: synth owns the copy in dist/, never the source folder.
    expect(fs.existsSync(path.join(repo, 'manifests', 'shop', 'quota.yaml'))).toBe(true);
  });
});
