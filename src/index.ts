/**
 * meridian as a library: the topology loader, the synthesis pipeline and the constructs, with types.
 *
 * The package is one self-contained bundle (lib/meridian.js): `import { ... } from 'meridian'` and the
 * `meridian` command share one copy of cdk8s, so charts built with the classes exported here (`Chart`,
 * `ApiObject`, `kplus`) are the same classes meridian synthesizes, and a `meridian.config.mjs` needs no
 * other dependency.
 *
 * @example
 * import { loadEnvironments, synthesize } from 'meridian';
 *
 * const topology = loadEnvironments('environments');
 * const bundle = synthesize(topology);
 * for (const [file, text] of bundle.files) console.log(file, text.length);
 *
 * @example
 * // meridian.config.mjs at the repository root: one extra chart per cluster, labelled and validated
 * // like meridian's own and written to dist/<cluster>/<component>.yaml.
 * import { defineConfig, kplus } from 'meridian';
 *
 * export default defineConfig({
 *   charts: [
 *     ({ scope, cluster }) => {
 *       new kplus.k8s.KubeConfigMap(scope, 'team', {
 *         metadata: { name: 'team-settings', namespace: 'shop' },
 *         data: { CLUSTER: cluster.name },
 *       });
 *     },
 *   ],
 * });
 */
export { loadTopology as loadEnvironments, synthToDisk, type SynthOptions, type SynthResult } from './main';
export { synthesize, OutputValidationError, type Bundle, type Manifest, type SynthesizedObject, type SynthesizeOptions } from './synth/synthesize';
export { defineConfig, type MeridianConfig, type ChartContext, type ChartFactory } from './synth/extensions';
export { buildTopology, parseEnvironment, TopologyError, environmentSchema, type Topology, type Environment, type Cluster, type Service, type EnvironmentSpec } from './topology';
export { validateTree, treeFromDirectory, treeFromFiles, RULES, type Rule, type Violation, type DistTree } from './validate';
export { validateManifest, type SchemaViolation } from './validate/schema';
export { MeridianChart, type MeridianChartProps } from './charts/meridian-chart';
export { LABEL, chartLabels } from './lib/labels';

// Constructs (cdk8s-plus style: readonly props, every optional prop documented with its @default).
export * from './constructs/app-project';
export * from './constructs/certificate';
export * from './constructs/cluster-application-set';
export * from './constructs/cockroachdb-certificate';
export * from './constructs/cockroachdb-cluster';
export * from './constructs/cockroachdb-init-job';
export * from './constructs/cockroachdb-network-policy';
export * from './constructs/destination-rule';
export * from './constructs/dns-endpoint';
export * from './constructs/external-name-service';
export * from './constructs/gateway';
export * from './constructs/global-dns-record';
export * from './constructs/global-dns-zone';
export * from './constructs/http-route';
export * from './constructs/issuer';
export * from './constructs/k8gb-gslb';
export * from './constructs/microservice';
export * from './constructs/namespace';
export * from './constructs/peer-authentication';
export * from './constructs/service-entry';
export * from './constructs/service-export';
export * from './constructs/submariner-broker';
export * from './constructs/submariner-join';
export * from './constructs/vault-cluster';
export * from './constructs/vault-config';

// The cdk8s classes the constructs and the charts of a meridian.config.mjs are built from.
export { App, ApiObject, Chart, JsonPatch, type ChartProps, type ApiObjectProps } from 'cdk8s';
export { Construct } from 'constructs';
export * as kplus from 'cdk8s-plus-27';

/** Runs the command line with these arguments (without `node meridian`); returns the exit code. bin/meridian.js calls it. */
export { main } from './cli/index';
