// The simulator's inputs for an environment: its synthesized objects and its runbook, and the real Lua
// of src/lib/argocd-health.ts run through fengari (as test/delivery/argocd-health.test.ts does).
import { createRequire } from 'node:module';
import { runbook, type RunbookStep } from '../../src/report/runbook';
import { simulateFirstSync, type LuaRunner, type SimulationResult } from '../../src/report/sync-simulator';
import type { Bundle } from '../../src/synth/synthesize';
import type { Environment } from '../../src/topology';

const { lua, lauxlib, lualib, to_luastring } = createRequire(import.meta.url)('fengari');

function luaValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `{ ${v.map(luaValue).join(', ')} }`;
  if (typeof v === 'object') return `{ ${Object.entries(v as Record<string, unknown>).map(([k, x]) => `[${JSON.stringify(k)}] = ${luaValue(x)}`).join(', ')} }`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

const cache = new Map<string, { status: string; message: string }>();

/** Runs a health script in a Lua VM, the way Argo CD runs it in gopher-lua; memoized per script and object. */
export const fengariLua: LuaRunner = (script, obj) => {
  const key = `${script}\u0000${JSON.stringify({ status: obj.status, generation: obj.metadata?.generation })}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const code = `obj = ${luaValue({ metadata: { generation: obj.metadata?.generation }, status: obj.status })}\nlocal function check()\n${script}\nend\nlocal hs = check()\nreturn hs.status, tostring(hs.message)`;
  if (lauxlib.luaL_loadstring(L, to_luastring(code)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  if (lua.lua_pcall(L, 0, 2, 0) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  const out = { status: lua.lua_tojsstring(L, -2), message: lua.lua_tojsstring(L, -1) };
  cache.set(key, out);
  return out;
};

export function simulate(env: Environment, bundle: Pick<Bundle, 'objects'>, options: { steps?: readonly RunbookStep[]; customizations?: boolean } = {}): SimulationResult {
  const objects = bundle.objects.filter((o) => o.environment === env.name || o.folder === 'argocd').map((o) => ({ folder: o.folder, file: o.file, manifest: o.manifest as any }));
  return simulateFirstSync({ env, objects, runbook: options.steps ?? runbook(env), lua: fengariLua, ...(options.customizations === undefined ? {} : { customizations: options.customizations }) });
}
