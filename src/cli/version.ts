// The installed meridian's own package.json (its version for `meridian --version`, its root for the
// files it ships). Found from this module: src/cli in a checkout, lib/ in the bundle of a package.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder of meridian's package.json. */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === 'meridian') return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json of meridian above ${__dirname}`);
  }
}

export function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
