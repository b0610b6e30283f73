import type { Construct } from 'constructs';
import { PodMonitor } from '../constructs/pod-monitor';
import { PrometheusRule } from '../constructs/prometheus-rule';
import { ScrapeNetworkPolicy } from '../constructs/scrape-network-policy';
import { LABEL, selectorLabels } from '../lib/labels';
import { CERT_MANAGER, COCKROACHDB_PUBLIC_SERVICE, VAULT_SERVICE } from '../lib/names';
import type { ClusterView } from '../topology';
import { alertRunbookRef, clusterAlerts } from '../topology/alerts';
import { COCKROACHDB } from '../topology/cockroachdb';
import { VAULT_PORTS, VAULT_SERVER_TLS_SECRET, VAULT_STATEFULSET } from '../topology/vault';
import { MeridianChart } from './meridian-chart';

/** cert-manager's controller: its chart's pod labels and metrics port (9402, not named alike in every chart version). */
const CERT_MANAGER_CONTROLLER = { labels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' }, metricsPort: 9402 } as const;

/**
 * `monitoring: prometheus-operator`: what Prometheus scrapes and what it alerts on, in every cluster.
 * - PodMonitors for the Vault pods (`/v1/sys/metrics?format=prometheus` over TLS; the server
 *   configuration turns on Prometheus telemetry and unauthenticated metrics on the listener), the
 *   CockroachDB nodes (`/_status/vars` over TLS) and the cert-manager controller (port 9402).
 *   Submariner's operator creates the ServiceMonitors of its gateway and Lighthouse metrics itself
 *   (submariner-website operations/monitoring), so meridian only alerts on them. Service
 *   availability comes from kube-state-metrics, which platform monitoring runs.
 * - NetworkPolicies that admit the Prometheus namespaces to the stores' metrics ports.
 * - PrometheusRules per component (src/topology/alerts.ts), each alert naming its runbook entry.
 * Empty unless the environment asks for it.
 */
export class MonitoringChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'monitoring', { environment: view.environment.name, cluster: view.cluster.name });
    const env = view.environment;
    if (env.monitoring !== 'prometheus-operator') return;

    // Only where the store's pods run (vault.clusters, cockroachdb.clusters).
    const vault = view.vaultMember?.store;
    if (vault) {
      const labels = selectorLabels('vault', VAULT_STATEFULSET);
      new PodMonitor(this, 'VaultPodMonitor', {
        name: 'vault',
        namespace: vault.namespace,
        podLabels: labels,
        port: 'https',
        path: '/v1/sys/metrics',
        params: { format: ['prometheus'] },
        tls: { caSecret: VAULT_SERVER_TLS_SECRET, caKey: 'ca.crt', serverName: `${VAULT_SERVICE}.${vault.namespace}.svc` },
      });
      new ScrapeNetworkPolicy(this, 'VaultScrape', { name: 'vault-metrics', namespace: vault.namespace, podLabels: labels, port: VAULT_PORTS.api, prometheusNamespaces: view.platform.prometheusNamespaces });
    }
    const db = view.cockroachdbMember?.store;
    if (db) {
      const labels = selectorLabels(COCKROACHDB.statefulSet, COCKROACHDB.statefulSet);
      new PodMonitor(this, 'CockroachDbPodMonitor', {
        name: 'cockroachdb',
        namespace: db.namespace,
        podLabels: labels,
        port: 'http',
        path: '/_status/vars',
        tls: { caSecret: COCKROACHDB.nodeSecret, caKey: 'ca.crt', serverName: `${COCKROACHDB_PUBLIC_SERVICE}.${db.namespace}.svc` },
      });
      new ScrapeNetworkPolicy(this, 'CockroachDbScrape', { name: 'cockroachdb-metrics', namespace: db.namespace, podLabels: labels, port: COCKROACHDB.httpPort, prometheusNamespaces: view.platform.prometheusNamespaces });
    }
    // A hub holds no certificate (placement.ts): cert-manager is not needed there.
    if (view.cluster.role === 'workload') new PodMonitor(this, 'CertManagerPodMonitor', {
      name: 'cert-manager',
      namespace: CERT_MANAGER.namespace,
      podLabels: CERT_MANAGER_CONTROLLER.labels,
      port: CERT_MANAGER_CONTROLLER.metricsPort,
      path: '/metrics',
      // Its metrics label each Certificate with its own namespace; the alert groups by it.
      honorLabels: true,
    });

    const alertLabels = { [LABEL.environment]: env.name, [LABEL.cluster]: view.cluster.name };
    for (const group of clusterAlerts(view)) {
      const name = group.component === 'services' ? `meridian-service-${group.namespace}` : `meridian-${group.component}`;
      const existing = this.node.tryFindChild(name);
      if (existing) continue;
      const alerts = clusterAlerts(view)
        .filter((g) => g.component === group.component && g.namespace === group.namespace)
        .flatMap((g) => g.alerts)
        .map((a) => ({ name: a.name, expr: a.expr, for: a.for, severity: a.severity, summary: a.summary, runbook: alertRunbookRef(env.name, a.name), response: a.response }));
      new PrometheusRule(this, name, { name, namespace: group.namespace, group: `${name}.${view.cluster.name}`, alertLabels, alerts });
    }
  }
}
