// The upstream CRDs meridian emits kinds of, read where they are pinned and nowhere else: the build
// scripts call this instead of keeping a copy of any CRD or its schema in the project
// (scripts/import.mjs generates the cdk8s bindings from it, scripts/compile-validators.mjs the
// validators). Nothing it returns is written to disk by this module.
//
// Source of each CRD file, in order:
//   1. ../shared/crds (or $MERIDIAN_CRDS_DIR): the byte-identical local copy, located through its
//      SOURCES.md table (repository + commit + upstream path -> local file) and checked against the
//      recorded sha256 prefix;
//   2. the pinned URL itself, for users who build with network access.
// Only the kinds meridian emits are kept (EMITTED below), each at the one version meridian writes.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const crdsDir = process.env.MERIDIAN_CRDS_DIR ?? path.resolve(root, '..', 'shared', 'crds');
/** How to build without network access, appended to every failed download. */
const OFFLINE_HINT = 'a local copy of the pinned CRDs can supply them: put it in ../shared/crds (beside this checkout) or point MERIDIAN_CRDS_DIR at it (a folder with SOURCES.md)';

/** group -> version -> kinds that meridian emits. Adding a kind here (and its file to cdk8s.yaml) is all it takes. */
export const EMITTED = {
  'submariner.io': { v1alpha1: ['Broker', 'Submariner'] },
  'multicluster.x-k8s.io': { v1alpha1: ['ServiceExport'] },
  'gateway.networking.k8s.io': { v1: ['Gateway', 'HTTPRoute', 'ReferenceGrant'] },
  'networking.istio.io': { v1: ['ServiceEntry', 'DestinationRule'] },
  'security.istio.io': { v1: ['PeerAuthentication'] },
  'cert-manager.io': { v1: ['Certificate', 'ClusterIssuer', 'Issuer'] },
  'argoproj.io': { v1alpha1: ['ApplicationSet', 'AppProject'] },
  'redhatcop.redhat.io': {
    v1alpha1: [
      'GlobalDNSZone', 'GlobalDNSRecord', 'AuthEngineMount', 'KubernetesAuthEngineConfig', 'KubernetesAuthEngineRole',
      'SecretEngineMount', 'PKISecretEngineConfig', 'PKISecretEngineRole', 'Policy',
    ],
  },
  'k8gb.io': { v1beta1: ['Gslb'] },
  'externaldns.k8s.io': { v1alpha1: ['DNSEndpoint'] },
  'route.openshift.io': { v1: ['Route'] },
  'monitoring.coreos.com': { v1: ['PodMonitor', 'PrometheusRule', 'ServiceMonitor'] },
};

/** Errors carry the name of the script that asked (import, compile-validators). */
function fail(message) {
  process.stderr.write(`${path.basename(process.argv[1] ?? 'crds', '.mjs')}: ${message}\n`);
  process.exit(1);
}

/** Rows of SOURCES.md: `| local | repo | upstream path | commit | ... | sha256 prefix |`. */
function localSources() {
  const sources = path.join(crdsDir, 'SOURCES.md');
  if (!fs.existsSync(sources)) return undefined;
  const byUrlTail = new Map();
  for (const line of fs.readFileSync(sources, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim().replace(/^`|`$/g, ''));
    if (cells.length < 10 || !/^[0-9a-f]{40}$/.test(cells[4])) continue;
    const [, local, repo, upstreamPath, commit] = cells;
    const sha = cells[cells.length - 2];
    byUrlTail.set(`${repo}/${commit}/${upstreamPath}`, { file: path.join(crdsDir, local), sha });
  }
  return byUrlTail;
}

async function readSource(url, local) {
  const tail = url.replace(/^https:\/\/raw\.githubusercontent\.com\//, '');
  const hit = local?.get(tail);
  if (hit) {
    const text = fs.readFileSync(hit.file);
    const sha = createHash('sha256').update(text).digest('hex').slice(0, 16);
    if (sha !== hit.sha) fail(`${hit.file}: sha256 ${sha} does not match SOURCES.md (${hit.sha}); the local CRD copy is not the pinned one`);
    return text.toString('utf8');
  }
  if (local) fail(`${url} is not listed in ${path.join(crdsDir, 'SOURCES.md')}; pin it there or fix cdk8s.yaml`);
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
    fail(`cannot fetch ${url} (${cause}); ${OFFLINE_HINT}`);
  }
  if (!response.ok) fail(`cannot fetch ${url} (HTTP ${response.status}); ${OFFLINE_HINT}`);
  return await response.text();
}

/** cdk8s.yaml, whose `imports` list the pinned CRD URLs. */
export function configText() {
  return fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8');
}

/**
 * Every emitted kind of the pinned CRDs: `{ id: '<group>/<version>/<kind>', scope, schema, crd }`, where
 * `crd` is the CustomResourceDefinition reduced to that one version (for the bindings).
 */
export async function pinnedCrds() {
  // An explicit MERIDIAN_CRDS_DIR that is not a CRD copy is a mistake, never a reason to download.
  if (process.env.MERIDIAN_CRDS_DIR !== undefined && !fs.existsSync(path.join(crdsDir, 'SOURCES.md'))) {
    fail(`MERIDIAN_CRDS_DIR=${process.env.MERIDIAN_CRDS_DIR}: ${fs.existsSync(crdsDir) ? 'has no SOURCES.md' : 'no such folder'}; point it at a copy of the pinned CRDs (a folder with SOURCES.md), or unset it to download them`);
  }
  const config = YAML.parse(configText());
  const urls = (config.imports ?? []).filter((u) => typeof u === 'string' && u.startsWith('https://'));
  if (urls.length === 0) fail('cdk8s.yaml lists no imports');
  const local = localSources();
  const kinds = [];
  for (const url of urls) {
    const text = await readSource(url, local);
    for (const doc of YAML.parseAllDocuments(text)) {
      const crd = doc.toJS({ maxAliasCount: -1 });
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const group = crd.spec.group;
      const kind = crd.spec.names.kind;
      for (const [version, names] of Object.entries(EMITTED[group] ?? {})) {
        if (!names.includes(kind)) continue;
        const v = crd.spec.versions.find((x) => x.name === version);
        if (!v?.served) fail(`${url}: ${group}/${version} ${kind} is not served by the pinned CRD`);
        kinds.push({ id: `${group}/${version}/${kind}`, scope: crd.spec.scope, schema: v.schema.openAPIV3Schema, crd: { ...crd, spec: { ...crd.spec, versions: [{ ...v, storage: true }] } } });
      }
    }
  }
  for (const [group, versions] of Object.entries(EMITTED)) {
    for (const [version, names] of Object.entries(versions)) {
      for (const kind of names) {
        if (!kinds.some((k) => k.id === `${group}/${version}/${kind}`)) fail(`no CRD for ${group}/${version} ${kind} in the files cdk8s.yaml lists`);
      }
    }
  }
  return { urls, kinds };
}
