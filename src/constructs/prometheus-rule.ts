import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as mon from '../../imports/monitoring.coreos.com';

export interface AlertRule {
  readonly name: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  /** Where the response is written down (the report's alert entry). */
  readonly runbook: string;
  /** The response itself, so that the notification carries it. */
  readonly response: string;
}

export interface PrometheusRuleProps {
  readonly name: string;
  readonly namespace: string;
  /** Rule group name (unique per Prometheus). */
  readonly group: string;
  /** Labels every alert carries (environment, cluster), for routing. */
  readonly alertLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly AlertRule[];
}

/**
 * Alerting rules as a Prometheus Operator PrometheusRule (monitoring.coreos.com/v1, pinned CRD
 * v0.93.0). Each alert carries its severity, the environment's routing labels, and in its annotations
 * the summary, the runbook entry and the response.
 */
export class PrometheusRule extends Construct {
  public constructor(scope: Construct, id: string, props: PrometheusRuleProps) {
    super(scope, id);
    if (props.alerts.length === 0) throw new Error(`${props.name}: a PrometheusRule needs at least one alert`);
    new mon.PrometheusRule(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        groups: [
          {
            name: props.group,
            rules: props.alerts.map((a) => ({
              alert: a.name,
              expr: mon.PrometheusRuleSpecGroupsRulesExpr.fromString(a.expr),
              for: a.for,
              labels: { ...props.alertLabels, severity: a.severity },
              annotations: { summary: a.summary, runbook: a.runbook, response: a.response },
            })),
          },
        ],
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
