import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { NetworkPolicyPlan, PolicyPeer, PolicyRule } from '../lib/network-policy';

const k8s = kplus.k8s;

/** The label every namespace carries with its own name (kubernetes.io, "Well-Known Labels": kubernetes.io/metadata.name). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface DefaultDenyNetworkPolicyProps {
  readonly namespace: string;
  /**
   * Name of the policy.
   * @default 'default-deny'
   */
  readonly name?: string;
}

/**
 * Isolates every pod of a namespace in both directions: with no rules, nothing is admitted until an
 * allow policy says so (NetworkPolicies add up; kubernetes.io "Network Policies", "Default deny all
 * ingress and all egress traffic").
 */
export class DefaultDenyNetworkPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: DefaultDenyNetworkPolicyProps) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name ?? 'default-deny', namespace: props.namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}

function peer(p: PolicyPeer): kplus.k8s.NetworkPolicyPeer {
  if ('cidr' in p) return { ipBlock: { cidr: p.cidr, ...(p.except && p.except.length > 0 ? { except: [...p.except] } : {}) } };
  // podSelector {} with the namespaceSelector also matches host-network pods (OpenShift docs, "About
  // network policy": without it "will not include hostNetwork pods"), e.g. a host-network router.
  if ('namespaceLabels' in p) return { namespaceSelector: { matchLabels: { ...p.namespaceLabels } }, podSelector: {} };
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } },
    ...(p.podLabels ? { podSelector: { matchLabels: { ...p.podLabels } } } : {}),
  };
}

function ports(r: PolicyRule): kplus.k8s.NetworkPolicyPort[] {
  return r.ports.map((p) => ({ protocol: p.protocol, port: k8s.IntOrString.fromNumber(p.port) }));
}

/**
 * One allow policy as planned: it selects the pods and, per direction it lists, isolates them and
 * admits exactly its rules. A rule with no peers admits any peer on its ports.
 */
export class AllowNetworkPolicy extends Construct {
  public constructor(scope: Construct, id: string, plan: NetworkPolicyPlan) {
    super(scope, id);
    const types = [...(plan.ingress ? ['Ingress'] : []), ...(plan.egress ? ['Egress'] : [])];
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: plan.name, namespace: plan.namespace },
      spec: {
        podSelector: Object.keys(plan.podLabels).length > 0 ? { matchLabels: { ...plan.podLabels } } : {},
        policyTypes: types,
        ...(plan.ingress ? { ingress: plan.ingress.map((r) => ({ ...(r.peers.length > 0 ? { from: r.peers.map(peer) } : {}), ports: ports(r) })) } : {}),
        ...(plan.egress ? { egress: plan.egress.map((r) => ({ ...(r.peers.length > 0 ? { to: r.peers.map(peer) } : {}), ports: ports(r) })) } : {}),
      },
    });
  }
}
