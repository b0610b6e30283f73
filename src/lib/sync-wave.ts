// Argo CD applies a wave, waits until it is synced and Healthy, then moves on (REFERENCE §5.2).
// Every object gets a wave from its kind unless a construct sets one explicitly.
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export enum Wave {
  /** Namespaces first: everything else lives in them. */
  NAMESPACES = -3,
  /** ServiceAccounts and RBAC: issuer authentication needs them. */
  RBAC = -2,
  /** Issuers and ClusterIssuers (Argo CD waits for Ready). */
  ISSUERS = -1,
  /** Certificates: workloads mount their Secrets. */
  CERTIFICATES = 0,
  /** Services, exports, config, policies: peers need clusterset DNS before the pods start. */
  SERVICES = 1,
  /** StatefulSets, Deployments and the init Job (same wave: a later one would deadlock). */
  WORKLOADS = 2,
  /** Routes, mesh entries and global DNS: only once backends exist. */
  ROUTES = 3,
}

const BY_KIND: Readonly<Record<string, Wave>> = {
  Namespace: Wave.NAMESPACES,
  ServiceAccount: Wave.RBAC,
  Role: Wave.RBAC,
  RoleBinding: Wave.RBAC,
  ClusterRole: Wave.RBAC,
  ClusterRoleBinding: Wave.RBAC,
  Issuer: Wave.ISSUERS,
  ClusterIssuer: Wave.ISSUERS,
  Certificate: Wave.CERTIFICATES,
  Service: Wave.SERVICES,
  ServiceExport: Wave.SERVICES,
  ConfigMap: Wave.SERVICES,
  NetworkPolicy: Wave.SERVICES,
  PodDisruptionBudget: Wave.SERVICES,
  PeerAuthentication: Wave.SERVICES,
  StatefulSet: Wave.WORKLOADS,
  Deployment: Wave.WORKLOADS,
  Job: Wave.WORKLOADS,
  HorizontalPodAutoscaler: Wave.WORKLOADS,
};

/** The wave of a kind; kinds not listed (routes, mesh, GSLB, operator config) go last. */
export function waveOf(kind: string): Wave {
  return BY_KIND[kind] ?? Wave.ROUTES;
}
