// Monitoring: alert expressions read only listed metrics, thresholds come from the model, every
// scraped store port is admitted by a NetworkPolicy, and every alert's runbook entry exists.
import { describe, expect, it } from 'vitest';
import { PodMonitor } from '../../src/constructs/pod-monitor';
import { PrometheusRule } from '../../src/constructs/prometheus-rule';
import { ScrapeNetworkPolicy } from '../../src/constructs/scrape-network-policy';
import { reportMarkdown } from '../../src/report/markdown';
import { buildReport } from '../../src/report/model';
import { clusterView } from '../../src/topology';
import { clusterAlerts } from '../../src/topology/alerts';
import { METRICS } from '../../src/topology/metrics';
import { vaultServerConfig } from '../../src/topology/vault';
import { chart, synthValid } from '../constructs/helpers';
import { FIXTURE_ENVIRONMENTS, objectsOf, synthFixture, topologyOf } from '../helpers';

/** PromQL words that are not metric names: functions, aggregation and binary-operator keywords. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/** The metric names a PromQL expression reads: identifiers outside label matchers, ranges and strings that are not function calls. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = stripped.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(m[0])) continue;
    names.add(m[0]);
  }
  return [...names].sort();
}

const topology = topologyOf(`${FIXTURE_ENVIRONMENTS}/operate.yaml`, 'environments/prod.yaml');
const views = topology.environments.flatMap((env) => env.clusters.map((c) => clusterView(env, c.name)));

describe('alert expressions', () => {
  it('the extractor finds metric names and not functions, labels or ranges', () => {
    expect(metricNamesIn('sum(increase(vault_core_leadership_lost_count{namespace="vault"}[1h])) > 3')).toEqual(['vault_core_leadership_lost_count']);
    expect(metricNamesIn('min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time() < 5')).toEqual(['certmanager_certificate_expiration_timestamp_seconds']);
    expect(metricNamesIn('up{job="x"} == 0 or not_a_listed_metric')).toEqual(['not_a_listed_metric', 'up']);
  });

  it.each(views.map((v) => [v.cluster.name, v] as const))('in %s use only metrics listed with their upstream source, and say which', (_name, view) => {
    for (const group of clusterAlerts(view)) {
      for (const alert of group.alerts) {
        const used = metricNamesIn(alert.expr);
        for (const m of used) expect(Object.keys(METRICS), `${alert.name}: ${m}`).toContain(m);
        expect(used, alert.name).toEqual([...alert.metrics].sort());
      }
    }
    for (const [name, source] of Object.entries(METRICS)) expect(source.source.length, name).toBeGreaterThan(10);
  });

  it('take their thresholds from the model', () => {
    const ops = topology.environments.find((e) => e.name === 'ops')!;
    const byName = new Map(clusterAlerts(clusterView(ops, 'opsb')).flatMap((g) => g.alerts.map((a) => [a.name, a] as const)));
    // 4 clusters x 1 Vault voter, 4 x 3 CockroachDB nodes, 3 remote clusters for Submariner
    expect(byName.get('MeridianVaultRaftPeersMissing')!.expr).toMatch(/< 4$/);
    expect(byName.get('MeridianVaultMembersMissing')!.expr).toMatch(/< 1$/);
    expect(byName.get('MeridianVaultLeadershipChurn')!.expr).toMatch(/> 1$/);
    expect(byName.get('MeridianCockroachDbNodesNotLive')!.expr).toMatch(/< 12$/);
    expect(byName.get('MeridianSubmarinerConnectionDown')!.expr).toMatch(/< 3$/);
    expect(byName.get('MeridianCockroachDbClockOffset')!.expr).toMatch(/> 200000000$/);
  });
});

describe('monitoring objects', () => {
  const ops = synthFixture('operate');
  const minimal = synthFixture('minimal');

  it('exist only with monitoring: prometheus-operator', () => {
    expect(ops.objects.some((o) => o.manifest.kind === 'PrometheusRule')).toBe(true);
    expect(minimal.objects.some((o) => ['PrometheusRule', 'PodMonitor', 'ServiceMonitor'].includes(o.manifest.kind))).toBe(false);
  });

  it('scrape Vault over TLS with the telemetry its configuration turns on', () => {
    const monitor = objectsOf(ops, 'opsa', 'PodMonitor').find((m) => m.metadata.name === 'vault');
    expect(monitor.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'https', path: '/v1/sys/metrics', params: { format: ['prometheus'] }, scheme: 'https' });
    const config = JSON.parse(objectsOf(ops, 'opsa', 'ConfigMap').find((c) => c.metadata.namespace === 'vault').data['vault.json']);
    expect(config.telemetry).toEqual({ prometheus_retention_time: '24h', disable_hostname: true });
    expect(config.listener[0].tcp.telemetry).toEqual({ unauthenticated_metrics_access: true });
    // without monitoring, Vault's configuration has no telemetry
    const vault = topology.environments.find((e) => e.name === 'ops')!.vault!;
    const off = vaultServerConfig(vault);
    expect(off.telemetry).toBeUndefined();
    expect(off.listener[0]!.tcp.telemetry).toBeUndefined();
  });

  it("admit exactly the platform's Prometheus to every scraped store port through a NetworkPolicy", () => {
    for (const folder of ['opsa', 'opsd']) {
      const env = topology.environments.find((e) => e.clusters.some((c) => c.name === folder))!;
      const prometheus = clusterView(env, folder).platform.prometheusNamespaces;
      expect(prometheus).toEqual(env.clusters.find((c) => c.name === folder)!.platform === 'openshift' ? ['openshift-user-workload-monitoring'] : ['monitoring']);
      // the default environment runs OpenShift: user-workload monitoring scrapes there
      const prod = topology.environments.find((e) => e.name === 'prod')!;
      expect(clusterView(prod, 'cluster1').platform.prometheusNamespaces).toEqual(['openshift-user-workload-monitoring']);
      const policies = objectsOf(ops, folder, 'NetworkPolicy');
      for (const monitor of objectsOf(ops, folder, 'PodMonitor').filter((m) => m.metadata.namespace !== 'cert-manager')) {
        const pods = objectsOf(ops, folder, 'StatefulSet').find((s) => s.metadata.namespace === monitor.metadata.namespace);
        const port = pods.spec.template.spec.containers[0].ports.find((p: any) => p.name === monitor.spec.podMetricsEndpoints[0].port).containerPort;
        const admits = policies.some(
          (p) =>
            p.metadata.namespace === monitor.metadata.namespace &&
            (p.spec.ingress ?? []).some((r: any) => (r.ports ?? []).some((x: any) => x.port === port) && (r.from ?? []).some((f: any) => JSON.stringify(f.namespaceSelector?.matchExpressions?.[0]?.values) === JSON.stringify(prometheus))),
        );
        expect(admits, `${folder} ${monitor.metadata.name} port ${port}`).toBe(true);
      }
    }
  });

  it('name a runbook entry that the report has, and carry environment and cluster for routing', () => {
    const markdown = reportMarkdown(buildReport(topology.environments.find((e) => e.name === 'ops')!));
    for (const rule of objectsOf(ops, 'opsc', 'PrometheusRule')) {
      for (const r of rule.spec.groups[0].rules) {
        expect(markdown).toContain(`### ${r.alert}\n`);
        expect(r.annotations.runbook).toBe(`meridian report --env ops: Alert responses, ${r.alert}`);
        expect(r.labels).toMatchObject({ 'meridian.dev/environment': 'ops', 'meridian.dev/cluster': 'opsc' });
      }
    }
  });
});

describe('monitoring constructs', () => {
  it('PodMonitor scrapes a named or numbered port, over TLS when given a CA', () => {
    const c = chart();
    new PodMonitor(c, 'a', { name: 'a', namespace: 'ns', podLabels: { app: 'a' }, port: 'http', path: '/m', tls: { caSecret: 's', caKey: 'ca.crt', serverName: 'a.ns.svc' } });
    new PodMonitor(c, 'b', { name: 'b', namespace: 'ns', podLabels: { app: 'b' }, port: 9402, path: '/metrics', honorLabels: true });
    const [a, b] = synthValid(c);
    expect(a.spec.podMetricsEndpoints[0]).toEqual({ port: 'http', path: '/m', scheme: 'https', tlsConfig: { ca: { secret: { name: 's', key: 'ca.crt' } }, serverName: 'a.ns.svc' } });
    expect(b.spec.podMetricsEndpoints[0]).toEqual({ portNumber: 9402, path: '/metrics', honorLabels: true, scheme: 'http' });
    expect(a.spec.namespaceSelector).toEqual({ matchNames: ['ns'] });
  });

  it('PrometheusRule carries severity, routing labels and the runbook, and refuses an empty group', () => {
    const c = chart();
    new PrometheusRule(c, 'r', { name: 'r', namespace: 'ns', group: 'g', alertLabels: { env: 'e' }, alerts: [{ name: 'A', expr: 'up == 0', for: '5m', severity: 'critical', summary: 's', runbook: 'rb', response: 'do' }] });
    const [rule] = synthValid(c);
    expect(rule.spec.groups[0].rules[0]).toEqual({ alert: 'A', expr: 'up == 0', for: '5m', labels: { env: 'e', severity: 'critical' }, annotations: { summary: 's', runbook: 'rb', response: 'do' } });
    expect(() => new PrometheusRule(chart(), 'x', { name: 'x', namespace: 'ns', group: 'g', alertLabels: {}, alerts: [] })).toThrow(/at least one alert/);
  });

  it('ScrapeNetworkPolicy opens one port to the Prometheus namespaces only', () => {
    const c = chart();
    new ScrapeNetworkPolicy(c, 'p', { name: 'p', namespace: 'ns', podLabels: { app: 'a' }, port: 8080, prometheusNamespaces: ['monitoring', 'monitoring'] });
    const [p] = synthValid(c);
    expect(p.spec).toEqual({
      podSelector: { matchLabels: { app: 'a' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring'] }] } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
  });
});
