// Environment file -> EnvironmentSpec, with every problem located at file:line:col.
// Pure: takes the file's bytes, never reads the disk. Hostile input (empty files, non-mappings,
// invalid UTF-8, duplicate keys, alias bombs, deep nesting, custom tags) is an error, never a crash.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { createHash } from 'node:crypto';
import { ENVIRONMENT_AJV_OPTIONS, environmentSchema, type EnvironmentSpec } from './schema';
import { quoteValue } from '../lib/secrets';
import { secretValueProblem } from './secret-check';
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
  // The limit is on bytes (UTF-8), not characters: counted before decoding, so a huge file is never decoded.
  const bytes = typeof input === 'string' ? utf8Length(input) : input.byteLength;
  if (bytes > MAX_FILE_BYTES) at(1, 1, `file is ${bytes} bytes; environment files are limited to ${MAX_FILE_BYTES} bytes`);
  const text = typeof input === 'string' ? input : decodeUtf8(input, source);
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
  // merge: `<<: *defaults` merge keys (YAML 1.1 merge type, https://yaml.org/type/merge.html), which
  // the yaml package supports behind this option (https://eemeli.org/yaml/#options); aliases still count
  // against maxAliasCount below.
  const docs = parseAllDocuments(body, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false, merge: true });
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
    const found = isSeq(doc.contents) ? 'a sequence' : isScalar(doc.contents) ? `the scalar ${quoteValue(doc.contents.value, 40)}` : 'nothing';
    const p = lineCounter.linePos(doc.contents?.range?.[0] ?? 0);
    at(p.line, p.col, `the file must be a mapping (name: ..., clusters: ...), found ${found}`);
  }

  keepConfigSpelling(doc);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = (e as Error).message.replace(/\.$/, '');
    if (/merge/i.test(message)) {
      // The yaml package refuses a merge key (<<) whose value is not a mapping or a list of them.
      const p = lineCounter.linePos(mergeKeyOffset(doc) ?? 0);
      at(p.line, p.col, `a merge key (<<) takes a mapping or a list of mappings, such as <<: *defaults (${message})`);
    }
    const alias = firstAlias(doc);
    const p = lineCounter.linePos(alias?.range?.[0] ?? 0);
    at(p.line, p.col, `aliases expand too much (${message}); write the values out instead of nesting aliases`);
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

/** UTF-8 length of a string without encoding it. */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * `config` values become environment variables, i.e. strings: a number or boolean keeps the spelling
 * the user wrote (`1.10` stays "1.10", `01234` stays "01234", `True` stays "True") instead of the
 * value YAML resolves it to. The parser keeps each scalar's source text (yaml `Scalar.source`).
 */
function keepConfigSpelling(doc: Document): void {
  const seen = new Set<unknown>();
  const resolve = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  const configMap = (n: unknown): void => {
    const map = resolve(n);
    if (!isMap(map) || seen.has(map)) return;
    seen.add(map);
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        const from = resolve(pair.value);
        if (isSeq(from)) from.items.forEach(configMap);
        else configMap(from);
        continue;
      }
      const value = resolve(pair.value);
      if (isScalar(value) && (typeof value.value === 'number' || typeof value.value === 'boolean') && typeof value.source === 'string') {
        value.value = value.source;
      }
    }
  };
  const root = resolve(doc.contents);
  if (!isMap(root)) return;
  const services = resolve(root.get('services', true));
  if (!isSeq(services)) return;
  for (const item of services.items) {
    const service = resolve(item);
    if (!isMap(service)) continue;
    for (const map of mapsOf(service, resolve)) {
      const config = map.items.find((p) => isScalar(p.key) && p.key.value === 'config');
      if (config) configMap(config.value);
    }
  }
}

/** With `merge: true` the yaml package parses a plain `<<` key to a Scalar holding a symbol. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol';
}

/** A mapping and the mappings merged into it (`<<: *a` or `<<: [*a, *b]`), nearest first. */
function mapsOf(map: YAMLMap, resolve: (n: unknown) => unknown): YAMLMap[] {
  const out: YAMLMap[] = [];
  const stack: unknown[] = [map];
  while (stack.length > 0 && out.length < 1000) {
    const m = resolve(stack.shift());
    if (!isMap(m) || out.includes(m)) continue;
    out.push(m);
    for (const p of m.items) {
      if (!isMergeKey(p.key)) continue;
      const from = resolve(p.value);
      if (isSeq(from)) stack.push(...from.items);
      else stack.push(from);
    }
  }
  return out;
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

/**
 * Deepest flow-bracket plus block-indentation nesting, scanned line by line without recursion so a
 * hostile file cannot exhaust the stack. Only YAML structure counts: the content of block scalars
 * (`|`, `>`), quoted scalars and comments is skipped, and `-` counts only as a sequence indicator
 * (followed by a space or the line end), so a long line of dashes or deep indentation inside a
 * block scalar is text, not nesting.
 */
function nestingDepth(text: string): { depth: number; offset: number } {
  let max = 0;
  let offset = 0;
  const deeper = (depth: number, at: number): void => {
    if (depth > max) {
      if (max <= MAX_NESTING) offset = at;
      max = depth;
    }
  };
  let flow = 0;
  let quote: '"' | "'" | undefined;
  /** Indentation of the line that opened a block scalar; its content is every more-indented or blank line. */
  let blockParent: number | undefined;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    let spaces = 0;
    while (line[spaces] === ' ') spaces++;
    const blank = spaces === line.length || line[spaces] === '\r';
    if (blockParent !== undefined && (blank || spaces > blockParent)) {
      lineStart = lineEnd + 1;
      continue;
    }
    blockParent = undefined;
    let i = 0;
    if (quote === undefined && flow === 0) {
      // Block indentation: spaces, plus two columns per sequence indicator ("- ").
      let indent = spaces;
      i = spaces;
      while (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\r')) {
        i++;
        while (line[i] === ' ') i++;
        indent += 2;
      }
      if (!blank && line[i] !== '#') deeper(Math.floor(indent / 2), lineStart);
    }
    let last = ''; // last structural character before i on this line ('' = start of a value)
    for (; i < line.length; i++) {
      const ch = line[i]!;
      if (quote) {
        if (quote === '"' && ch === '\\') i++;
        else if (ch === quote) {
          quote = undefined;
          last = 'x';
        }
        continue;
      }
      if (ch === ' ' || ch === '\t' || ch === '\r') continue;
      const valueStart = last === '' || last === ':' || last === '-' || last === '?' || last === ',' || last === '[' || last === '{';
      if (ch === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if ((ch === '"' || ch === "'") && valueStart) quote = ch;
      else if ((ch === '[' || ch === '{') && (flow > 0 || valueStart)) deeper(++flow, lineStart + i);
      else if ((ch === ']' || ch === '}') && flow > 0) flow--;
      else if ((ch === '|' || ch === '>') && flow === 0 && valueStart && /^[|>][-+0-9]*\s*(#.*)?\r?$/.test(line.slice(i))) {
        blockParent = spaces;
        break;
      }
      const spaced = i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\r';
      const indicator = ((ch === ':' || ch === '-' || ch === '?') && (spaced || (ch === ':' && flow > 0))) || (flow > 0 && (ch === ',' || ch === '[' || ch === '{'));
      last = indicator ? ch : 'x';
    }
    lineStart = lineEnd + 1;
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

/** Offset of the first merge key (<<) in the document, if any. */
function mergeKeyOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.source === '<<') {
        offset = pair.key.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
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
  const resolve = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    node = resolve(node);
    if (isMap(node)) {
      // A key written in the mapping itself wins over one merged in with `<<` (then the anchor's line is named).
      let pair: Pair | undefined;
      for (const m of mapsOf(node, resolve)) {
        pair = m.items.find((p) => isScalar(p.key) && !isMergeKey(p.key) && String(p.key.value) === String(seg));
        if (pair) break;
      }
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
  globalDomain: 'write a DNS domain of at least two labels, e.g. global.example.com',
  podCIDR: 'write an IPv4 CIDR such as 10.128.0.0/14',
  serviceCIDR: 'write an IPv4 CIDR such as 172.30.0.0/16',
  globalnetCIDR: 'write an IPv4 CIDR such as 242.0.0.0/8',
  brokerApiServer: 'write host:port without a scheme, e.g. api.cluster1.example.com:6443',
  server: 'write the API server URL https://<host>[:<port>], e.g. https://api.cluster1.example.com:6443',
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
  if (last === 'name' && typeof parent === 'number' && path[0] === 'services' && path.length === 3) {
    return 'service names are DNS-1035 labels, as Kubernetes Service names must be: lower-case letters, digits and "-", starting with a letter, at most 40 characters';
  }
  if (typeof parent === 'number' && (path[path.length - 3] === 'activeIn' || path[path.length - 3] === 'drainedIn')) return 'name a cluster of this environment';
  // vault.clusters[i], cockroachdb.clusters[i]: placement lists name clusters by their (lower-case) names
  if (typeof last === 'number' && path.length === 3 && path[1] === 'clusters' && (path[0] === 'vault' || path[0] === 'cockroachdb')) {
    return 'name a cluster of this environment by its name (lower-case letters and digits, e.g. cluster1)';
  }
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
  const secret = typeof err.data === 'string' ? secretValueProblem(path, err.data) : undefined;
  if (secret !== undefined) return { path, message: secret, atKey: false };
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
      return { path, message: hint(`${quoteValue(err.data, 80)} has the wrong format`), atKey: false };
    case 'type': {
      const found = err.data === null ? 'null' : Array.isArray(err.data) ? 'a sequence' : typeof err.data === 'object' ? 'a mapping' : `${typeof err.data} ${JSON.stringify(err.data)}`;
      // ajv gives a union type as an array (type: ['string', 'number', 'boolean']) or a comma list
      const type = (err.params as { type: string | string[] }).type;
      const types = (Array.isArray(type) ? type : String(type).split(',')).join(' or ');
      return { path, message: `must be ${types}, found ${found}`, atKey: false };
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
