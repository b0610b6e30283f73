// Environment file -> EnvironmentSpec, with every problem located at file:line:col.
// Pure: takes the file's bytes, never reads the disk. Hostile input (empty files, non-mappings,
// invalid UTF-8, duplicate keys, alias bombs, deep nesting, custom tags) is an error, never a crash.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { createHash } from 'node:crypto';
import { ENVIRONMENT_AJV_OPTIONS, environmentSchema, type EnvironmentSpec } from './schema';
import { formatPath, type PathSegment, type Problem, TopologyError } from './problems';

/** Environment files are small; anything larger is a mistake (or an attack), refused before parsing. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Alias expansions allowed when turning the document into data (a billion-laughs file needs millions). */
const MAX_ALIAS_COUNT = 100;
/** Collections nested deeper than this are refused before parsing (environment files need about 6). */
const MAX_NESTING = 64;

export interface ParsedEnvironment {
  readonly source: string;
  readonly spec: EnvironmentSpec;
  /** Position of a field (the key of a mapping entry when the path ends at one), for semantic errors. */
  locate(path: readonly PathSegment[]): { line: number; col: number };
}

let validator: ValidateFunction | undefined;
/**
 * The schema's validator: the one `npm run build` compiled ahead of time when it was made from this
 * very schema (scripts/compile-environment-validator.mjs), else compiled now (e.g. under vitest).
 */
function schemaValidator(): ValidateFunction {
  if (validator) return validator;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const compiled = require('./environment-validator') as ValidateFunction & { default?: ValidateFunction; schemaHash?: string };
    const hash = createHash('sha256').update(JSON.stringify(environmentSchema)).digest('hex');
    if (compiled.schemaHash === hash) validator = compiled.default ?? compiled;
  } catch {
    // not built ahead of time: compile below
  }
  validator ??= new Ajv(ENVIRONMENT_AJV_OPTIONS).compile(environmentSchema);
  return validator;
}

export function parseEnvironment(input: Uint8Array | string, source: string): ParsedEnvironment {
  const at = (line: number, col: number, message: string, path: readonly PathSegment[] = []): never => {
    throw new TopologyError([{ source, line, col, path: formatPath(path), message }]);
  };
  const text = typeof input === 'string' ? input : decodeUtf8(input, source);
  if (text.length > MAX_FILE_BYTES) at(1, 1, `file is ${text.length} bytes; environment files are limited to ${MAX_FILE_BYTES} bytes`);
  const body = text.replace(/^\uFEFF/, '');
  if (body.replace(/#.*$/gm, '').trim() === '') {
    at(1, 1, 'file is empty: an environment is a mapping with name, globalDomain, argocd, clusters, submariner and pki (see README.md)');
  }
  const depth = nestingDepth(body);
  if (depth.depth > MAX_NESTING) {
    const pos = new LineCounter();
    pos.addNewLine(0);
    for (const nl of newlineOffsets(body)) pos.addNewLine(nl);
    const p = pos.linePos(depth.offset);
    at(p.line, p.col, `collections are nested more than ${MAX_NESTING} levels deep; an environment file needs far fewer`);
  }

  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(body, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false });
  const docList = Array.isArray(docs) ? docs : [];
  if (docList.length === 0) at(1, 1, 'file holds no YAML document');
  if (docList.length > 1) {
    const second = lineCounter.linePos(docList[1]!.range[0]);
    at(second.line, second.col, `file holds ${docList.length} YAML documents; put exactly one environment in each file`);
  }
  const doc = docList[0]!;
  const problems: Problem[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const p = lineCounter.linePos(e.pos[0]);
    const message = e.code === 'DUPLICATE_KEY' ? 'duplicate key: each key may appear once per mapping; remove or merge the repeated entry' : yamlMessage(e.message);
    problems.push({ source, line: p.line, col: p.col, path: '', message });
  }
  if (problems.length > 0) throw new TopologyError(problems);
  refuseCustomTags(doc, lineCounter, source);

  if (!isMap(doc.contents)) {
    const found = isSeq(doc.contents) ? 'a sequence' : isScalar(doc.contents) ? `the scalar ${JSON.stringify(String(doc.contents.value)).slice(0, 40)}` : 'nothing';
    const p = lineCounter.linePos(doc.contents?.range?.[0] ?? 0);
    at(p.line, p.col, `the file must be a mapping (name: ..., clusters: ...), found ${found}`);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const alias = firstAlias(doc);
    const p = lineCounter.linePos(alias?.range?.[0] ?? 0);
    at(p.line, p.col, `aliases expand too much (${(e as Error).message.replace(/\.$/, '')}); write the values out instead of nesting aliases`);
  }

  const locate = (path: readonly PathSegment[]): { line: number; col: number } => lineCounter.linePos(offsetOf(doc, path));
  const validate = schemaValidator();
  if (!validate(data)) {
    const seen = new Set<string>();
    for (const err of validate.errors ?? []) {
      const { path, message, atKey } = describe(err);
      const key = `${formatPath(path)}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const p = lineCounter.linePos(offsetOf(doc, path, atKey));
      problems.push({ source, line: p.line, col: p.col, path: formatPath(path), message });
    }
    throw new TopologyError(problems);
  }
  return { source, spec: data as EnvironmentSpec, locate };
}

function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new TopologyError([
      {
        source,
        line,
        col: bad - lineStart + 1,
        path: '',
        message: `invalid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad}); save the file as UTF-8`,
      },
    ]);
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    if (n === 2) {
      const d = b[i + 1]!;
      if ((c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f)) return i;
    }
    if (n === 3) {
      const d = b[i + 1]!;
      if ((c === 0xf0 && d < 0x90) || (c === 0xf4 && d > 0x8f)) return i;
    }
    i += n + 1;
  }
  return i;
}

/** Deepest bracket/indent nesting, scanned without recursion so a hostile file cannot exhaust the stack. */
function nestingDepth(text: string): { depth: number; offset: number } {
  let depth = 0;
  let max = 0;
  let offset = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth > max) {
        max = depth;
        if (depth <= MAX_NESTING + 1) offset = i;
      }
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--;
  }
  // Block collections nest by indentation: two columns per level is the deepest plausible style.
  let lineStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === '\n') {
      let indent = 0;
      while (text[lineStart + indent] === ' ' || text[lineStart + indent] === '-') indent++;
      const level = Math.floor(indent / 2);
      if (level > max) {
        if (max <= MAX_NESTING) offset = lineStart;
        max = level;
      }
      lineStart = i + 1;
    }
  }
  return { depth: max, offset };
}

function newlineOffsets(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') out.push(i + 1);
  return out;
}

function yamlMessage(message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
  return `invalid YAML: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
}

function refuseCustomTags(doc: Document, lc: LineCounter, source: string): void {
  const problems: Problem[] = [];
  const visit = (node: unknown): void => {
    const stack = [node];
    while (stack.length > 0) {
      const n = stack.pop();
      if (isPair(n)) {
        stack.push(n.key, n.value);
      } else if (isMap(n) || isSeq(n)) {
        if (n.tag && !['tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq'].includes(n.tag)) problems.push(tagProblem(n, n.tag));
        stack.push(...n.items);
      } else if (isScalar(n) && n.tag && !/^tag:yaml\.org,2002:(str|int|float|bool|null)$/.test(n.tag)) {
        problems.push(tagProblem(n, n.tag));
      }
    }
  };
  const tagProblem = (n: Node, tag: string): Problem => {
    const p = lc.linePos(n.range?.[0] ?? 0);
    return { source, line: p.line, col: p.col, path: '', message: `the tag ${tag} is not allowed; use plain YAML values` };
  };
  visit(doc.contents);
  if (problems.length > 0) throw new TopologyError(problems);
}

function firstAlias(doc: Document): Node | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const n = stack.shift();
    if (isAlias(n)) return n;
    if (isPair(n)) stack.push(n.key, n.value);
    else if (isMap(n) || isSeq(n)) stack.push(...n.items);
  }
  return undefined;
}

/** Offset of the node at `path` (or of its key when `atKey`); falls back to the nearest existing ancestor. */
function offsetOf(doc: Document, path: readonly PathSegment[], atKey = false): number {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return offset;
      const key = pair.key as Node;
      if (last && atKey) return key.range?.[0] ?? offset;
      node = pair.value;
      offset = (pair.value as Node | null)?.range?.[0] ?? key.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

const HINTS: Record<string, string> = {
  name: '',
  podCIDR: 'write an IPv4 CIDR such as 10.128.0.0/14',
  serviceCIDR: 'write an IPv4 CIDR such as 172.30.0.0/16',
  globalnetCIDR: 'write an IPv4 CIDR such as 242.0.0.0/8',
  brokerApiServer: 'write host:port without a scheme, e.g. api.cluster1.example.com:6443',
  server: 'write the API server URL, e.g. https://api.cluster1.example.com:6443',
  healthPath: 'write an absolute HTTP path such as /healthz',
  image: 'write a lower-case image reference such as quay.io/example/shop:1.4.2',
  cache: 'write a percentage such as 25% or a size such as 8GiB',
  maxSQLMemory: 'write a percentage such as 25% or a size such as 8GiB',
  destination: 'write s3://<bucket>[/<prefix>] without a query string or credentials; the keys come from backup.credentialsSecret',
  retention: 'write a number of days such as 7d',
};

function fieldHint(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === 'name' && parent !== undefined && typeof parent === 'number' && path[0] === 'clusters') {
    return 'cluster names are lower-case letters and digits starting with a letter, no hyphens, at most 63 characters (e.g. cluster1): the same ID names the dist/ folder, the Submariner cluster and the GSLB endpoint';
  }
  if (typeof parent === 'number' && (path[path.length - 3] === 'activeIn' || path[path.length - 3] === 'drainedIn')) return 'name a cluster of this environment';
  if (typeof last === 'string' && /Secret$/.test(last)) return 'give the name of a Secret (lower-case DNS name), never its value';
  if (typeof last === 'string' && HINTS[last]) return HINTS[last]!;
  if (last === 'name' || last === 'namespace' || last === 'region') return 'use a DNS label: lower-case letters, digits and "-", at most 63 characters';
  return '';
}

function describe(err: ErrorObject): { path: PathSegment[]; message: string; atKey: boolean } {
  const path: PathSegment[] = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
  const hint = (m: string): string => {
    const h = fieldHint(path);
    return h === '' ? m : `${m}; ${h}`;
  };
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(key, known);
      const secretish = /(token|psk|password|secretkey|privatekey|credentials?$|apikey|cert(ificate)?data)/i.test(key);
      const why = secretish
        ? 'meridian never takes secret values: provision a Secret out-of-band and name it in the matching *Secret field'
        : guess
          ? `did you mean "${guess}"?`
          : known.length > 0
            ? `allowed: ${known.join(', ')}`
            : 'remove it';
      return { path: [...path, key], message: `unknown field "${key}"; ${why}`, atKey: true };
    }
    case 'required': {
      const missing = String((err.params as { missingProperty: string }).missingProperty);
      return { path, message: `missing required field "${missing}"`, atKey: false };
    }
    case 'enum': {
      const allowed = ((err.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v));
      return { path, message: `must be one of ${allowed.join(', ')}`, atKey: false };
    }
    case 'pattern':
      return { path, message: hint(`${JSON.stringify(String(err.data)).slice(0, 80)} has the wrong format`), atKey: false };
    case 'type': {
      const found = err.data === null ? 'null' : Array.isArray(err.data) ? 'a sequence' : typeof err.data === 'object' ? 'a mapping' : `${typeof err.data} ${JSON.stringify(err.data)}`;
      return { path, message: `must be ${(err.params as { type: string }).type.replace(',', ' or ')}, found ${found}`, atKey: false };
    }
    case 'uniqueItems':
      return { path, message: 'lists the same item twice; remove the duplicate', atKey: false };
    case 'minProperties':
    case 'maxProperties':
      return { path, message: 'must set exactly one of its options (awskms, transit, gcpckms or azurekeyvault)', atKey: false };
    case 'propertyNames':
      return { path, message: `key ${JSON.stringify((err.params as { propertyName: string }).propertyName)} is not a valid environment variable name`, atKey: false };
    default:
      return { path, message: hint(err.message ?? 'is invalid'), atKey: false };
  }
}

/** The known key within edit distance 2 of `key`, if there is exactly one best. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
