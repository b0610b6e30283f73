// Validates generated manifests against their schemas before dist/ is replaced (DESIGN.md §3).
//
// The validators are precompiled by scripts/compile-validators.mjs into imports/validators/ (see that
// script for how they are made); this module only loads them, lazily and once per kind, and turns
// their errors into readable violations. Per kind:
//   core kinds    kubernetes-models' validator (types, formats, required fields, enums) plus the
//                 compiled "strict" module that reports unknown fields and the port rules the API
//                 server applies in code (ranges, port names);
//   custom kinds  the module compiled from the CRD's openAPIV3Schema (unknown fields included), plus
//                 kubernetes-models' ObjectMeta validator and its strict module for metadata.
// All kinds then get the API server's checks on metadata that no schema expresses (name, namespace,
// label and annotation syntax).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export interface SchemaViolation {
  /** JSON pointer inside the object, e.g. /spec/template/spec/containers/0/image ("" for the object itself). */
  readonly path: string;
  readonly message: string;
}

/** Error objects of ajv-generated code (compiled with messages off: we word them ourselves). */
interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
}

interface ValidateFunction {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

interface ModelRef {
  readonly package: string;
  readonly file: string;
}

/** imports/validators/index.json, written by scripts/compile-validators.mjs. */
interface ValidatorIndex {
  readonly kinds: Readonly<Record<string, { readonly strict: string; readonly model?: ModelRef; readonly crd?: boolean }>>;
  readonly objectMeta: { readonly strict: string; readonly model: ModelRef };
}

type KindValidator = (obj: Record<string, unknown>) => AjvError[];

/**
 * Validates one manifest object. Returns [] when valid. Unknown apiVersion/kind is itself a violation
 * ("no schema for <apiVersion> <kind>: ...").
 */
export function validateManifest(obj: unknown): SchemaViolation[] {
  if (!isObject(obj)) return [{ path: '', message: 'must be an object' }];
  const { apiVersion, kind } = obj;
  const missing: SchemaViolation[] = [];
  if (typeof apiVersion !== 'string') missing.push(typeOrMissing('apiVersion', apiVersion));
  if (typeof kind !== 'string') missing.push(typeOrMissing('kind', kind));
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return missing;

  const validator = validatorFor(apiVersion, kind);
  if (!validator) return [{ path: '', message: noSchemaMessage(apiVersion, kind) }];
  const errors = validator(obj);
  const metadata = checkMetadata(apiVersion, kind, obj.metadata);
  if (errors.length === 0 && metadata.length === 0) return [];
  return dedupe([...describeErrors(errors), ...metadata]);
}

// ---------------------------------------------------------------------------------------------------
// Loading

let loadedIndex: { index: ValidatorIndex; dir: string; require: NodeRequire } | undefined;
const validators = new Map<string, KindValidator | null>();
let objectMetaValidator: KindValidator | undefined;

/** The project root: the nearest directory above this file that has a package.json. Works from src/
 *  (vitest, ts sources) and from lib/src/ (compiled), and when meridian is installed as a package. */
function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`schema validation: no package.json above ${__dirname}`);
  }
}

/** Folder of the precompiled validators (imports/validators), whether or not they have been loaded. */
export function validatorsDir(): string {
  return path.join(projectRoot(), 'imports', 'validators');
}

function load(): NonNullable<typeof loadedIndex> {
  if (loadedIndex) return loadedIndex;
  const root = projectRoot();
  const dir = validatorsDir();
  const indexFile = path.join(dir, 'index.json');
  if (!fs.existsSync(indexFile)) {
    throw new Error(`schema validation: ${indexFile} is missing; run \`npm run build\` (or \`npm run import\`) to generate the validators`);
  }
  const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as ValidatorIndex;
  loadedIndex = { index, dir, require: createRequire(path.join(root, 'package.json')) };
  return loadedIndex;
}

function loadModel(ref: ModelRef): ValidateFunction {
  const { require } = load();
  // `_schemas` is not in kubernetes-models' package exports, so go through the package directory.
  const packageDir = path.dirname(require.resolve(`${ref.package}/package.json`));
  return (require(path.join(packageDir, ref.file)) as { validate: ValidateFunction }).validate;
}

function loadStrict(file: string): ValidateFunction {
  const { dir, require } = load();
  return require(path.join(dir, file)) as ValidateFunction;
}

function errorsOf(validate: ValidateFunction, data: unknown, prefix = ''): AjvError[] {
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  return prefix ? errors.map((e) => ({ ...e, instancePath: prefix + e.instancePath })) : errors;
}

function metadataValidator(): KindValidator {
  if (!objectMetaValidator) {
    const { objectMeta } = load().index;
    const model = loadModel(objectMeta.model);
    const strict = loadStrict(objectMeta.strict);
    objectMetaValidator = (obj) => {
      if (!isObject(obj.metadata)) return []; // the kind's own schema reports a missing or non-object metadata
      return [...errorsOf(model, obj.metadata, '/metadata'), ...errorsOf(strict, obj.metadata, '/metadata')];
    };
  }
  return objectMetaValidator;
}

function validatorFor(apiVersion: string, kind: string): KindValidator | undefined {
  const key = `${apiVersion} ${kind}`;
  const cached = validators.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const entry = load().index.kinds[key];
  let validator: KindValidator | null = null;
  if (entry) {
    const strict = loadStrict(entry.strict);
    if (entry.model) {
      const model = loadModel(entry.model);
      validator = (obj) => [...errorsOf(model, obj), ...errorsOf(strict, obj)];
    } else {
      const metadata = metadataValidator();
      validator = (obj) => [...errorsOf(strict, obj), ...metadata(obj)];
    }
  }
  validators.set(key, validator);
  return validator ?? undefined;
}

function noSchemaMessage(apiVersion: string, kind: string): string {
  const versions = Object.keys(load().index.kinds)
    .filter((k) => k.endsWith(` ${kind}`))
    .map((k) => k.slice(0, -kind.length - 1));
  const hint = versions.length > 0
    ? `${kind} is known as ${versions.join(', ')}`
    : 'neither a Kubernetes kind of kubernetes-models (GA versions) nor a custom kind imported by scripts/import.mjs';
  return `no schema for ${apiVersion} ${kind}: ${hint}`;
}

// ---------------------------------------------------------------------------------------------------
// Metadata rules of the API server that are not in any schema

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

type NameRule = (name: string) => string | undefined;

const subdomain: NameRule = (name) =>
  name.length <= 253 && DNS1123_SUBDOMAIN.test(name)
    ? undefined
    : 'must be a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".", starting and ending with an alphanumeric, at most 253 characters)';
const label: NameRule = (name) =>
  name.length <= 63 && DNS1123_LABEL.test(name)
    ? undefined
    : 'must be a DNS-1123 label (lowercase alphanumerics and "-", starting and ending with an alphanumeric, at most 63 characters)';
const dns1035Label: NameRule = (name) =>
  name.length <= 63 && DNS1035_LABEL.test(name)
    ? undefined
    : 'must be a DNS-1035 label (lowercase alphanumerics and "-", starting with a letter and ending with an alphanumeric, at most 63 characters)';
const pathSegment: NameRule = (name) =>
  name !== '.' && name !== '..' && !/[/%]/.test(name) ? undefined : 'must not be "." or ".." and must not contain "/" or "%"';

/** The name rule of a kind, as the API server applies it; custom resources use DNS-1123 subdomains. */
function nameRule(apiVersion: string, kind: string): NameRule {
  if (apiVersion === 'v1' && kind === 'Namespace') return label;
  if (apiVersion === 'v1' && kind === 'Service') return dns1035Label;
  if (apiVersion.startsWith('rbac.authorization.k8s.io/')) return pathSegment;
  return subdomain;
}

/** Why a label or annotation key is invalid, or undefined: [prefix/]name, prefix a DNS-1123 subdomain. */
function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return 'its prefix must be a DNS-1123 subdomain';
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'its name must be at most 63 characters of alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric';
  }
  return undefined;
}

function checkMetadata(apiVersion: string, kind: string, metadata: unknown): SchemaViolation[] {
  if (metadata === undefined) return [{ path: '/metadata', message: 'required field "metadata" is missing' }];
  if (!isObject(metadata)) return []; // a type error, reported by the schema
  const out: SchemaViolation[] = [];
  const { name, namespace, labels, annotations } = metadata;
  if (typeof name === 'string') {
    const problem = nameRule(apiVersion, kind)(name);
    if (problem) out.push({ path: '/metadata/name', message: `invalid name ${JSON.stringify(name)}: ${problem}` });
  } else if (name === undefined && metadata.generateName === undefined) {
    out.push({ path: '/metadata/name', message: 'required field "name" is missing' });
  }
  if (typeof namespace === 'string' && label(namespace)) {
    out.push({ path: '/metadata/namespace', message: `invalid namespace ${JSON.stringify(namespace)}: ${label(namespace)}` });
  }
  if (isObject(labels)) {
    for (const [key, value] of Object.entries(labels)) {
      const at = `/metadata/labels/${escapePointer(key)}`;
      const problem = keyProblem(key);
      if (problem) out.push({ path: at, message: `invalid label key ${JSON.stringify(key)}: ${problem}` });
      if (typeof value === 'string' && value !== '' && (value.length > 63 || !QUALIFIED_NAME.test(value))) {
        out.push({
          path: at,
          message: `invalid label value ${JSON.stringify(value)}: must be empty or at most 63 characters of alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric`,
        });
      }
    }
  }
  if (isObject(annotations)) {
    let size = 0;
    for (const [key, value] of Object.entries(annotations)) {
      // The API server checks annotation keys case-insensitively.
      const problem = keyProblem(key.toLowerCase());
      if (problem) out.push({ path: `/metadata/annotations/${escapePointer(key)}`, message: `invalid annotation key ${JSON.stringify(key)}: ${problem}` });
      size += key.length + (typeof value === 'string' ? value.length : 0);
    }
    if (size > MAX_ANNOTATIONS_BYTES) out.push({ path: '/metadata/annotations', message: `annotations total ${size} bytes, more than ${MAX_ANNOTATIONS_BYTES}` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Wording

function describeErrors(errors: AjvError[]): SchemaViolation[] {
  const dropped = new Set<AjvError>();
  // Walk backwards so that a failed anyOf/oneOf (reported after its branches) can claim the errors of
  // its branches and summarise them in one message.
  const described: SchemaViolation[] = [];
  for (let i = errors.length - 1; i >= 0; i--) {
    const error = errors[i]!;
    if (dropped.has(error)) continue;
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      const branches = branchErrors(errors, i);
      for (const b of branches) dropped.add(b);
      described.push(describeAlternatives(error, branches));
    } else {
      described.push(describe(error));
    }
  }
  return described.reverse();
}

/**
 * The errors of the branches of the anyOf/oneOf at errors[at]: ajv reports them just before it. Inline
 * branches have a schemaPath below the combinator's; branches compiled as separate functions (as in
 * kubernetes-models' int-or-string and quantity) restart their schemaPath, so for those the errors
 * right before it at the same path are taken.
 */
function branchErrors(errors: AjvError[], at: number): AjvError[] {
  const combinator = errors[at]!;
  const prefix = `${combinator.schemaPath}/`;
  const inline = errors.slice(0, at).filter((e) => e.schemaPath.startsWith(prefix) && isWithin(e.instancePath, combinator.instancePath));
  if (inline.length > 0) return inline;
  const adjacent: AjvError[] = [];
  for (let i = at - 1; i >= 0 && errors[i]!.instancePath === combinator.instancePath; i--) adjacent.unshift(errors[i]!);
  return adjacent;
}

function describeAlternatives(error: AjvError, branches: AjvError[]): SchemaViolation {
  const at = error.instancePath;
  const passing = error.params.passingSchemas;
  if (Array.isArray(passing)) {
    return { path: at, message: `must match exactly one of the schema's alternatives, but alternatives ${passing.join(' and ')} match` };
  }
  if (branches.length > 0 && branches.every((b) => b.keyword === 'type' && b.instancePath === at)) {
    return { path: at, message: `must be ${joinTypes(branches.map((b) => b.params.type))}` };
  }
  const sameNode = branches.length > 0 && branches.every((b) => b.instancePath === at);
  if (sameNode && branches.every((b) => b.keyword === 'type' || b.keyword === 'format')) {
    // e.g. quantity: "must be number" | "must be a Kubernetes quantity" -> one message
    const options = [...new Set(branches.map((b) => describe(b).message))];
    return { path: at, message: `must be ${options.map((m) => m.replace(/^must be /, '')).join(', or ')}` };
  }
  if (sameNode && branches.every((b) => b.keyword === 'required')) {
    const fields = [...new Set(branches.map((b) => JSON.stringify(b.params.missingProperty)))];
    return { path: at, message: `must set ${error.keyword === 'oneOf' ? 'exactly' : 'at least'} one of ${fields.join(', ')}` };
  }
  const details = [...new Set(branches.map((b) => describe(b)).map((v) => (v.path === at ? v.message : `${v.path}: ${v.message}`)))];
  const which = error.keyword === 'oneOf' ? 'exactly one' : 'at least one';
  return { path: at, message: `must match ${which} of the schema's alternatives${details.length ? ` (${details.slice(0, 4).join('; ')}${details.length > 4 ? '; ...' : ''})` : ''}` };
}

function describe(error: AjvError): SchemaViolation {
  const at = error.instancePath;
  const p = error.params;
  const child = (key: unknown) => `${at}/${escapePointer(String(key))}`;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: child(p.additionalProperty), message: `unknown field ${JSON.stringify(p.additionalProperty)}` };
    case 'required':
      return { path: child(p.missingProperty), message: `required field ${JSON.stringify(p.missingProperty)} is missing` };
    case 'type':
      return { path: at, message: `must be ${joinTypes([p.type])}` };
    case 'enum':
      return { path: at, message: `must be one of ${listValues(p.allowedValues)}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return { path: at, message: `must be ${String(p.comparison)} ${String(p.limit)}` };
    case 'maxLength':
      return { path: at, message: `must be at most ${String(p.limit)} characters long` };
    case 'minLength':
      return { path: at, message: p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long` };
    case 'maxItems':
      return { path: at, message: `must have at most ${String(p.limit)} items` };
    case 'minItems':
      return { path: at, message: `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'maxProperties':
      return { path: at, message: `must have at most ${String(p.limit)} fields` };
    case 'minProperties':
      return { path: at, message: `must have at least ${String(p.limit)} field${p.limit === 1 ? '' : 's'}` };
    case 'multipleOf':
      return { path: at, message: `must be a multiple of ${String(p.multipleOf)}` };
    case 'pattern':
      return { path: at, message: `must match the pattern ${String(p.pattern)}` };
    case 'format':
      return { path: at, message: formatMessage(String(p.format)) };
    case 'uniqueItems': {
      const [first, second] = [Number(p.i), Number(p.j)].sort((a, b) => a - b);
      return { path: child(second), message: `duplicate of item ${first} (the list is a set)` };
    }
    case 'listMapKeys':
      // keys: the list's key fields, comma-separated
      return { path: child(p.i), message: `duplicate entry: same ${String(p.keys)} as item ${String(p.j)}` };
    case 'not':
      return { path: at, message: 'must not match the schema excluded by "not"' };
    case 'false schema':
      return { path: at, message: 'is not allowed here' };
    default:
      return { path: at, message: `fails the schema's "${error.keyword}" check` };
  }
}

function formatMessage(format: string): string {
  switch (format) {
    case 'int32':
      return 'must be a 32-bit integer (between -2147483648 and 2147483647)';
    case 'int64':
      return 'must be a 64-bit integer';
    case 'quantity':
      return 'must be a Kubernetes quantity (e.g. "500m", "1Gi", "2")';
    case 'duration':
      return 'must be a duration (e.g. "90s", "2160h")';
    case 'byte':
      return 'must be base64-encoded';
    default:
      return `must be a valid ${format}`;
  }
}

/** ajv reports a union type as an array or as a comma-separated string. */
function joinTypes(types: unknown[]): string {
  const names = [...new Set(types.flatMap((t) => (Array.isArray(t) ? t : String(t).split(','))).map(String))];
  return names.length <= 1 ? (names[0] ?? 'a valid value') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function listValues(values: unknown): string {
  const all = Array.isArray(values) ? values.map((v) => JSON.stringify(v)) : [];
  return all.length > 12 ? `${all.slice(0, 12).join(', ')}, ... (${all.length} values)` : all.join(', ');
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOrMissing(field: string, value: unknown): SchemaViolation {
  return value === undefined
    ? { path: `/${field}`, message: `required field "${field}" is missing` }
    : { path: `/${field}`, message: 'must be string' };
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isWithin(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(`${parent}/`);
}

function dedupe(violations: SchemaViolation[]): SchemaViolation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.path}\u0000${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
