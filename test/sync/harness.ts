// The simulator's inputs for an environment: its synthesized objects and its runbook, and the real Lua
// of src/lib/argocd-health.ts run through fengari (as test/delivery/argocd-health.test.ts does).
import { luaHealth } from '../lua';
import { runbook, type RunbookStep } from '../../src/report/runbook';
import { simulateFirstSync, type LuaRunner, type SimulationResult } from '../../src/report/sync-simulator';
import type { Bundle } from '../../src/synth/synthesize';
import type { Environment } from '../../src/topology';

const cache = new Map<string, { status: string; message: string }>();

/** Runs a health script in a Lua VM, the way Argo CD runs it in gopher-lua; memoized per script and object. */
export const fengariLua: LuaRunner = (script, obj) => {
  const key = `${script}\u0000${JSON.stringify({ status: obj.status, generation: obj.metadata?.generation })}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = luaHealth(script, { metadata: { generation: obj.metadata?.generation }, status: obj.status });
  cache.set(key, out);
  return out;
};

export function simulate(env: Environment, bundle: Pick<Bundle, 'objects'>, options: { steps?: readonly RunbookStep[]; customizations?: boolean } = {}): SimulationResult {
  const objects = bundle.objects.filter((o) => o.environment === env.name || o.folder === 'argocd').map((o) => ({ folder: o.folder, file: o.file, manifest: o.manifest as any }));
  return simulateFirstSync({ env, objects, runbook: options.steps ?? runbook(env), lua: fengariLua, ...(options.customizations === undefined ? {} : { customizations: options.customizations }) });
}
