// The alerts of one cluster, with thresholds taken from the model (voters placed, clusters, replica
// shares), and what to do when each fires. The monitoring chart turns them into PrometheusRules; the
// report lists the responses, and each alert's `runbook` annotation names its entry there. Pure.
import type { MetricName } from './metrics';
import type { ClusterView } from './view';

export type AlertComponent = 'vault' | 'cockroachdb' | 'submariner' | 'cert-manager' | 'services';

export interface Alert {
  readonly name: string;
  /** PromQL; metrics by name from METRICS only. */
  readonly expr: string;
  /** Every metric the expression reads (checked against the expression by the tests). */
  readonly metrics: readonly MetricName[];
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  /** What to do, with the exact command where there is one. */
  readonly response: string;
}

export interface AlertGroup {
  readonly component: AlertComponent;
  /** Namespace of the PrometheusRule (OpenShift user-workload monitoring evaluates rules in user namespaces only). */
  readonly namespace: string;
  readonly alerts: readonly Alert[];
}

/** CockroachDB's default `--max-offset` (meridian does not set it): 500ms. */
export const COCKROACHDB_MAX_OFFSET_NANOS = 500_000_000;
/**
 * A node whose clock is off by more than 80% of the maximum offset from at least half of the others
 * shuts itself down (CockroachDB docs, "Clock synchronization"); the alert fires at half of that
 * point, while there is time to fix NTP.
 */
export const CLOCK_OFFSET_ALERT_NANOS = (COCKROACHDB_MAX_OFFSET_NANOS * 0.8) / 2;
/**
 * cert-manager renews a Certificate when a third of its lifetime is left (the Certificate CRD's
 * `renewBefore` default); with the default 90-day lifetime that is 30 days. Less than half of that
 * left means renewal has been failing for two weeks.
 */
export const CERTIFICATE_EXPIRY_ALERT_SECONDS = 15 * 86400;

/** Where the report shows the response of an alert. */
export function alertRunbookRef(env: string, alert: string): string {
  return `meridian report --env ${env}: Alert responses, ${alert}`;
}

/**
 * Alerts that count members compare `(<aggregate> or vector(0))`: when every member is down there is
 * no series at all, and a bare aggregate would return nothing instead of firing.
 */
export function clusterAlerts(view: ClusterView): AlertGroup[] {
  const env = view.environment;
  const here = view.cluster.name;
  const ctx = `kubectl --context ${here}`;
  const groups: AlertGroup[] = [];
  // Store alerts only where the store's pods run (vault.clusters, cockroachdb.clusters).
  const vault = view.vaultMember?.store;
  if (vault) {
    const ns = vault.namespace;
    const placedHere = vault.quorum.votersPerCluster[here] ?? 0;
    groups.push({
      component: 'vault',
      namespace: ns,
      alerts: [
        {
          name: 'MeridianVaultSealed',
          expr: `max by (pod) (vault_core_unsealed{namespace="${ns}"}) == 0`,
          metrics: ['vault_core_unsealed'],
          for: '5m',
          severity: 'critical',
          summary: `Vault pod {{ $labels.pod }} in ${here} is sealed`,
          response: `Auto-unseal failed: check the seal's credentials and key (${ctx} -n ${ns} logs {{ $labels.pod }}), then ${ctx} -n ${ns} delete pod {{ $labels.pod }}; its data volume stays and it unseals and rejoins on start`,
        },
        {
          name: 'MeridianVaultMembersMissing',
          expr: `(count(vault_core_unsealed{namespace="${ns}"} == 1) or vector(0)) < ${placedHere}`,
          metrics: ['vault_core_unsealed'],
          for: '10m',
          severity: 'warning',
          summary: `fewer than the ${placedHere} Vault voters meridian placed in ${here} are unsealed`,
          response: `${ctx} -n ${ns} get pods -l app.kubernetes.io/name=vault; a missing voter in ${here} leaves ${vault.quorum.voters - placedHere} of ${vault.quorum.voters} elsewhere (quorum ${vault.quorum.quorum})`,
        },
        {
          name: 'MeridianVaultRaftPeersMissing',
          // Only the active node reports autopilot's view of every server; elsewhere the series is absent.
          expr: `sum(vault_autopilot_node_healthy{namespace="${ns}"}) < ${vault.quorum.voters}`,
          metrics: ['vault_autopilot_node_healthy'],
          for: '10m',
          severity: 'critical',
          summary: `fewer healthy Raft peers than the ${vault.quorum.voters} voters meridian placed (quorum ${vault.quorum.quorum}, ${vault.quorum.clustersItCanLose} cluster(s) can be lost)`,
          response: `${ctx} -n ${ns} exec vault-0 -- vault operator raft list-peers (with a token) shows which server is missing; a server of a removed pod that stays listed is removed with vault operator raft remove-peer <node id>`,
        },
        {
          name: 'MeridianVaultLeadershipChurn',
          // A rolling restart of one cluster (one rollout step) moves the leadership at most once per pod.
          expr: `sum(increase(vault_core_leadership_lost_count{namespace="${ns}"}[1h])) > ${vault.replicasPerCluster}`,
          metrics: ['vault_core_leadership_lost_count'],
          for: '0m',
          severity: 'warning',
          summary: `Vault leadership changed more than ${vault.replicasPerCluster} times in an hour (more than one cluster's rolling restart)`,
          response: 'Leaders that lose contact with a majority step down: check the Submariner connections between the regions (subctl show connections) and the latency between them',
        },
      ],
    });
  }
  const db = view.cockroachdbMember?.store;
  if (db) {
    const ns = db.namespace;
    groups.push({
      component: 'cockroachdb',
      namespace: ns,
      alerts: [
        {
          name: 'MeridianCockroachDbRangesUnavailable',
          expr: `max(ranges_unavailable{namespace="${ns}"}) > 0`,
          metrics: ['ranges_unavailable'],
          for: '1m',
          severity: 'critical',
          summary: 'CockroachDB has ranges without a quorum of live replicas: reads and writes to them fail',
          response: 'Bring back the nodes that hold them (node status in the runbook step cockroachdb-init shows which are not live); never decommission nodes while ranges are unavailable',
        },
        {
          name: 'MeridianCockroachDbRangesUnderReplicated',
          expr: `max(ranges_underreplicated{namespace="${ns}"}) > 0`,
          metrics: ['ranges_underreplicated'],
          for: '15m',
          severity: 'warning',
          summary: 'CockroachDB has under-replicated ranges: one more failure may make them unavailable',
          response: 'A node or region is down or was removed without DROP REGION; restore it, or with survivalGoal region make sure three regions have live nodes',
        },
        {
          name: 'MeridianCockroachDbClockOffset',
          expr: `max(abs(clock_offset_meannanos{namespace="${ns}"})) > ${CLOCK_OFFSET_ALERT_NANOS}`,
          metrics: ['clock_offset_meannanos'],
          for: '5m',
          severity: 'warning',
          summary: `a CockroachDB node's clock is off by more than ${CLOCK_OFFSET_ALERT_NANOS / 1e6}ms (nodes stop at ${(COCKROACHDB_MAX_OFFSET_NANOS * 0.8) / 1e6}ms, 80% of the ${COCKROACHDB_MAX_OFFSET_NANOS / 1e6}ms maximum offset)`,
          response: `Fix time synchronization (NTP/chrony) on the node that runs the pod: ${ctx} -n ${ns} get pods -o wide`,
        },
        {
          name: 'MeridianCockroachDbNodesNotLive',
          expr: `(min(liveness_livenodes{namespace="${ns}"}) or vector(0)) < ${db.quorum.voters}`,
          metrics: ['liveness_livenodes'],
          for: '5m',
          severity: 'warning',
          summary: `fewer live CockroachDB nodes than the ${db.quorum.voters} meridian placed (${Object.entries(db.quorum.votersPerCluster).map(([c, n]) => `${n} in ${c}`).join(', ')})`,
          response: 'The runbook step cockroachdb-init (node status) shows which nodes are not live; restart or reschedule their pods',
        },
      ],
    });
  }
  const remotes = view.clusters.length - 1;
  groups.push({
    component: 'submariner',
    namespace: 'submariner-operator',
    alerts: [
      {
        name: 'MeridianSubmarinerGatewayDown',
        expr: '(sum(submariner_gateways) or vector(0)) < 1',
        metrics: ['submariner_gateways'],
        for: '5m',
        severity: 'critical',
        summary: `no Submariner gateway is active in ${here}: store peers of the other clusters cannot reach it`,
        response: `${ctx} -n submariner-operator get pods -l app=submariner-gateway; check the node labelled submariner.io/gateway=true`,
      },
      {
        name: 'MeridianSubmarinerConnectionDown',
        expr: `(sum(submariner_connections{status="connected"}) or vector(0)) < ${remotes}`,
        metrics: ['submariner_connections'],
        for: '5m',
        severity: 'critical',
        summary: `${here} is connected to fewer than the ${remotes} other cluster(s) of ${env.name}`,
        response: `subctl show connections --context ${here}; subctl diagnose all --context ${here}`,
      },
    ],
  });
  // A hub holds no certificate (placement.ts): no cert-manager alerts there.
  if (view.cluster.role === 'workload') groups.push({
    component: 'cert-manager',
    namespace: 'cert-manager',
    alerts: [
      {
        name: 'MeridianCertificateExpiring',
        expr: `min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time() < ${CERTIFICATE_EXPIRY_ALERT_SECONDS}`,
        metrics: ['certmanager_certificate_expiration_timestamp_seconds'],
        for: '1h',
        severity: 'warning',
        summary: `certificate {{ $labels.namespace }}/{{ $labels.name }} in ${here} expires in less than ${CERTIFICATE_EXPIRY_ALERT_SECONDS / 86400} days: renewal is failing`,
        response: `${ctx} -n {{ $labels.namespace }} describe certificate {{ $labels.name }}; after fixing the issuer, cmctl renew -n {{ $labels.namespace }} {{ $labels.name }}`,
      },
    ],
  });
  for (const local of view.localServices) {
    const s = local.service;
    groups.push({
      component: 'services',
      namespace: s.namespace,
      alerts: [
        {
          name: 'MeridianServiceUnavailable',
          expr: `(sum(kube_deployment_status_replicas_available{namespace="${s.namespace}",deployment="${s.name}"}) or vector(0)) < 1`,
          metrics: ['kube_deployment_status_replicas_available'],
          for: '5m',
          severity: local.drained ? 'warning' : 'critical',
          summary: `${s.name} has no available replica in ${here}${local.drained ? ' (drained here: not serving)' : ''}`,
          response: `${ctx} -n ${s.namespace} describe deployment ${s.name}; to take ${here} out of its traffic meanwhile, add ${here} to the service's drainedIn and synthesize`,
        },
      ],
    });
  }
  return groups;
}
