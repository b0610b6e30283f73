// Platform facts that both the topology (which decides them from clusters[].platform) and the
// constructs (which render them) speak of. Plain data, no decisions: those are in src/topology/platform.ts.

/** The platform a cluster runs: its pod security admission, DNS and ingress differ. */
export type Platform = 'openshift' | 'kubernetes';

/** Fixed pod identity: user, primary group and the group volumes are given. */
export interface PodIds {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
}

/** How a workload's pods are admitted on its cluster's platform. */
export interface PodSecurity {
  /** Fixed IDs, or absent when the platform assigns them (OpenShift restricted-v2 from the namespace range). */
  readonly ids?: PodIds;
  /**
   * The SCC the workload's ServiceAccount must be granted `use` of (a Role on
   * security.openshift.io/securitycontextconstraints with resourceNames [scc], bound to exactly that
   * ServiceAccount); absent when the default restricted-v2 admits the pods, and always on Kubernetes.
   */
  readonly scc?: string;
}

/** Where the cluster's DNS answers, as a NetworkPolicy egress peer and the ports to admit. */
export interface DnsEgress {
  readonly namespace: string;
  /** Labels of the DNS pods in that namespace; absent: every pod of the namespace. */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Ports after Service translation (what policy is evaluated on) and before it, UDP and TCP each. */
  readonly ports: readonly number[];
}

/** The port of the shared Gateway's HTTPS listeners (and of the Service in front of them). */
export const GATEWAY_HTTPS_PORT = 443;
