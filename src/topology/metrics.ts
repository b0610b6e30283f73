// Every metric an alert of meridian's PrometheusRules may reference, with who exports it and the
// upstream source of its name. test/operate/monitoring.test.ts checks that every alert expression
// uses only these names. Pure data.

export interface MetricSource {
  /** What exports it (and therefore which scrape target must exist). */
  readonly exporter: 'vault' | 'cockroachdb' | 'submariner' | 'cert-manager' | 'kube-state-metrics';
  readonly type: 'gauge' | 'counter' | 'summary-count';
  readonly meaning: string;
  /** Where the name comes from upstream. */
  readonly source: string;
}

export const METRICS = {
  vault_core_unsealed: {
    exporter: 'vault',
    type: 'gauge',
    meaning: '1 when the node is unsealed, 0 when sealed (vault.core.unsealed)',
    source: 'developer.hashicorp.com/vault/docs/internals/telemetry/metrics/core-system; grafana.com/grafana/dashboards/26039 lists vault_core_unsealed',
  },
  vault_core_leadership_lost_count: {
    exporter: 'vault',
    type: 'summary-count',
    meaning: 'count of the vault.core.leadership_lost summary: how often a node lost leadership ("frequent updates ... indicates flapping")',
    source: 'developer.hashicorp.com/vault/docs/internals/telemetry/metrics/core-system (vault.core.leadership_lost, summary); Prometheus summaries expose <name>_count',
  },
  vault_autopilot_node_healthy: {
    exporter: 'vault',
    type: 'gauge',
    meaning: 'per Raft server (label node_id), 1 when autopilot considers it healthy; reported by the active node only',
    source: 'Vault telemetry, autopilot metrics (vault.autopilot.node.healthy); used under this name by public Vault monitoring mixins (alert VaultAutopilotNodeUnhealthy) and dashboards',
  },
  ranges_unavailable: {
    exporter: 'cockroachdb',
    type: 'gauge',
    meaning: 'ranges of which this node holds the lease that have fewer live replicas than a quorum (ranges.unavailable)',
    source: 'cockroachdb/docs _includes/v21.2/metric-names.md; monitoring-mixins kube-cockroachdb alerts',
  },
  ranges_underreplicated: {
    exporter: 'cockroachdb',
    type: 'gauge',
    meaning: 'ranges with fewer live replicas than the replication target (ranges.underreplicated)',
    source: 'cockroachdb/docs _includes/v21.2/metric-names.md; cockroachdb/docs v21.1/monitoring-and-alerting.md',
  },
  clock_offset_meannanos: {
    exporter: 'cockroachdb',
    type: 'gauge',
    meaning: 'mean clock offset of the node against the others, in nanoseconds (clock-offset.meannanos)',
    source: 'cockroachdb/docs _includes/v21.2/metric-names.md',
  },
  liveness_livenodes: {
    exporter: 'cockroachdb',
    type: 'gauge',
    meaning: 'number of live nodes in the whole cluster, as this node sees it (liveness.livenodes)',
    source: 'cockroachdb/docs _includes/v21.2/metric-names.md; monitoring-mixins kube-cockroachdb CockroachLivenessMismatch',
  },
  submariner_gateways: {
    exporter: 'submariner',
    type: 'gauge',
    meaning: 'number of gateways in the cluster',
    source: 'submariner-io/submariner-website src/content/operations/monitoring/_index.en.md',
  },
  submariner_connections: {
    exporter: 'submariner',
    type: 'gauge',
    meaning: 'connections to other clusters, labels local_cluster, remote_cluster, status (connecting, connected, error)',
    source: 'submariner-io/submariner-website src/content/operations/monitoring/_index.en.md',
  },
  certmanager_certificate_expiration_timestamp_seconds: {
    exporter: 'cert-manager',
    type: 'gauge',
    meaning: 'the date after which the certificate expires, Unix time (labels name, namespace)',
    source: 'cert-manager controller metrics (HELP text "The date after which the certificate expires. Expressed as a Unix Epoch Time.")',
  },
  kube_deployment_status_replicas_available: {
    exporter: 'kube-state-metrics',
    type: 'gauge',
    meaning: 'available replicas of a Deployment (labels namespace, deployment)',
    source: 'kubernetes/kube-state-metrics docs/metrics/workload/deployment-metrics.md (platform monitoring ships kube-state-metrics)',
  },
} as const satisfies Record<string, MetricSource>;

export type MetricName = keyof typeof METRICS;

