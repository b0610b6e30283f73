import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as mon from '../../imports/monitoring.coreos.com';

export interface PodMonitorProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods to scrape (in this namespace only). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Name of the container port that serves the metrics, or its number where upstream charts do not name it consistently. */
  readonly port: string | number;
  readonly path: string;
  readonly params?: Readonly<Record<string, readonly string[]>>;
  /**
   * Keep the target's own `namespace`/`name` labels instead of renaming them `exported_*`: for
   * exporters that report about objects of other namespaces (cert-manager's Certificates).
   */
  readonly honorLabels?: boolean;
  /**
   * Scrape over TLS, verifying the server against this CA (Secret in this namespace) and name. Absent:
   * plain HTTP.
   */
  readonly tls?: { readonly caSecret: string; readonly caKey: string; readonly serverName: string };
}

/**
 * A Prometheus Operator PodMonitor (monitoring.coreos.com/v1, pinned CRD v0.93.0) that scrapes the
 * named port of the selected pods of its own namespace. A PodMonitor needs no Service port for the
 * metrics, so the stores' Services stay as they are.
 */
export class PodMonitor extends Construct {
  public constructor(scope: Construct, id: string, props: PodMonitorProps) {
    super(scope, id);
    new mon.PodMonitor(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        selector: { matchLabels: { ...props.podLabels } },
        namespaceSelector: { matchNames: [props.namespace] },
        podMetricsEndpoints: [
          {
            ...(typeof props.port === 'number' ? { portNumber: props.port } : { port: props.port }),
            path: props.path,
            ...(props.honorLabels ? { honorLabels: true } : {}),
            ...(props.params ? { params: Object.fromEntries(Object.entries(props.params).map(([k, v]) => [k, [...v]])) } : {}),
            ...(props.tls
              ? {
                  scheme: mon.PodMonitorSpecPodMetricsEndpointsScheme.HTTPS,
                  tlsConfig: { ca: { secret: { name: props.tls.caSecret, key: props.tls.caKey } }, serverName: props.tls.serverName },
                }
              : { scheme: mon.PodMonitorSpecPodMetricsEndpointsScheme.HTTP }),
          },
        ],
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
