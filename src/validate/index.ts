// Post-synth validation of a dist/ tree: the schema of every object and the cross-cluster rules.
// Shared by `meridian validate`, `meridian synth` (before it writes), the cdk8s plugin and the tests.
import { scrubSecrets } from '../lib/secrets';
import { formatPath, kindOf, nameOf, namespaceOf } from './manifest';
import type { Finding, Rule, Violation } from './rule';
import { RULES } from './rules';
import { isClusterFolder, type DistTree } from './tree';

export type { Finding, Location, Rule, Violation } from './rule';
export { RULES } from './rules';
export { violationLine } from './format';
export { treeFromDirectory, treeFromFiles, treeFromManifestPaths, treeFromObjects, type DistObject, type DistTree } from './tree';

export interface ValidateOptions {
  /** Run only these rules (ids or names). @default every rule */
  readonly rules?: readonly string[];
  /** Skip these rules (ids or names). */
  readonly skip?: readonly string[];
  /** Report only violations located in these top-level folders (the whole tree is still read). */
  readonly folders?: readonly string[];
}

/** Runs the rules over a tree; violations sorted by file, position and rule. */
export function validateTree(tree: DistTree, options: ValidateOptions = {}): Violation[] {
  const picked = RULES.filter(
    (r) => (options.rules === undefined || options.rules.some((x) => x === r.id || x === r.name)) && !(options.skip ?? []).some((x) => x === r.id || x === r.name),
  );
  const violations: Violation[] = [];
  for (const rule of picked) for (const f of rule.check(tree)) violations.push(locate(tree, rule, f));
  const inScope = options.folders === undefined ? violations : violations.filter((v) => options.folders!.includes(v.location.folder));
  const seen = new Set<string>();
  return inScope
    .filter((v) => {
      const key = `${v.rule}|${v.location.file}|${v.location.path}|${v.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => cmp(a.location.file, b.location.file) || a.location.line - b.location.line || a.location.col - b.location.col || cmp(a.rule, b.rule) || cmp(a.message, b.message));
}

/** Unknown rule ids or names among `names`. */
export function unknownRules(names: readonly string[]): string[] {
  return names.filter((n) => !RULES.some((r) => r.id === n || r.name === n));
}

function locate(tree: DistTree, rule: Rule, f: Finding): Violation {
  const file = f.object?.file ?? f.file ?? '';
  const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : '';
  const segments = f.path ?? [];
  const pos = f.at ?? (f.object ? tree.position(f.object, segments) : f.file && f.path ? tree.position({ file: f.file, index: 0 }, segments) : { line: 1, col: 1 });
  const inner = f.inner && f.inner.length > 0 ? ` -> ${formatPath(f.inner)}` : '';
  return {
    rule: rule.id,
    name: rule.name,
    // Scrubbed here for every rule: a violation about a secret-looking value names the kind, never the value.
    message: scrubSecrets(f.message),
    location: {
      folder,
      ...(isClusterFolder(folder) ? { cluster: folder } : {}),
      file: `${tree.root}/${file}`,
      line: pos.line,
      col: pos.col,
      ...(f.object ? { kind: kindOf(f.object) } : {}),
      ...(f.object && namespaceOf(f.object) !== undefined ? { namespace: namespaceOf(f.object) } : {}),
      ...(f.object ? { name: scrubSecrets(nameOf(f.object)) } : {}),
      path: scrubSecrets(`${formatPath(segments)}${inner}`),
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
