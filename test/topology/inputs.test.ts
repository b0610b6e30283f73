// Inputs users write must work (merge keys, block scalars, byte-counted size limit, config spelling),
// what cannot be read is a `file: what is wrong` error, and the bounds that need more than a fixture.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { fileProblem, loadTopology } from '../../src/main';
import { synthesize } from '../../src/synth/synthesize';
import { buildTopology, MAX_FILE_BYTES, parseEnvironment, TopologyError, type Topology } from '../../src/topology';
import { MAX_CONFIGMAP_BYTES } from '../../src/lib/limits';
import { serverUrl } from '../../src/topology/model';
import { treeFromObjects, validateTree } from '../../src/validate';
import { tempDir } from '../helpers';

const MINIMAL = fs.readFileSync('test/fixtures/environments/minimal.yaml', 'utf8');

function build(text: string, source = 'env.yaml'): Topology {
  return buildTopology([parseEnvironment(text, source)]);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TopologyError) return e.message;
    throw e;
  }
  throw new Error('accepted');
}

/** minimal.yaml with its one service replaced by `service` (a YAML flow mapping body or block lines). */
function withService(lines: string): string {
  return MINIMAL.replace(/services:\n[\s\S]*$/, `services:\n${lines}\n`);
}

describe('YAML users write', () => {
  it('accepts merge keys, and locates a problem in a merged value at the anchor it comes from', () => {
    const text = withService(
      [
        '  - &defaults',
        '    name: api',
        '    namespace: api',
        '    image: example.org/api:1',
        '    port: 8080',
        '    healthPath: /ready',
        '    replicas: 3',
        '    expose: clusterset',
        '  - <<: *defaults',
        '    name: web',
        '    namespace: web',
      ].join('\n'),
    );
    const env = build(text).environments[0]!;
    expect(env.services.map((s) => [s.name, s.namespace, s.port])).toEqual([
      ['api', 'api', 8080],
      ['web', 'web', 8080],
    ]);
    // a bad value inherited through the merge is reported where it is written (the anchored mapping)
    const bad = text.replace('    port: 8080', '    port: 15001');
    const lines = errorOf(() => build(bad)).split('\n');
    const portLine = bad.split('\n').findIndex((l) => l === '    port: 15001') + 1;
    expect(lines).toEqual([
      `env.yaml:${portLine}:11: services[0].port: port 15001 is reserved by the Istio sidecar (15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090); listen on another port`,
      `env.yaml:${portLine}:11: services[1].port: port 15001 is reserved by the Istio sidecar (15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090); listen on another port`,
    ]);
  });

  it('still refuses an alias bomb built from merge keys', () => {
    const levels = ['a0: &a0 {x: 1}'];
    for (let i = 1; i < 12; i++) levels.push(`a${i}: &a${i} {<<: [${Array.from({ length: 8 }, () => `*a${i - 1}`).join(', ')}]}`);
    const text = `${MINIMAL}\n${levels.join('\n')}\n`;
    expect(errorOf(() => parseEnvironment(text, 'env.yaml'))).toMatch(/aliases expand too much/);
  });

  it('does not take a block scalar of dashes or deep indentation for nesting', () => {
    const block = ['      BANNER: |', `        ${'-'.repeat(400)}`, ...Array.from({ length: 100 }, (_, i) => `${' '.repeat(8 + 2 * i)}- level ${i} [ {`)].join('\n');
    const text = withService(`  - name: api\n    namespace: api\n    image: example.org/api:1\n    port: 8080\n    healthPath: /ready\n    replicas: 3\n    expose: clusterset\n    config:\n${block}`);
    const config = build(text).environments[0]!.services[0]!.config;
    expect(config.BANNER!.startsWith(`${'-'.repeat(400)}\n- level 0 [ {\n  - level 1`)).toBe(true);
  });

  it('still refuses deep nesting outside block scalars', () => {
    const deep = `${MINIMAL}x:\n${Array.from({ length: 70 }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:`).join('\n')} 1\n`;
    expect(errorOf(() => parseEnvironment(deep, 'env.yaml'))).toMatch(/nested more than 64 levels deep/);
  });

  it('counts the file-size limit in bytes, not characters', () => {
    // 'é' is one UTF-16 unit and two UTF-8 bytes: under the limit in characters, over it in bytes.
    const filler = 'é'.repeat(MAX_FILE_BYTES / 2 + 1);
    const text = `${MINIMAL}# ${filler}\n`;
    expect(text.length).toBeLessThan(MAX_FILE_BYTES);
    const bytes = Buffer.byteLength(text);
    expect(errorOf(() => parseEnvironment(text, 'env.yaml'))).toBe(`env.yaml:1:1: (file): file is ${bytes} bytes; environment files are limited to ${MAX_FILE_BYTES} bytes`);
    expect(errorOf(() => parseEnvironment(Buffer.from(text), 'env.yaml'))).toBe(`env.yaml:1:1: (file): file is ${bytes} bytes; environment files are limited to ${MAX_FILE_BYTES} bytes`);
  });

  it('keeps the spelling of numbers and booleans in config', () => {
    const text = withService(
      '  - { name: api, namespace: api, image: example.org/api:1, port: 8080, healthPath: /ready, replicas: 3, expose: clusterset,\n' +
        '      config: { VERSION: 1.10, ZIP: 01234, HEX: 0x1F, BIG: 12345678901234567890, FLAG: True, EXP: 1e3, QUOTED: "007" } }',
    );
    expect(build(text).environments[0]!.services[0]!.config).toEqual({ BIG: '12345678901234567890', EXP: '1e3', FLAG: 'True', HEX: '0x1F', QUOTED: '007', VERSION: '1.10', ZIP: '01234' });
  });
});

describe('files that cannot be read', () => {
  it('reports a dangling symlink, a folder named *.yaml and a pipe as `file: what is wrong`', () => {
    const dir = tempDir();
    fs.copyFileSync('test/fixtures/environments/minimal.yaml', path.join(dir, 'a.yaml'));
    fs.symlinkSync(path.join(dir, 'missing.yaml'), path.join(dir, 'dangling.yaml'));
    fs.mkdirSync(path.join(dir, 'folder.yaml'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    const rel = (f: string): string => path.relative(process.cwd(), path.join(dir, f));
    expect(errorOf(() => loadTopology(dir)).split('\n')).toEqual([
      `${rel('dangling.yaml')}: cannot be read: it is a symbolic link to a file that does not exist (or was removed while reading); fix or remove the link`,
      `${rel('folder.yaml')}: is a folder, not a file; environment files are *.yaml files, so rename the folder`,
      `${rel('pipe.yaml')}: is not a regular file (a pipe, socket or device); environment files are plain *.yaml files`,
    ]);
  });

  it('refuses an oversized file from its size, before reading it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge.yaml');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, MAX_FILE_BYTES + 1);
    expect(errorOf(() => loadTopology(dir))).toBe(`${path.relative(process.cwd(), file)}:1:1: (file): file is ${MAX_FILE_BYTES + 1} bytes; environment files are limited to ${MAX_FILE_BYTES} bytes`);
  });

  // Tests run as root, which reads a chmod 000 file anyway, so the EACCES case is checked on the
  // mapping loadTopology applies to the error the read throws.
  it('reports permission denied without a stack trace, and rethrows what it does not know', () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open 'environments/a.yaml'"), { code: 'EACCES' });
    expect(new TopologyError([fileProblem('environments/a.yaml', denied)]).message).toBe(
      'environments/a.yaml: cannot be read: permission denied; make it readable (chmod a+r) or move it out of the environments folder',
    );
    const unknown = new Error('boom');
    expect(() => fileProblem('environments/a.yaml', unknown)).toThrow(unknown);
  });
});

describe('bounds the API server and Argo CD enforce', () => {
  it('refuses config values over 1 MiB counted in UTF-8 bytes, and accepts them at the bound', () => {
    const service = (value: string): string =>
      withService(`  - { name: api, namespace: api, image: example.org/api:1, port: 8080, healthPath: /ready, replicas: 3, expose: clusterset, config: { BLOB: "${value}" } }`);
    const fits = 'x'.repeat(MAX_CONFIGMAP_BYTES);
    expect(build(service(fits)).environments[0]!.services[0]!.config.BLOB).toHaveLength(fits.length);
    // one 2-byte character more than fits
    const over = `${'x'.repeat(MAX_CONFIGMAP_BYTES - 1)}é`;
    expect(errorOf(() => build(service(over)))).toMatch(
      new RegExp(`^env\\.yaml:\\d+:\\d+: services\\[0\\]\\.config: config values add up to ${MAX_CONFIGMAP_BYTES + 1} bytes \\(UTF-8\\); the API server refuses a ConfigMap whose values exceed ${MAX_CONFIGMAP_BYTES} bytes`),
    );
  });

  it.each([
    ['/dist', '"/dist" is absolute'],
    ['deploy//dist', '"deploy//dist" has an empty segment ("//")'],
    ['./dist', '"./dist" has a "." segment'],
  ])('refuses argocd.path %s', (value, message) => {
    const text = MINIMAL.replace('  repoURL: https://git.example.org/min.git\n', `  repoURL: https://git.example.org/min.git\n  path: ${value}\n`);
    expect(errorOf(() => build(text))).toBe(`env.yaml:7:9: argocd.path: ${message}; write a folder relative to the repository root, e.g. dist or deploy/dist`);
  });

  it('compares API server URLs as Argo CD does: host case, trailing slash and port 443 do not matter', () => {
    const key = (u: string): string => (serverUrl(u) as { key: string }).key;
    expect(key('https://API.example.com:443/')).toBe(key('https://api.example.com'));
    expect(key('https://api.example.com:6443')).not.toBe(key('https://api.example.com'));
    expect(serverUrl('https://api.example.com:0')).toBe('"https://api.example.com:0" has port 0; a TCP port is 1..65535');
    expect(serverUrl('https://vault.example.com:65536/v1')).toBe('"https://vault.example.com:65536/v1" has port 65536; a TCP port is 1..65535');
  });
});

describe('no internal errors on valid extremes', () => {
  const label = (n: number, c = 'a'): string => `${c}${'b'.repeat(n - 1)}`;

  it('synthesizes a valid bundle for a 253-character hostname and the longest service and namespace names', () => {
    const hostname = `${label(63)}.${label(63)}.${label(63)}.${label(57)}.org`;
    expect(hostname).toHaveLength(253);
    const name = label(40, 's');
    const ns = label(63, 'n');
    const text = withService(`  - { name: ${name}, namespace: ${ns}, image: example.org/api:1, port: 8080, healthPath: /ready, replicas: 3, expose: global, hostname: ${hostname} }`)
      .replace('globalDomain: min.example.org', `globalDomain: ${hostname.split('.').slice(1).join('.')}`)
      .concat('globalLoadBalancer:\n  zone: { name: min-zone, route53ZoneID: Z1MIN }\n')
      // the global-load-balancer-operator needs OpenShift endpoints
      .replace(/(serviceCIDR: [0-9./]+) \}/g, '$1, platform: openshift }');
    const bundle = synthesize(build(text));
    expect(validateTree(treeFromObjects(bundle.files, bundle.objects, 'dist'), { skip: ['MER001'] })).toEqual([]);
    const cert = bundle.objects.find((o) => o.manifest.kind === 'Certificate' && o.manifest.spec.dnsNames?.includes(hostname));
    expect(cert?.manifest.spec.commonName).toBeUndefined();
  });

  it('synthesizes a valid bundle with every name at its longest at once (stores, clusters, environment, namespaces)', () => {
    const prod = parse(fs.readFileSync('environments/prod.yaml', 'utf8'));
    prod.name = label(63, 'e');
    delete prod.argocd.project; // so meridian names its own AppProject meridian-<name>
    const clusters = ['c', 'd', 'f'].map((c) => label(63, c));
    prod.clusters.forEach((c: { name: string }, i: number) => (c.name = clusters[i]!));
    prod.submariner.broker = clusters[0];
    prod.globalLoadBalancer.hub = clusters[0];
    prod.vault.namespace = label(63, 'v');
    prod.cockroachdb.namespace = label(63, 'r');
    prod.globalLoadBalancer.namespace = label(63, 'g');
    prod.services[0].name = label(40, 's');
    prod.services[0].namespace = label(63, 'n');
    prod.services[0].uses = ['cockroachdb', 'vault', label(40, 'k')];
    prod.services[1].name = label(40, 'k');
    prod.services[1].namespace = label(63, 'm');
    const bundle = synthesize(build(stringify(prod)));
    expect(validateTree(treeFromObjects(bundle.files, bundle.objects, 'dist'), { skip: ['MER001'] })).toEqual([]);
  });
});
