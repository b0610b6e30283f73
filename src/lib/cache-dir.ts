// Where meridian keeps what it can rebuild (the record of checked objects, src/validate/cache.ts; the
// code cache of bin/meridian.js follows the same rule): never inside the installation, which may be
// read-only or shared. Deciding the folder reads only the environment and whether folders exist.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The cache folder: `$XDG_CACHE_HOME/meridian`, else `node_modules/.cache/meridian` of the project run
 * from (the nearest folder at or above `cwd` that has node_modules), else `~/.cache/meridian`.
 * The folder may not exist or be unwritable: then there is simply no cache.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'meridian');
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) return path.join(dir, 'node_modules', '.cache', 'meridian');
    if (dir === path.dirname(dir)) break;
  }
  return path.join(os.homedir(), '.cache', 'meridian');
}
