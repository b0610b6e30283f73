// Scratch checkouts for the writer's tests (write.test.ts, kill.test.ts, test/cli/synth-out.test.ts).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURE_ENVIRONMENTS, tempDir } from '../helpers';

const MINIMAL = fs.readFileSync(`${FIXTURE_ENVIRONMENTS}/minimal.yaml`, 'utf8');

/** A scratch checkout: environments/minimal.yaml, a git repository unless `git` is false. */
export function scratch(options: { git?: boolean; envs?: string; environment?: string } = {}): { root: string; envs: string; out: string } {
  const root = tempDir('meridian-write-');
  if (options.git !== false) execFileSync('git', ['init', '-q'], { cwd: root });
  const envs = path.join(root, options.envs ?? 'environments');
  fs.mkdirSync(envs, { recursive: true });
  fs.writeFileSync(path.join(envs, 'minimal.yaml'), options.environment ?? MINIMAL);
  return { root, envs, out: path.join(root, 'dist') };
}

