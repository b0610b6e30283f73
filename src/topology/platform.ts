// Everything that differs between OpenShift 4 and plain Kubernetes, decided in this one place from
// `clusters[].platform` (DESIGN §2) and carried to the charts through the cluster view. No cdk8s here.
import type { DnsEgress, Platform, PodSecurity } from '../lib/platform';
import type { Cluster } from './types';

export type { DnsEgress, PodIds, PodSecurity } from '../lib/platform';

/** How `<service>.<ingressDomain>` reaches the mesh gateway. */
export type PerClusterHostExposure =
  /** The installer's `*.apps` wildcard points at the OpenShift router: a passthrough Route per host to the gateway Service. */
  | 'route'
  /** The ingressDomain is a zone that resolves to the gateway's LoadBalancer Service (an own wildcard record). */
  | 'load-balancer';

export interface PlatformProfile {
  readonly platform: Platform;
  readonly dns: DnsEgress;
  readonly perClusterHosts: PerClusterHostExposure;
  readonly vaultConfigOperatorNamespace: string;
  /**
   * Where the Prometheus that reads meridian's PodMonitors runs, so the stores' scrape policies admit
   * it and nothing else. OpenShift: user-workload monitoring in `openshift-user-workload-monitoring`
   * reads the monitors of user namespaces (the platform Prometheus in `openshift-monitoring` scrapes
   * only openshift-* namespaces). Kubernetes: kube-prometheus installs it in `monitoring`.
   */
  readonly prometheusNamespaces: readonly string[];
}

/** The SCC that admits any non-root UID with fixed groups, and nothing else beyond restricted-v2. */
export const NONROOT_SCC = 'nonroot-v2';

/** Where operators land by default on each platform (REFERENCE §9.1: OLM "all namespaces" installs go to openshift-operators). */
export function defaultOperatorNamespaces(platform: Platform): { readonly vaultConfigOperator: string } {
  return { vaultConfigOperator: platform === 'openshift' ? 'openshift-operators' : 'vault-config-operator' };
}

// DNS, per platform.
// - OpenShift: Service openshift-dns/dns-default maps 53 to the CoreDNS pods' named ports `dns` and
//   `dns-tcp` (openshift/cluster-dns-operator assets/dns/service.yaml: `port: 53, targetPort: dns`,
//   the DaemonSet listens on 5353; its pods carry `dns.operator.openshift.io/daemonset-dns: default`,
//   the DaemonSet selector the operator writes in openshift-dns), and OVN-Kubernetes evaluates
//   NetworkPolicy after the Service translation (REFERENCE §9.1): the policy must admit 5353; 53
//   stays admitted as well (REFERENCE §9.1).
// - Kubernetes: CoreDNS pods in kube-system carry `k8s-app: kube-dns` (the label kubeadm, EKS, GKE
//   and AKS keep for compatibility) and listen on 53.
const DNS: Record<Platform, DnsEgress> = {
  openshift: { namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [53, 5353] },
  kubernetes: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53] },
};

export function platformProfile(cluster: Pick<Cluster, 'platform' | 'vaultConfigOperatorNamespace'>): PlatformProfile {
  return {
    platform: cluster.platform,
    dns: DNS[cluster.platform],
    perClusterHosts: cluster.platform === 'openshift' ? 'route' : 'load-balancer',
    vaultConfigOperatorNamespace: cluster.vaultConfigOperatorNamespace,
    prometheusNamespaces: cluster.platform === 'openshift' ? ['openshift-user-workload-monitoring'] : ['monitoring'],
  };
}

/**
 * Vault (hashicorp/vault image): its `vault` user is uid 100 in group 1000, and the only writable
 * paths meridian gives it are the data volume and an emptyDir (the root filesystem is read-only),
 * so it needs no particular uid: any uid in the volume's fsGroup can write them. The Vault Helm chart
 * sets runAsUser 100 / runAsGroup 1000 / fsGroup 1000 unless `global.openshift` is true, and then
 * leaves them to the SCC (hashicorp/vault-helm templates/_helpers.tpl, "securityContext.pod":
 * `else if not .Values.global.openshift`). So: fixed IDs on Kubernetes, none on OpenShift.
 */
export function vaultPodSecurity(platform: Platform): PodSecurity {
  return platform === 'openshift' ? {} : { ids: { runAsUser: 100, runAsGroup: 1000, fsGroup: 1000 } };
}

/**
 * CockroachDB (cockroachdb/cockroach image, which runs as root unless told otherwise) truly needs
 * fixed groups: it accepts a group-readable key file only when the file is owned by root and by the
 * process's own group (cockroachdb/cockroach pkg/security/certificate_loader.go checkFilePermissions:
 * `IsOwnedByUID(0) && IsOwnedByGID(processGID)`, max 0740), and the kubelet gives projected Secret
 * files the pod's fsGroup. So runAsGroup must equal fsGroup. restricted-v2 assigns fsGroup from the
 * namespace range but leaves the process group at 0, which fails that check; the IDs are therefore
 * fixed on every platform, and on OpenShift the ServiceAccount is granted nonroot-v2 (any non-root
 * uid, fsGroup RunAsAny, ALL capabilities dropped, seccomp runtime/default; OpenShift docs "Managing
 * security context constraints"), the least privileged SCC that admits them.
 */
export function cockroachPodSecurity(platform: Platform): PodSecurity {
  const ids = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 };
  return platform === 'openshift' ? { ids, scc: NONROOT_SCC } : { ids };
}
