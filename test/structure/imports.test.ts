// The layering of DESIGN §5, checked on the import statements of src/ so a wrong-way import cannot come
// back: topology (pure) -> views -> charts -> constructs, validate reads output only, lib is shared by all.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');

/** Every .ts file under src/, relative to src/. */
function sources(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [path.relative(SRC, p)] : [];
  });
}

/** The layer of a path relative to src/: its first folder, or the file name for files at the top. */
const layerOf = (rel: string): string => rel.split(path.sep)[0]!.replace(/\.ts$/, '');

/** `importer -> imported layer` for every relative import and re-export (type-only ones included). */
function edges(): { file: string; target: string; layer: string }[] {
  const out: { file: string; target: string; layer: string }[] = [];
  for (const file of sources()) {
    const text = fs.readFileSync(path.join(SRC, file), 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]+)['"]/gm)) {
      const resolved = path.relative(SRC, path.resolve(SRC, path.dirname(file), m[1]!));
      if (resolved.startsWith('..')) continue; // imports/ (generated), package.json
      out.push({ file, target: resolved, layer: layerOf(resolved) });
    }
  }
  return out;
}

const FORBIDDEN: Record<string, readonly string[]> = {
  lib: ['topology', 'charts', 'constructs', 'synth', 'validate', 'cli', 'main'],
  constructs: ['topology', 'charts', 'synth', 'cli', 'main'],
  validate: ['synth', 'charts', 'constructs', 'topology', 'cli', 'main'],
  topology: ['charts', 'constructs', 'synth', 'validate', 'cli', 'main'],
};

describe('import layering', () => {
  const all = edges();

  it('finds the imports it checks', () => {
    // A parser that matched nothing would pass every rule below.
    expect(all.some((e) => e.file === path.join('constructs', 'cockroachdb-cluster.ts') && e.target === path.join('lib', 'cockroachdb'))).toBe(true);
    expect(all.some((e) => e.file === 'main.ts' && e.layer === 'topology')).toBe(true);
  });

  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${layer} imports nothing from ${forbidden.join(', ')}`, () => {
      const wrong = all.filter((e) => layerOf(e.file) === layer && forbidden.includes(e.layer)).map((e) => `src/${e.file} imports src/${e.target}`);
      expect(wrong).toEqual([]);
    });
  }
});
