// Trust facts derived from the model (REFERENCE §1.4, §4): the per-cluster Kubernetes auth mount
// cert-manager logs in through, the PKI role's allowed names, the Vault policies (typed objects in
// Vault's JSON policy syntax), and the certificates every TLS endpoint of a cluster needs. No cdk8s here.
import { CERT_MANAGER, COCKROACHDB_PUBLIC_SERVICE, VAULT_ISSUER, gatewayCertificateSecret, sqlUser, vaultClientCertificateSecret } from '../lib/names';
import type { Environment, Pki, Service } from './types';
import type { ClusterView } from './view';

/** Vault role of each cluster's auth mount that cert-manager's vault-issuer ServiceAccount logs in as. */
export const CERT_MANAGER_AUTH_ROLE = 'cert-manager';
/** Vault policy granting signing at `<vaultPKIPath>/sign/<vaultRole>`. */
export const CERT_MANAGER_POLICY = 'cert-manager';
/** Policy of the Vault snapshot CronJobs (src/topology/backup.ts): read sys/storage/raft/snapshot only. */
export const VAULT_SNAPSHOT_POLICY = 'vault-snapshot';

/**
 * How the vault-config-operator logs in to Vault to apply the configuration CRs: a ServiceAccount in
 * the Vault namespace, a role of the cluster's auth mount bound to it (created by the bootstrap
 * runbook, since nothing can log in before it exists), and a client certificate whose Secret also
 * carries the CA that Vault's server certificate chains to.
 */
export const VAULT_CONFIG_IDENTITY = {
  serviceAccount: 'vault-config-operator',
  role: 'vault-config-operator',
  tlsSecret: 'vault-config-operator-tls',
} as const;

/** The auth mount of one cluster: `<authMountPrefix><cluster>` (one per cluster, REFERENCE §1.4). */
export function authMount(pki: Pick<Pki, 'authMountPrefix'>, cluster: string): string {
  return `${pki.authMountPrefix}${cluster}`;
}

/** cert-manager's `auth.kubernetes.mountPath` for that mount. */
export function authMountPath(pki: Pick<Pki, 'authMountPrefix'>, cluster: string): string {
  return `/v1/auth/${authMount(pki, cluster)}`;
}

/** The PKI endpoint cert-manager signs at (the sign endpoint, REFERENCE §4.1). */
export function pkiSignPath(pki: Pick<Pki, 'vaultPKIPath' | 'vaultRole'>): string {
  return `${pki.vaultPKIPath}/sign/${pki.vaultRole}`;
}

/** The JWT audience cert-manager puts in the tokens it requests for a ClusterIssuer (`vault://<name>`). */
export function clusterIssuerAudience(issuer: string): string {
  return `vault://${issuer}`;
}

/**
 * How a service that `uses: [vault]` logs in: Kubernetes auth on its cluster's mount, as a role named
 * after the service and bound to exactly the service's ServiceAccount (named like the service) and
 * namespace, with a projected ServiceAccount token of an explicit audience and a short lifetime. The
 * role's `audience` makes Vault reject any other token of that ServiceAccount (Vault API docs, auth
 * kubernetes, `audience`: "Audience claim to verify in the JWT",
 * https://developer.hashicorp.com/vault/api-docs/auth/kubernetes; vault-config-operator CRD
 * KubernetesAuthEngineRole spec.audience, ../shared/crds/vault-config-operator).
 */
export const SERVICE_VAULT_LOGIN = {
  /** The `aud` of the projected token and the role's `audience`. */
  audience: 'vault',
  /** The kubelet's minimum for a projected token (600 s); it rotates the file before expiry. */
  tokenExpirationSeconds: 600,
  volume: 'vault-token',
  mountPath: '/var/run/secrets/vault',
  tokenFile: 'token',
  /** Lifetime of the Vault token a login hands out. */
  vaultTokenTtlSeconds: 3600,
} as const;

/** Role name of a service on every cluster's auth mount, and the name of its vault-config-operator object. */
export function serviceVaultRole(service: Pick<Service, 'name'>): string {
  return `service-${service.name}`;
}

/** Policy of a service that uses Vault (written once, by the bootstrap cluster's operator). */
export function serviceVaultPolicyName(service: Pick<Service, 'name'>): string {
  return `service-${service.name}`;
}

/**
 * What a service may do in Vault: read its own secrets in the KV v2 engine at `secret/` under
 * `<env>/<service>/` (data) and list their names (metadata), nothing else. The KV engine itself is
 * not written by meridian (it holds the secrets nobody commits).
 */
export function serviceVaultPolicy(env: Pick<Environment, 'name'>, service: Pick<Service, 'name'>): VaultPolicy {
  const own = `${env.name}/${service.name}`;
  return {
    path: {
      [`secret/data/${own}/*`]: { capabilities: ['read'] },
      [`secret/metadata/${own}/*`]: { capabilities: ['list', 'read'] },
    },
  };
}

/** Services of the environment that use Vault, sorted by name. */
export function vaultServices<S extends Pick<Service, 'name' | 'usesStores'>>(env: { readonly services: readonly S[]; readonly vault?: unknown }): S[] {
  if (!env.vault) return [];
  return env.services.filter((s) => s.usesStores.includes('vault')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Vault's per-cluster policy for the vault-config-operator of that cluster. */
export function configOperatorPolicyName(cluster: string): string {
  return `vault-config-operator-${cluster}`;
}

/**
 * Domains the PKI role signs for (with subdomains and the bare names): Kubernetes service names in
 * all three suffixes, the global domain, every cluster's ingress domain, vanity hostnames outside the
 * global domain, and what CockroachDB certificates carry besides: the bare common names `node`, `root`
 * and the SQL user of every service that uses it, and the short names of its Services
 * (`cockroachdb-public`, `<svc>.<namespace>`, `*.<headless>.<namespace>`). Sorted.
 */
export function pkiAllowedDomains(env: Pick<Environment, 'globalDomain' | 'clusters' | 'services' | 'cockroachdb'>): string[] {
  const under = (host: string, domain: string): boolean => host === domain || host.endsWith(`.${domain}`);
  const ingressDomains = env.clusters.flatMap((c) => (c.ingressDomain ? [c.ingressDomain] : []));
  const vanity = env.services
    .flatMap((s) => (s.hostname ? [s.hostname] : []))
    .filter((h) => !under(h, env.globalDomain) && !ingressDomains.some((d) => under(h, d)));
  const sqlUsers = env.services.filter((s) => s.usesStores.includes('cockroachdb')).map((s) => sqlUser(s));
  const crdb = env.cockroachdb;
  const cockroachNames = crdb ? ['node', 'root', crdb.namespace, crdb.headlessService, COCKROACHDB_PUBLIC_SERVICE, ...sqlUsers] : [];
  return unique(['svc', 'svc.cluster.local', 'svc.clusterset.local', env.globalDomain, ...ingressDomains, ...vanity, ...cockroachNames]);
}

/** A Vault ACL policy in its JSON form: capabilities per path. */
export interface VaultPolicy {
  readonly path: Readonly<Record<string, { readonly capabilities: readonly string[] }>>;
}

export function renderVaultPolicy(policy: VaultPolicy): string {
  return JSON.stringify(policy, null, 2);
}

/** cert-manager may only sign through the role (`sign` is an update). */
export function certManagerPolicy(pki: Pick<Pki, 'vaultPKIPath' | 'vaultRole'>): VaultPolicy {
  return { path: { [pkiSignPath(pki)]: { capabilities: ['create', 'update'] } } };
}

/**
 * What one cluster's vault-config-operator may change: its own cluster's auth mount (enable, tune,
 * config, roles). The bootstrap cluster's operator also owns the shared configuration: the PKI mount,
 * its roles and the cert-manager policy.
 */
export function configOperatorPolicy(env: Pick<Environment, 'pki' | 'clusters' | 'backup' | 'vault' | 'services'>, cluster: string): VaultPolicy {
  const mount = authMount(env.pki, cluster);
  const crud = ['create', 'read', 'update', 'delete'];
  const paths: Record<string, { capabilities: string[] }> = {
    // Listing and enabling auth methods needs sudo.
    'sys/auth': { capabilities: ['read', 'sudo'] },
    [`sys/auth/${mount}`]: { capabilities: [...crud, 'sudo'] },
    [`sys/auth/${mount}/tune`]: { capabilities: ['read', 'update', 'sudo'] },
    [`auth/${mount}/config`]: { capabilities: crud },
    [`auth/${mount}/role/*`]: { capabilities: [...crud, 'list'] },
  };
  if (env.clusters[0]?.name === cluster) {
    const pkiPath = env.pki.vaultPKIPath;
    Object.assign(paths, {
      'sys/mounts': { capabilities: ['read'] },
      [`sys/mounts/${pkiPath}`]: { capabilities: crud },
      [`sys/mounts/${pkiPath}/tune`]: { capabilities: ['read', 'update'] },
      [`${pkiPath}/roles/*`]: { capabilities: [...crud, 'list'] },
      [`sys/policies/acl/${CERT_MANAGER_POLICY}`]: { capabilities: crud },
    });
    // The policies of the services that use Vault.
    for (const s of vaultServices(env)) paths[`sys/policies/acl/${serviceVaultPolicyName(s)}`] = { capabilities: crud };
    // The Raft snapshot policy of the backup CronJobs (src/topology/backup.ts), when backups are on.
    if (env.backup && env.vault) paths[`sys/policies/acl/${VAULT_SNAPSHOT_POLICY}`] = { capabilities: crud };
  }
  return { path: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

// ---------------------------------------------------------------------------------------------------
// Certificates of the cluster's TLS endpoints

export interface CertificatePlan {
  readonly name: string;
  readonly namespace: string;
  readonly secretName: string;
  readonly dnsNames: readonly string[];
}

/**
 * One Gateway certificate per global service (the Gateway of every cluster serves every global
 * hostname): the vanity hostname, plus `<service>.<ingressDomain>` when this cluster has one.
 */
export function gatewayCertificates(view: Pick<ClusterView, 'services' | 'cluster'>, namespace: string): CertificatePlan[] {
  return view.services
    .filter((s): s is Service & { hostname: string } => s.expose === 'global' && s.hostname !== undefined)
    .map((s) => ({
      name: gatewayCertificateSecret(s),
      namespace,
      secretName: gatewayCertificateSecret(s),
      dnsNames: unique([s.hostname, ...(view.cluster.ingressDomain ? [`${s.name}.${view.cluster.ingressDomain}`] : [])]),
    }));
}

/** One client certificate per service of this cluster that uses Vault, in the service's namespace. */
export function vaultClientCertificates(view: Pick<ClusterView, 'localServices'>): CertificatePlan[] {
  return view.localServices
    .filter((l) => l.service.usesStores.includes('vault'))
    .map(({ service: s }) => {
      const name = `${s.name}.${s.namespace}.svc`;
      return { name: vaultClientCertificateSecret(s), namespace: s.namespace, secretName: vaultClientCertificateSecret(s), dnsNames: [name] };
    });
}

/** The Role and RoleBinding that let cert-manager request tokens for the vault-issuer ServiceAccount live here. */
export const VAULT_ISSUER_ACCOUNT = { name: VAULT_ISSUER, namespace: CERT_MANAGER.namespace } as const;

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
