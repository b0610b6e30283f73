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
 * const sizes = new Map([...bundle.files].map(([file, text]) => [file, text.length]));
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
// Named one by one: Node's ESM import of this CommonJS bundle only sees names listed statically;
// esbuild's `export *` becomes a runtime __reExport that cjs-module-lexer cannot detect
// (nodejs/cjs-module-lexer#73, evanw/esbuild#2486).
export { AllowNetworkPolicy, DefaultDenyNetworkPolicy, type DefaultDenyNetworkPolicyProps } from './constructs/allow-network-policy';
export type { NetworkPolicyPlan, PolicyPeer, PolicyPort, PolicyRule } from './lib/network-policy';
export { AppProject, type AppProjectProps } from './constructs/app-project';
export { KeyUsage, Certificate, type CertificateProps } from './constructs/certificate';
export { ClusterApplicationSet, ignoredDrifts, type ClusterApplicationSetProps } from './constructs/cluster-application-set';
export { CockroachDbIdentity, CockroachDbCertificate, type CockroachDbCertificateProps } from './constructs/cockroachdb-certificate';
export { CockroachDbCluster, restrictedPodSecurityContext, restrictedContainerSecurityContext, certsVolume, type CertificateFiles, type CockroachDbClusterProps } from './constructs/cockroachdb-cluster';
export { CockroachDbInitJob, type CockroachDbInitJobProps } from './constructs/cockroachdb-init-job';
export { CockroachDbNetworkPolicy, type CockroachDbNetworkPolicyProps } from './constructs/cockroachdb-network-policy';
export { FailoverDestinationRule, type FailoverDestinationRuleProps } from './constructs/destination-rule';
export { DnsEndpoint, type DnsRecord, type DnsEndpointProps } from './constructs/dns-endpoint';
export { ExternalNameService, type ExternalNameServiceProps } from './constructs/external-name-service';
export { HttpsGateway, type HttpsListener, type HttpsGatewayProps } from './constructs/gateway';
export { GlobalDnsRecord, type ObjectRef, type GlobalDnsEndpoint, type HttpsHealthCheck, type GlobalDnsRecordProps } from './constructs/global-dns-record';
export { GlobalDnsZone, type GlobalDnsZoneProps } from './constructs/global-dns-zone';
export { HttpRoute, type GatewayListenerRef, type ServiceBackend, type HttpRouteProps } from './constructs/http-route';
export { CaIssuer, VaultClusterIssuer, VaultIssuer, clusterIssuer, type IssuerReference, type IIssuer, type CaIssuerProps, type VaultClusterIssuerProps, type VaultIssuerProps } from './constructs/issuer';
export { Gslb, type GslbStrategy, type GslbProps } from './constructs/k8gb-gslb';
export { RELOAD_SECRETS_ANNOTATION, RELOAD_CONFIGMAPS_ANNOTATION, Microservice, type ContainerResources, type MicroserviceAutoscaling, type SecretMount, type MicroserviceProps, type WorkloadOverrides, type ProbeOverride, type KeyRef } from './constructs/microservice';
export { Namespace, type NamespaceProps } from './constructs/namespace';
export { PassthroughRoute, type PassthroughRouteProps } from './constructs/passthrough-route';
export { SccGrant, podSecurityContext, dnsEgressRule, type SccGrantProps } from './constructs/pod-security';
export { StrictMtls, type StrictMtlsProps } from './constructs/peer-authentication';
export { MeshProtocol, ClustersetServiceEntry, type MeshPort, type ClustersetServiceEntryProps } from './constructs/service-entry';
export { ServiceExport, type ServiceExportProps } from './constructs/service-export';
export { SubmarinerBroker, type SubmarinerBrokerGlobalnet, type SubmarinerBrokerProps } from './constructs/submariner-broker';
export { SUBMARINER_OPERATOR_NAMESPACE, SubmarinerJoin, type CableDriver, type SubmarinerJoinProps } from './constructs/submariner-join';
export { ZoneSpread, VaultCluster, type VaultClusterProps } from './constructs/vault-cluster';
export { VaultConfiguration, type VaultConfigurationProps, type KubernetesAuthMountOptions, type KubernetesAuthRoleOptions, type SecretEngineMountOptions, type PkiRoleOptions, type PolicyOptions } from './constructs/vault-config';

// The cdk8s classes the constructs and the charts of a meridian.config.mjs are built from.
export { App, ApiObject, Chart, JsonPatch, type ChartProps, type ApiObjectProps } from 'cdk8s';
export { Construct } from 'constructs';
export * as kplus from 'cdk8s-plus-27';

/** Runs the command line with these arguments (without `node meridian`); returns the exit code. bin/meridian.js calls it. */
export { main } from './cli/index';
