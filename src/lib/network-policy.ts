// The shape of a NetworkPolicy as meridian plans it (topology/network-policy.ts) and renders it
// (constructs/allow-network-policy.ts): peers by namespace and pod labels, namespace labels, or
// address blocks; ports with their protocol. Shared by both layers, so neither imports the other.

export type PolicyPeer =
  /** Pods of a namespace (all of them without podLabels). */
  | { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> }
  /** Pods of every namespace carrying these labels. */
  | { readonly namespaceLabels: Readonly<Record<string, string>> }
  /** Addresses: other clusters' networks, or the internet minus this cluster's own networks. */
  | { readonly cidr: string; readonly except?: readonly string[] };

export interface PolicyPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface PolicyRule {
  /** Empty: any peer. */
  readonly peers: readonly PolicyPeer[];
  readonly ports: readonly PolicyPort[];
}

export interface NetworkPolicyPlan {
  readonly name: string;
  readonly namespace: string;
  /** Pods the policy selects; empty: every pod of the namespace. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Present: the policy isolates the pods in that direction and admits exactly these rules. */
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}

