#!/usr/bin/env node
// npm run bench: whole-process timings of meridian on generated environments of growing size.
//
// For each case (clusters x services, valid non-overlapping CIDRs, both stores, a GSLB; above five clusters
// a hub and the stores placed on five clusters, see environment()) it writes an
// environment into a temporary folder and measures, over several runs, the median wall time and the
// peak resident memory of:
//   synth       parse, check, synthesize, validate, write (node bin/meridian.js synth), as on every save:
//               the code cache and the record of objects already checked are warm
//   synth cold  the same with neither (no lib/meridian.js.cache, --no-cache), as on a fresh checkout
//   validate    meridian validate over the produced tree
//   diff        meridian diff: a fresh synth of a working tree that bumps one service's image, against
//               the committed tree
//   diff trees  meridian diff --base HEAD~1 --head HEAD: the same change, both trees committed
//   kustomize   kubectl kustomize over every produced cluster and tier folder (the reference point: merely rendering)
// and prints one table with the ratio synth/kustomize and the growth ratio t(2N)/t(N) next to the
// output-size ratio. Figures are only comparable within one run: the machine is shared and noisy.
//
// Options: --runs N (default 5), --quick (small cases only), --cases 50x50,100x50 (clusters x services),
// --keep (keep the temporary folder).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'meridian.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const GNU_TIME = fs.existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0 ? '/usr/bin/time' : undefined;
const KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

const casesArg = args.includes('--cases') ? args[args.indexOf('--cases') + 1] : undefined;
const CASES = casesArg
  ? casesArg.split(',').map((c) => c.split('x').map(Number))
  : quick
    ? [[3, 5], [10, 10]]
    : [[3, 5], [10, 10], [30, 25], [50, 50], [100, 50]];

if (!fs.existsSync(path.join(root, 'lib', 'src', 'cli', 'index.js'))) {
  process.stderr.write('bench: run `npm run build` first\n');
  process.exit(1);
}

/** Placement of the larger cases: the stores on five clusters in distinct regions, as a large fleet places them. */
const PLACED_ON = 5;

/**
 * A valid environment with `clusters` clusters and `services` services; CIDRs 10.<i>.0.0/17 + 10.<i>.128.0/17.
 * Above PLACED_ON clusters the layout is a realistic one: c0 is a hub (role hub: the Submariner broker
 * and the GSLB controller, no store, no service), Vault (one pod each, 5 voters) and CockroachDB (3
 * nodes each) run on c1..c5 (regions 1..5), and the services on every workload cluster. Three
 * clusters keep the seeds' layout: every store on every cluster, 9 Vault voters.
 */
function environment(clusters, services, imageTag = '1.0.0') {
  const placed = clusters > PLACED_ON;
  const members = `[${Array.from({ length: PLACED_ON }, (_, i) => `c${i + 1}`).join(', ')}]`;
  const lines = [
    'name: bench',
    'globalDomain: bench.example.com',
    'argocd:',
    '  repoURL: https://git.example.com/bench.git',
    'clusters:',
  ];
  for (let i = 0; i < clusters; i++) {
    lines.push(
      `  - { name: c${i}, region: region-${i % 7}, zones: [region-${i % 7}a, region-${i % 7}b], server: "https://c${i}.example.com:6443", ingressDomain: apps.c${i}.example.com, podCIDR: 10.${i}.0.0/17, serviceCIDR: 10.${i}.128.0/17, platform: openshift${placed && i === 0 ? ', role: hub' : ''} }`,
    );
  }
  lines.push(
    'submariner: { broker: c0, brokerApiServer: "c0.example.com:6443", brokerSecret: broker, ipsecPSKSecret: psk }',
    'pki: { rootCASecret: root-ca }',
    placed
      ? `vault: { image: "hashicorp/vault:1.17.6", replicasPerCluster: 1, clusters: ${members}, seal: { awskms: { region: region-0, kmsKeyId: mrk-1234abcd12ab34cd56ef1234567890ab } } }`
      : 'vault: { image: "hashicorp/vault:1.17.6", seal: { awskms: { region: region-0, kmsKeyId: mrk-1234abcd12ab34cd56ef1234567890ab } } }',
    `cockroachdb: { image: "cockroachdb/cockroach:v24.2.4", databases: [app]${placed ? `, clusters: ${members}` : ''} }`,
    'globalLoadBalancer: { hub: c0, zone: { name: bench, route53ZoneID: Z0BENCH }, policy: Latency }',
    'services:',
  );
  for (let s = 0; s < services; s++) {
    const expose = ['global', 'clusterset', 'cluster'][s % 3];
    const uses = s % 5 === 0 ? '[cockroachdb, vault]' : s > 0 ? `[svc${s - 1}]` : '[]';
    lines.push(
      `  - { name: svc${s}, namespace: team${s % 10}, image: "registry.example.com/svc${s}:${s === 0 ? imageTag : '1.0.0'}", port: 8080, healthPath: /ready, expose: ${expose}, uses: ${uses}, autoscaling: { minReplicas: ${clusters}, maxReplicas: ${clusters * 4} } }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function measure(cmd, cmdArgs, options = {}) {
  const samples = [];
  let peakKiB = 0;
  let last;
  for (let r = 0; r < runs; r++) {
    options.before?.();
    const argv = GNU_TIME ? [GNU_TIME, '-f', '%M', cmd, ...cmdArgs] : [cmd, ...cmdArgs];
    const started = process.hrtime.bigint();
    last = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
    samples.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (GNU_TIME) peakKiB = Math.max(peakKiB, Number(last.stderr.trim().split('\n').pop()) || 0);
    if (options.expect !== undefined && !options.expect.includes(last.status)) {
      throw new Error(`${cmd} ${cmdArgs.join(' ')} exited ${last.status}:\n${last.stderr.slice(0, 2000)}`);
    }
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], peakMiB: peakKiB / 1024 };
}

function treeSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      bytes += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
      files++;
    }
  }
  return { bytes, files };
}

function git(cwd, ...a) {
  const r = spawnSync('git', a, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${a.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-bench-'));
const rows = [];
try {
  for (const [clusters, services] of CASES) {
    const dir = path.join(work, `${clusters}x${services}`);
    fs.mkdirSync(path.join(dir, 'environments'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'environments', 'bench.yaml'), environment(clusters, services));
    const node = process.execPath;
    const codeCache = path.join(root, 'lib', 'meridian.js.cache');
    const cold = measure(node, [cli, 'synth', '--quiet', '--no-cache'], { cwd: dir, expect: [0], before: () => fs.rmSync(codeCache, { force: true }) });
    spawnSync(node, [cli, 'synth', '--quiet'], { cwd: dir }); // primes both caches
    const synth = measure(node, [cli, 'synth', '--quiet'], { cwd: dir, expect: [0] });
    const size = treeSize(path.join(dir, 'dist'));
    const validate = measure(node, [cli, 'validate', 'dist'], { cwd: dir, expect: [0] });
    // diff: the committed base is this tree; the working tree bumps the image of one service (a change
    // to its Deployment in every cluster).
    const commit = (message) => {
      git(dir, '-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'add', '.');
      git(dir, '-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-qm', message);
    };
    git(dir, 'init', '-q');
    commit('base');
    fs.writeFileSync(path.join(dir, 'environments', 'bench.yaml'), environment(clusters, services, '1.0.1'));
    const diff = measure(node, [cli, 'diff', '--format', 'json'], { cwd: dir, expect: [3] });
    measure(node, [cli, 'synth', '--quiet'], { cwd: dir, expect: [0] });
    commit('bump');
    const diffTrees = measure(node, [cli, 'diff', '--base', 'HEAD~1', '--head', 'HEAD', '--format', 'json'], { cwd: dir, expect: [3] });
    let kustomize;
    if (KUBECTL) {
      // Every folder Argo CD renders: each cluster folder and each of its tier folders (an Application each).
      const folders = fs
        .readdirSync(path.join(dir, 'dist'), { recursive: true })
        .map(String)
        .filter((f) => path.basename(f) === 'kustomization.yaml' && !f.startsWith('argocd'))
        .map((f) => path.dirname(f))
        .sort();
      const script = folders.map((f) => `kubectl kustomize dist/${f} >/dev/null || exit 1`).join('\n');
      kustomize = measure('sh', ['-c', script], { cwd: dir, expect: [0] });
    }
    rows.push({ clusters, services, size, synth, cold, validate, diff, diffTrees, kustomize });
    const done = rows[rows.length - 1];
    process.stderr.write(
      `bench: ${clusters} clusters x ${services} services: synth ${done.synth.median.toFixed(3)} s (cold ${done.cold.median.toFixed(3)} s), validate ${done.validate.median.toFixed(3)} s, diff ${done.diff.median.toFixed(3)} s (trees ${done.diffTrees.median.toFixed(3)} s), kustomize ${done.kustomize ? done.kustomize.median.toFixed(3) : 'n/a'} s\n`,
    );
  }
} finally {
  if (keep) process.stderr.write(`bench: kept ${work}\n`);
  else fs.rmSync(work, { recursive: true, force: true });
}

const s = (x) => (x === undefined ? 'n/a' : `${x.median.toFixed(3)}`);
const mem = (x) => (x === undefined || !GNU_TIME ? 'n/a' : `${Math.round(x.peakMiB)}`);
const header = ['clusters', 'services', 'files', 'MiB out', 'synth s', 'cold s', 'synth MiB', 'validate s', 'diff s', 'diff trees s', 'kustomize s', 'synth/kustomize', 'cold/kustomize', 'cold t(2N)/t(N)', 'size(2N)/size(N)'];
const table = rows.map((r) => {
  const half = rows.find((h) => h.services === r.services && h.clusters * 2 === r.clusters);
  return [
    r.clusters,
    r.services,
    r.size.files,
    (r.size.bytes / 2 ** 20).toFixed(1),
    s(r.synth),
    s(r.cold),
    mem({ peakMiB: Math.max(r.synth.peakMiB, r.cold.peakMiB) }),
    s(r.validate),
    s(r.diff),
    s(r.diffTrees),
    s(r.kustomize),
    r.kustomize ? (r.synth.median / r.kustomize.median).toFixed(2) : 'n/a',
    r.kustomize ? (r.cold.median / r.kustomize.median).toFixed(2) : 'n/a',
    half ? (r.cold.median / half.cold.median).toFixed(2) : '',
    half ? (r.size.bytes / half.size.bytes).toFixed(2) : '',
  ].map(String);
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
process.stdout.write(`meridian bench: median of ${runs} runs per figure, whole processes, ${os.cpus().length} CPUs, node ${process.version}\n`);
process.stdout.write(`${line(header)}\n${table.map(line).join('\n')}\n`);
