import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { synthToDisk } from '../src/main';
import { synthesize, type Bundle } from '../src/synth/synthesize';
import { buildTopology, parseEnvironment, type Topology } from '../src/topology';

export const FIXTURE_ENVIRONMENTS = 'test/fixtures/environments';

/** Loads environment files (paths relative to the repository root) into one topology. */
export function topologyOf(...files: string[]): Topology {
  return buildTopology(files.map((f) => parseEnvironment(fs.readFileSync(f), f)));
}

export function synthFixture(name: string): Bundle {
  return synthesize(topologyOf(`${FIXTURE_ENVIRONMENTS}/${name}.yaml`));
}

export function tempDir(prefix = 'meridian-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Every file under `dir`, relative path -> content. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(r);
      else out.set(r, fs.readFileSync(path.join(dir, r), 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk('');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The documents of a multi-document YAML file. */
export function docs(text: string): any[] {
  return text
    .split(/^---$/m)
    .map((d) => parse(d))
    .filter((d) => d !== null && d !== undefined);
}

export function objectsOf(bundle: Bundle, folder: string, kind?: string): any[] {
  return bundle.objects.filter((o) => o.folder === folder && (kind === undefined || o.manifest.kind === kind)).map((o) => o.manifest);
}

/**
 * The kubelet's expansion of container `command` and `args` (Container API reference): `$$` becomes
 * `$`, `$(NAME)` becomes the value of the container's env var NAME, and an unknown reference stays
 * as written.
 */
export function kubeletExpand(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => (match === '$$' ? '$' : (env[name!] ?? match)));
}

/**
 * A temporary workspace with two fixture environments (minimal: east/west/north, dr: primary/standby)
 * already synthesized into its dist/, for tests of `--env`, which rewrites one environment only.
 */
export function twoEnvironmentWorkspace(): { root: string; envs: string; out: string } {
  const root = tempDir();
  const envs = path.join(root, 'environments');
  fs.mkdirSync(envs);
  for (const f of ['minimal.yaml', 'active-passive.yaml']) fs.copyFileSync(`${FIXTURE_ENVIRONMENTS}/${f}`, path.join(envs, f));
  const out = path.join(root, 'dist');
  synthToDisk({ envDir: envs, outDir: out });
  return { root, envs, out };
}
