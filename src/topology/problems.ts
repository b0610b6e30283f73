import { scrubSecrets } from '../lib/secrets';

/** A located problem in an environment file: `file:line:col: field.path: message`. */
export interface Problem {
  readonly source: string;
  /** 1-based; 0 (with col 0) for a problem of the whole file that has no position, e.g. it cannot be read. */
  readonly line: number;
  readonly col: number;
  /** Field path in dotted form, e.g. `clusters[1].podCIDR`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: Problem): string {
  if (p.line === 0) return `${p.source}: ${p.message}`;
  return `${p.source}:${p.line}:${p.col}: ${p.path === '' ? '(file)' : p.path}: ${p.message}`;
}

/** Thrown by the loader and the model; carries every problem found, sorted by file and position. */
export class TopologyError extends Error {
  public readonly problems: readonly Problem[];

  public constructor(problems: readonly Problem[]) {
    // Every message and field path is scrubbed here, whatever produced it (schema, YAML parser, model):
    // a secret-looking value in any field or key never reaches stderr (src/lib/secrets.ts).
    const sorted = problems.map(scrubProblem).sort(
      (a, b) => cmp(a.source, b.source) || a.line - b.line || a.col - b.col || cmp(a.path, b.path) || cmp(a.message, b.message),
    );
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'TopologyError';
    this.problems = sorted;
  }
}

function scrubProblem(p: Problem): Problem {
  return { ...p, source: scrubSecrets(p.source), path: scrubSecrets(p.path), message: scrubSecrets(p.message) };
}

export type PathSegment = string | number;

/** `['clusters', 1, 'podCIDR']` -> `clusters[1].podCIDR`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Visits every mapping key and every string of a parsed environment file with its path, depth first.
 * `enter` may return false to skip a key's value (the key itself is still visited).
 */
export function walkSpec(
  value: unknown,
  visit: { readonly string?: (path: readonly PathSegment[], s: string) => void; readonly key?: (path: readonly PathSegment[], key: string) => void; readonly enter?: (path: readonly PathSegment[]) => boolean },
): void {
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') visit.string?.(path, v);
    else if (Array.isArray(v)) v.forEach((x, i) => stack.push({ value: x, path: [...path, i] }));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const at = [...path, k];
        visit.key?.(at, k);
        if (visit.enter?.(at) !== false) stack.push({ value: x, path: at });
      }
    }
  }
}
