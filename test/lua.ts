// Argo CD health scripts run in a Lua VM, for the tests: fengari (a devDependency) stands in for
// gopher-lua (Lua 5.1) in Argo CD; meridian's scripts use nothing that differs between 5.1 and
// fengari's 5.3. Shared by the health-check tests and the sync simulator's harness.
import { createRequire } from 'node:module';

const { lua, lauxlib, lualib, to_luastring } = createRequire(import.meta.url)('fengari');

/** A JavaScript value as a Lua table constructor (what Argo CD hands the script as `obj`). */
function luaValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `{ ${v.map(luaValue).join(', ')} }`;
  if (typeof v === 'object') return `{ ${Object.entries(v as Record<string, unknown>).map(([k, x]) => `[${JSON.stringify(k)}] = ${luaValue(x)}`).join(', ')} }`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Runs a health script on one object and returns what it reports. */
export function luaHealth(script: string, obj: unknown): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const code = `obj = ${luaValue(obj)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nreturn hs.status, tostring(hs.message)`;
  if (lauxlib.luaL_loadstring(L, to_luastring(code)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  if (lua.lua_pcall(L, 0, 2, 0) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  return { status: lua.lua_tojsstring(L, -2), message: lua.lua_tojsstring(L, -1) };
}
