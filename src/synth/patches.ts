// The environment file's `patches`: changes to generated objects that neither the topology nor the
// workload overrides express, applied to the rendered manifests of each cluster folder before any
// schema check or rule runs (so a patch that breaks a rule is reported like any other violation).
//
// strategic  Kubernetes strategic merge patch, for the fields meridian writes: maps merge recursively,
//            null deletes a field, lists of objects merge by their patch merge key and other lists are
//            replaced; `$patch: delete` in a list item removes the item, `$patch: replace` in a map
//            replaces it. Merge keys as in k8s.io/api core/v1 types.go (`patchMergeKey` tags):
//            containers, initContainers, ephemeralContainers, env, volumes, imagePullSecrets by name;
//            volumeMounts by mountPath; container ports by containerPort, Service ports by port;
//            topologySpreadConstraints by topologyKey. Tolerations carry no merge key there: replaced.
//            https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
// json6902   RFC 6902 operations, applied by cdk8s's JsonPatch (fast-json-patch; cdk8s/lib/json-patch.js).
import { JsonPatch } from 'cdk8s';
import type { Patch, SourceLocation } from '../topology';

type Json = unknown;
type JsonMap = Record<string, Json>;

const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  imagePullSecrets: ['name'],
  volumeMounts: ['mountPath'],
  ports: ['containerPort', 'port'],
  topologySpreadConstraints: ['topologyKey'],
};

const isMap = (v: Json): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The strategic merge of `patch` into `base` (neither is modified). */
export function strategicMerge(base: Json, patch: Json, field = ''): Json {
  if (!isMap(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: JsonMap = isMap(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (value === null) delete out[key];
    else if (Array.isArray(value)) out[key] = mergeList(out[key], value, key);
    else if (isMap(value)) out[key] = strategicMerge(out[key], value, key);
    else out[key] = value;
  }
  void field;
  return out;
}

function mergeList(base: Json, patch: readonly Json[], field: string): Json[] {
  const keys = MERGE_KEYS[field];
  const items = patch.filter(isMap);
  const key = keys?.find((k) => items.length > 0 && items.every((i) => i[k] !== undefined));
  if (!Array.isArray(base) || key === undefined || items.length !== patch.length) return patch.filter((i) => !(isMap(i) && i.$patch === 'delete')).map((i) => structuredClone(i));
  const out: Json[] = [...base];
  for (const item of items) {
    const at = out.findIndex((b) => isMap(b) && b[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMerge(out[at], item, field);
    else out.push(strategicMerge({}, item, field));
  }
  return out;
}

/** A patch that matches nothing or cannot be applied: reported at its place in the environment file. */
export class PatchError extends Error {
  public constructor(
    public readonly location: SourceLocation,
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

export interface PatchTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** Whether a patch targets this object (kind and name; namespace and apiVersion when given). */
export function targets(patch: Patch, m: PatchTarget): boolean {
  const t = patch.target;
  return (
    m.kind === t.kind &&
    m.metadata.name === t.name &&
    (t.namespace === undefined || m.metadata.namespace === t.namespace) &&
    (t.apiVersion === undefined || m.apiVersion === t.apiVersion)
  );
}

/** Applies one patch to one manifest, returning the patched copy. */
export function applyPatch(patch: Patch, manifest: JsonMap): JsonMap {
  let result: Json;
  if (patch.type === 'strategic') {
    result = strategicMerge(manifest, patch.patch);
  } else {
    const opsJson = patch.patch as readonly JsonMap[];
    // RFC 6902 §4: remove, replace, test and the `from` of move and copy need an existing location, add an
    // existing parent. fast-json-patch (without its validation) would silently do nothing for some.
    let doc: Json = structuredClone(manifest);
    for (const op of opsJson) {
      const needs = op.op === 'add' ? parentOf(String(op.path)) : op.op === 'move' || op.op === 'copy' ? String(op.from) : String(op.path);
      if (needs !== undefined && !exists(doc, needs)) throw new PatchError(patch.location, `json6902 cannot be applied to ${describe(manifest)}: op ${String(op.op)} needs ${needs} to exist`);
      try {
        doc = JsonPatch.apply(doc, toJsonPatch(op));
      } catch (e) {
        const message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
        throw new PatchError(patch.location, `json6902 cannot be applied to ${describe(manifest)}: ${message}`);
      }
    }
    result = doc;
  }
  if (!isMap(result)) throw new PatchError(patch.location, `the patch turns ${describe(manifest)} into something that is not an object`);
  const m = result as JsonMap & { metadata?: JsonMap };
  if (m.kind !== manifest.kind || m.apiVersion !== manifest.apiVersion || m.metadata?.name !== (manifest.metadata as JsonMap).name || m.metadata?.namespace !== (manifest.metadata as JsonMap).namespace) {
    throw new PatchError(patch.location, `a patch may not change the identity (apiVersion, kind, namespace, name) of ${describe(manifest)}; generate another object instead`);
  }
  return m;
}

/** The parent of a JSON pointer ('' is the document), or undefined for the document itself. */
function parentOf(pointer: string): string | undefined {
  if (pointer === '') return undefined;
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

/** Whether a JSON pointer (RFC 6901) resolves in `doc`; `-` (the end of an array) counts only for add. */
function exists(doc: Json, pointer: string): boolean {
  if (pointer === '') return true;
  let node: Json = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= node.length) return false;
      node = node[Number(key)];
    } else if (isMap(node) && Object.hasOwn(node, key)) node = node[key];
    else return false;
  }
  return true;
}

function toJsonPatch(op: JsonMap): JsonPatch {
  const path = String(op.path);
  switch (op.op) {
    case 'add':
      return JsonPatch.add(path, op.value);
    case 'remove':
      return JsonPatch.remove(path);
    case 'replace':
      return JsonPatch.replace(path, op.value);
    case 'move':
      return JsonPatch.move(String(op.from), path);
    case 'copy':
      return JsonPatch.copy(String(op.from), path);
    default:
      return JsonPatch.test(path, op.value);
  }
}

export function describe(m: JsonMap): string {
  const meta = (m.metadata ?? {}) as JsonMap;
  return `${String(m.kind)} ${meta.namespace !== undefined ? `${String(meta.namespace)}/` : ''}${String(meta.name)}`;
}
