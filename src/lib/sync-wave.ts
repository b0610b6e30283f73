// Argo CD applies a wave, waits until it is synced and Healthy, then moves on (REFERENCE §5.2).
// Every object gets a wave from its kind unless a construct sets one explicitly.
import { VAULT_ISSUER } from './names';

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

/** The wave of a kind; kinds not listed (routes, mesh, GSLB) go last. */
export function waveOf(kind: string): Wave {
  return BY_KIND[kind] ?? Wave.ROUTES;
}

/** vault-config-operator kinds: Vault's own configuration, applied by an operator once Vault runs. */
const VAULT_CONFIG_KINDS: readonly string[] = [
  'AuthEngineMount',
  'KubernetesAuthEngineConfig',
  'KubernetesAuthEngineRole',
  'SecretEngineMount',
  'PKISecretEngineConfig',
  'PKISecretEngineRole',
  'Policy',
];

interface WaveSubject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly issuerRef?: { readonly name?: string; readonly kind?: string } };
}

/**
 * The wave of one object. Its kind decides, except for whatever depends on Vault having been
 * initialized: the vault-issuer ClusterIssuer only turns Ready after the one-time `vault operator
 * init` and bootstrap, and the certificates it issues only after that. Placed in the wave of their
 * kind (issuers, certificates) they would hold back the Vault StatefulSet forever; they go to the
 * workloads wave instead, together with Vault and with the vault-config-operator CRs that configure it
 * (those carry no Argo CD health, so they never block). Everything that waits for the runbook then
 * waits in one wave, after Vault is running.
 */
export function waveOfObject(obj: WaveSubject): Wave {
  if (obj.kind === 'ClusterIssuer' && obj.metadata?.name === VAULT_ISSUER) return Wave.WORKLOADS;
  if (obj.kind === 'Certificate' && obj.spec?.issuerRef?.name === VAULT_ISSUER && obj.spec.issuerRef.kind === 'ClusterIssuer') return Wave.WORKLOADS;
  if (obj.apiVersion?.startsWith('redhatcop.redhat.io/') && VAULT_CONFIG_KINDS.includes(obj.kind)) return Wave.WORKLOADS;
  return waveOf(obj.kind);
}
