// Real changes to the default environment (environments/prod.yaml), synthesized in memory: the base and
// head trees of the review tests, so the expected comments are the tool's own output on true bundles.
import * as fs from 'node:fs';
import { diffTrees, reviewOf, type BundleDiff } from '../../src/diff';
import { synthesize } from '../../src/synth/synthesize';
import { buildTopology, parseEnvironment, type Environment } from '../../src/topology';

export const PROD = fs.readFileSync('environments/prod.yaml', 'utf8');

const CLUSTER4 = `  - name: cluster4
    region: eu-west-1
    zones: [eu-west-1a, eu-west-1b, eu-west-1c]
    server: https://api.cluster4.example.com:6443
    ingressDomain: apps.cluster4.example.com
    podCIDR: 10.140.0.0/14
    serviceCIDR: 172.33.0.0/16
    platform: openshift
`;

/**
 * prod with a fourth cluster after cluster3 (catalog's 3 replicas become 4, one per active cluster).
 * Vault stays on the first three (vault.clusters): 3 pods on each of four clusters would be 12
 * voters, above the bound of 9 (src/topology/vault-voters.ts); cluster4 reaches it by its clusterset name.
 */
export const EXPANDED = PROD.replace(/\nsubmariner:/, `\n${CLUSTER4}submariner:`)
  .replace(/(  - name: catalog\n(?:    .*\n)*?    replicas: )3\n/, '$14\n')
  .replace(/\nvault:\n/, '\nvault:\n  clusters: [cluster1, cluster2, cluster3]\n');
/** prod with shop drained in cluster2. */
export const DRAINED = PROD.replace(/(  - name: shop\n(?:    .*\n)*?    expose: global\n)/, '$1    drainedIn: [cluster2]\n');

const cache = new Map<string, Map<string, string>>();

/** The dist/ files of one environment file's text (memoized: every test reuses the same synth). */
export function distOf(text: string): Map<string, string> {
  let files = cache.get(text);
  if (!files) {
    files = new Map(synthesize(buildTopology([parseEnvironment(Buffer.from(text), 'environments/prod.yaml')])).files);
    cache.set(text, files);
  }
  return files;
}

/** The environment model of one environment file's text. */
export function envOf(text: string): Environment {
  return buildTopology([parseEnvironment(Buffer.from(text), 'environments/prod.yaml')]).environments[0]!;
}

/** What `meridian diff` computes between two versions of environments/prod.yaml: the objects, their risks, and the review. */
export function reviewDiff(base: string, head: string): BundleDiff {
  const key = `${base}\0${head}`;
  let d = diffs.get(key);
  if (!d) {
    d = { ...diffTrees(distOf(base), distOf(head), { base: 'main', head: 'pr' }), review: reviewOf([envOf(base)], [envOf(head)]) };
    diffs.set(key, d);
  }
  return d;
}

const diffs = new Map<string, BundleDiff>();

/** prod with a payments service that uses CockroachDB and Vault, listed before shop. */
export const PAYMENTS = PROD.replace(
  /\nservices:\n/,
  `\nservices:\n  - name: payments\n    namespace: payments\n    image: quay.io/example/payments:1.0.0\n    port: 8080\n    healthPath: /healthz\n    replicas: 3\n    expose: clusterset\n    uses: [cockroachdb, vault]\n`,
);

/** prod with a new CockroachDB image. */
export const CRDB_UPGRADE = PROD.replace('cockroachdb/cockroach:v24.2.4', 'cockroachdb/cockroach:v24.2.5');
