// Names that more than one component refers to, defined once so every reference agrees
// (a Gateway's Service named by the GSLB, the issuer named by every Certificate, clusterset hosts).

/** What a name is derived from: a service (or anything with its name). Structural, so lib needs nothing from the topology. */
interface Named {
  readonly name: string;
}

/** Lighthouse name of an exported Service, resolvable from every cluster of the cluster set. */
export function clustersetHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.clusterset.local`;
}

/** The shared ingress of each cluster: one Istio-managed Gateway serving every global hostname. */
export const INGRESS = {
  namespace: 'meridian-ingress',
  gateway: 'meridian-gateway',
  gatewayClassName: 'istio',
  /** Istio provisions the gateway's LoadBalancer Service as `<gateway>-<gatewayClassName>` (REFERENCE §3.1). */
  loadBalancerService: 'meridian-gateway-istio',
} as const;

/** Cluster-specific URL host of a global service on a cluster that has an `ingressDomain` (DESIGN §3, seed 001). */
export function clusterHostname(service: Named, ingressDomain: string): string {
  return `${service.name}.${ingressDomain}`;
}

/** Secret (in the ingress namespace) holding the Gateway certificate of a global service. */
export function gatewayCertificateSecret(service: Named): string {
  return `${service.name}-gateway-tls`;
}

/** ClusterIssuer signing through Vault's PKI (`<vaultPKIPath>/sign/<vaultRole>`). */
export const VAULT_ISSUER = 'vault-issuer';
/** The CA issuer backed by the out-of-band root CA Secret (`pki.rootCASecret`): a ClusterIssuer without stores, else a namespaced Issuer of this name (src/topology/pki.ts, rootCaPlacement). */
export const BOOTSTRAP_ISSUER = 'meridian-root-ca';

/** Vault's client Service (port 8200) in the Vault namespace, used by every cluster locally. */
export const VAULT_SERVICE = 'vault';

/** Secret (in the service's namespace) with the client certificate a service uses towards Vault. */
export function vaultClientCertificateSecret(service: Named): string {
  return `${service.name}-vault-client-tls`;
}

/** CockroachDB's ClusterIP Service for SQL clients in each cluster. */
export const COCKROACHDB_PUBLIC_SERVICE = 'cockroachdb-public';

/** Secret (in the service's namespace) with the client certificate of the service's own SQL user. */
export function cockroachClientCertificateSecret(service: Named): string {
  return `${service.name}-cockroachdb-client-tls`;
}

/** The SQL user a service connects as (CockroachDB user names take no '-'). */
export function sqlUser(service: Named): string {
  return service.name.replace(/-/g, '_');
}

/** Port of Vault's API on its client Service. */
export const VAULT_PORT = 8200;

/** CockroachDB's SQL port on its public Service. */
export const COCKROACHDB_SQL_PORT = 26257;

/**
 * cert-manager as installed by its chart or operator: the controller's ServiceAccount, and the cluster
 * resource namespace where a ClusterIssuer reads every Secret it references (CA key pair, CA bundle)
 * and where the ServiceAccounts named by its `serviceAccountRef` live.
 */
export const CERT_MANAGER = { namespace: 'cert-manager', serviceAccount: 'cert-manager' } as const;

/** The vault-config-operator (redhat-cop) as installed from OperatorHub; it reconciles the Vault configuration CRs. */
export const VAULT_CONFIG_OPERATOR = { namespace: 'vault-config-operator' } as const;

/** Reloader (stakater) rolls a workload when one of the Secrets listed here changes, e.g. a renewed certificate. */
export const RELOAD_ON_SECRETS_ANNOTATION = 'secret.reloader.stakater.com/reload';
/** Reloader: roll the workload when one of these ConfigMaps changes. */
export const RELOAD_ON_CONFIGMAPS_ANNOTATION = 'configmap.reloader.stakater.com/reload';
