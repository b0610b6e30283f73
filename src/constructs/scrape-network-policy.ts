import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

const k8s = kplus.k8s;

export interface ScrapeNetworkPolicyProps {
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  /** The metrics port of the selected pods. */
  readonly port: number;
  /** Namespaces a Prometheus scrapes from. */
  readonly prometheusNamespaces: readonly string[];
}

/**
 * Admits Prometheus to the metrics port of pods in a namespace that denies ingress by default (the
 * stores'). NetworkPolicies add up: this one opens exactly that port, from exactly those namespaces.
 */
export class ScrapeNetworkPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: ScrapeNetworkPolicyProps) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...props.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...new Set(props.prometheusNamespaces)].sort() }] } }],
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(props.port) }],
          },
        ],
      },
    });
  }
}
