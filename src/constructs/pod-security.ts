import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { DnsEgress, PodSecurity } from '../lib/platform';

const k8s = kplus.k8s;

/**
 * The pod-level securityContext of the Pod Security "restricted" profile, with fixed IDs only where
 * the platform profile asks for them (on OpenShift restricted-v2 assigns them from the namespace range).
 */
export function podSecurityContext(security: PodSecurity, extra: Partial<kplus.k8s.PodSecurityContext> = {}): kplus.k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    ...(security.ids ? { runAsUser: security.ids.runAsUser, runAsGroup: security.ids.runAsGroup, fsGroup: security.ids.fsGroup } : {}),
    ...extra,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export interface SccGrantProps {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly scc: string;
}

/**
 * Lets exactly one ServiceAccount's pods be admitted under one SCC: a Role with `use` on that SCC by
 * name and a RoleBinding to that ServiceAccount only (OpenShift docs, "Managing security context
 * constraints": "verbs: use, resources: securitycontextconstraints, resourceNames: [<scc>]"). A Role,
 * not a ClusterRole: the grant holds in this namespace only.
 */
export class SccGrant extends Construct {
  public constructor(scope: Construct, id: string, props: SccGrantProps) {
    super(scope, id);
    const name = `${props.serviceAccount}-scc-${props.scc}`;
    new k8s.KubeRole(this, 'Role', {
      metadata: { name, namespace: props.namespace },
      rules: [{ apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: [props.scc], verbs: ['use'] }],
    });
    new k8s.KubeRoleBinding(this, 'Binding', {
      metadata: { name, namespace: props.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: props.serviceAccount, namespace: props.namespace }],
    });
  }
}

/** The egress rule that lets pods resolve names on their platform (UDP and TCP on every DNS port). */
export function dnsEgressRule(dns: DnsEgress): kplus.k8s.NetworkPolicyEgressRule {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } },
        ...(dns.podLabels ? { podSelector: { matchLabels: { ...dns.podLabels } } } : {}),
      },
    ],
    ports: dns.ports.flatMap((port) => ['UDP', 'TCP'].map((protocol) => ({ protocol, port: k8s.IntOrString.fromNumber(port) }))),
  };
}
