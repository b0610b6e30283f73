// Trust facts derived from the model (REFERENCE §1.4, §4): the per-cluster Kubernetes auth mount
// cert-manager logs in through, the PKI role's allowed names, the Vault policies (typed objects in
// Vault's JSON policy syntax), and the certificates every TLS endpoint of a cluster needs. No cdk8s here.
import { BOOTSTRAP_ISSUER, CERT_MANAGER, INGRESS, VAULT_ISSUER, gatewayCertificateSecret, sqlUser, vaultClientCertificateSecret } from '../lib/names';
import { localSqlClients, nodeCertificateDnsNames, sqlClients } from './cockroachdb';
import { remoteClientClusters } from './placement';
import type { PkiRoleGrant } from '../lib/vault';
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
 * its roles, the cert-manager policy and the sign policies of the namespaced issuers.
 */
export function configOperatorPolicy(env: Pick<Environment, 'pki' | 'clusters' | 'backup' | 'vault' | 'services' | 'cockroachdb'>, cluster: string): VaultPolicy {
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
    // The sign policies of the namespaced issuers (CockroachDB's own, each SQL client's).
    for (const i of namespacedVaultIssuers(env)) paths[`sys/policies/acl/${i.policy}`] = { capabilities: crud };
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

// ---------------------------------------------------------------------------------------------------
// Least privilege: one Vault PKI role per class of consumer, and who can use it

/**
 * A Vault PKI role and the names it signs: exactly `allowedDomains` (bare domains only, never their
 * subdomains, never globs), valid host names only where every allowed name is one, no IP SANs. Field
 * meanings: Vault API docs, PKI "Create/Update role" (allowed_domains, allow_bare_domains,
 * allow_subdomains, allow_glob_domains, enforce_hostnames, allow_ip_sans, allow_localhost,
 * server_flag, client_flag; https://developer.hashicorp.com/vault/api-docs/secret/pki#create-update-role),
 * as the vault-config-operator PKISecretEngineRole spells them (../shared/crds/vault-config-operator).
 */
export interface PkiRolePlan extends PkiRoleGrant {
  /** Role name in Vault: the sign endpoint is `<vaultPKIPath>/sign/<role>`. */
  readonly role: string;
}

/** A namespaced Vault Issuer: only Certificates of its own namespace can use it, and only its ServiceAccount can log in as its role. */
export interface NamespacedVaultIssuerPlan {
  /** Issuer name, and the name of the ServiceAccount cert-manager requests its tokens for. */
  readonly name: string;
  readonly namespace: string;
  readonly pkiRole: PkiRolePlan;
  /** Role of every cluster's Kubernetes auth mount, bound to exactly that ServiceAccount and namespace. */
  readonly authRole: string;
  /** Vault policy: sign at this role's endpoint, nothing else. */
  readonly policy: string;
  /**
   * The audience cert-manager puts in the tokens it requests for an Issuer, `vault://<namespace>/<issuer>`
   * (cert-manager website content/docs/configuration/vault.md, "serviceAccountRef"; REFERENCE §4.1).
   */
  readonly audience: string;
}

/** Secret of a CA bundle: the root CA certificate alone (`ca.crt`), never its key. */
export function rootCaBundleSecret(pki: Pick<Pki, 'rootCASecret'>): string {
  return `${pki.rootCASecret}-bundle`;
}

/** The key of the root certificate in the bundle Secret. */
export const ROOT_CA_BUNDLE_KEY = 'ca.crt';

/**
 * What Vault's enforce_hostnames accepts (hashicorp/vault builtin/logical/pki cert_util.go, hostnameRegex:
 * dot-separated labels of letters, digits and inner hyphens; a single label such as `node` or `root` is
 * one, `_` is not), for the lowercase names meridian derives.
 */
const HOSTNAME_LABELS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The names of a service: its Kubernetes Service in the suffixes a client dials. */
export function serviceDnsNames(service: Pick<Service, 'name' | 'namespace' | 'expose'>): string[] {
  const base = `${service.name}.${service.namespace}`;
  // The clusterset name exists only for a service that is exported (expose clusterset or global).
  return [`${base}.svc`, `${base}.svc.cluster.local`, ...(service.expose !== 'cluster' ? [`${base}.svc.clusterset.local`] : [])];
}

/**
 * What the cluster-wide `vault-issuer` may sign: each service's own names (its Service in every
 * suffix, and for a global service its hostname and `<service>.<ingressDomain>` of every cluster), as
 * exact names. No store identity (`node`, `root`, SQL users, Vault or CockroachDB hosts), no bare
 * `svc` domains, no IPs, no localhost: a namespace that can create Certificates gets service names
 * at most.
 */
export function servicePkiRole(env: Pick<Environment, 'pki' | 'services' | 'clusters'>): PkiRolePlan {
  const names = env.services.flatMap((s) => [
    ...serviceDnsNames(s),
    ...(s.expose === 'global' && s.hostname ? [s.hostname, ...env.clusters.flatMap((c) => (c.ingressDomain ? [`${s.name}.${c.ingressDomain}`] : []))] : []),
  ]);
  const allowedDomains = unique(names);
  return { role: env.pki.vaultRole, allowedDomains, enforceHostnames: true, allowLocalhost: false, serverFlag: true, clientFlag: true };
}

/** The CockroachDB node and root identities: CN `node` with the nodes' DNS names, CN `root`. */
export const COCKROACHDB_ISSUER = { name: 'cockroachdb-issuer', pkiRole: 'cockroachdb', authRole: 'cockroachdb-issuer', policy: 'cockroachdb-issuer' } as const;

/**
 * CockroachDB's own identities through an Issuer in its namespace: the Vault role signs `node`, `root`
 * and the names of the node certificate (every cluster's pods), and only that namespace's
 * ServiceAccount can log in as it.
 */
export function cockroachdbIssuer(namespace: string, nodeDnsNames: readonly string[]): NamespacedVaultIssuerPlan {
  const allowed = unique(['node', 'root', ...nodeDnsNames.filter((n) => n !== 'localhost')]);
  return {
    name: COCKROACHDB_ISSUER.name,
    namespace,
    pkiRole: { role: COCKROACHDB_ISSUER.pkiRole, allowedDomains: allowed, enforceHostnames: allowed.every((n) => HOSTNAME_LABELS.test(n)), allowLocalhost: nodeDnsNames.includes('localhost'), serverFlag: true, clientFlag: true },
    authRole: COCKROACHDB_ISSUER.authRole,
    policy: COCKROACHDB_ISSUER.policy,
    audience: issuerAudience(namespace, COCKROACHDB_ISSUER.name),
  };
}

/**
 * A service's own SQL identity (CN = its SQL user, client auth only) through an Issuer in the
 * service's namespace: the Vault role signs that one name and nothing else, and only the Issuer's
 * ServiceAccount in that namespace can use it. A namespace therefore mints at most the SQL users of
 * its own services, never `root` or `node`.
 */
export function sqlClientIssuer(service: Pick<Service, 'name' | 'namespace'>): NamespacedVaultIssuerPlan {
  const user = sqlUser(service);
  const name = `${service.name}-cockroachdb-issuer`;
  const role = `cockroachdb-client-${service.name}`;
  return {
    name,
    namespace: service.namespace,
    pkiRole: { role, allowedDomains: [user], enforceHostnames: HOSTNAME_LABELS.test(user), allowLocalhost: false, serverFlag: false, clientFlag: true },
    authRole: role,
    policy: role,
    audience: issuerAudience(service.namespace, name),
  };
}

/** The JWT audience cert-manager puts in the tokens it requests for a namespaced Issuer. */
export function issuerAudience(namespace: string, issuer: string): string {
  return `vault://${namespace}/${issuer}`;
}

/** A policy that signs at one role's endpoint (`sign` is an update). */
export function signPolicy(pki: Pick<Pki, 'vaultPKIPath'>, role: string): VaultPolicy {
  return { path: { [`${pki.vaultPKIPath}/sign/${role}`]: { capabilities: ['create', 'update'] } } };
}

/** Every namespaced Vault Issuer of the environment (the PKI roles and policies the bootstrap cluster writes), sorted by name. */
export function namespacedVaultIssuers(env: Pick<Environment, 'pki' | 'vault' | 'cockroachdb' | 'services' | 'clusters'>): NamespacedVaultIssuerPlan[] {
  if (!env.vault || !env.cockroachdb) return [];
  const clients = sqlClients(env).map((s) => sqlClientIssuer(s));
  // The node certificate names the exported public Service too when some workload cluster runs SQL clients but no node.
  const remoteClients = remoteClientClusters(env, env.cockroachdb).length > 0;
  return [cockroachdbIssuer(env.cockroachdb.namespace, nodeCertificateDnsNames(env.cockroachdb, remoteClients)), ...clients].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------
// Where the root CA lives in each cluster

/**
 * istiod's signing CA: an intermediate chained to the environment's root, in the Secret istiod reads
 * at start (`cacerts` in Istio's namespace). istiod reads the cert-manager layout of that Secret
 * (`tls.crt` signing certificate, `tls.key` its key, `ca.crt` the root; the chain is tls.crt + ca.crt)
 * since istio/istio#39732 (pilot/pkg/bootstrap/istio_ca.go, detectSigningCABundle), besides the
 * ca-cert.pem/ca-key.pem/root-cert.pem/cert-chain.pem layout of istio.io "Plug in CA Certificates".
 */
export const MESH_CA = {
  namespace: 'istio-system',
  certificate: 'istio-ca',
  secret: 'cacerts',
  /** A year, renewed a third before its end; istiod reloads the files of a renewed intermediate under the same root (istio_ca.go, handleCACertsFileWatch). */
  duration: '8760h',
  renewBefore: '2920h',
} as const;

/** The subject of one cluster's mesh intermediate (at most 64 characters: cluster names are DNS labels, environment names short). */
export function meshCaCommonName(environment: string, cluster: string): string {
  return `meridian ${environment} mesh CA ${cluster}`.slice(0, 64);
}

export interface RootCaSecretPlacement {
  readonly namespace: string;
  /** What reads it there. */
  readonly usedBy: string;
}

export interface RootCaPlacement {
  /** Namespaces whose CA Issuer signs with the root key pair: Secret `pki.rootCASecret` with tls.crt and tls.key, only there. */
  readonly keyPair: readonly RootCaSecretPlacement[];
  /** Namespaces that verify against the root only: Secret `<rootCASecret>-bundle` with ca.crt, never the key. */
  readonly bundle: readonly RootCaSecretPlacement[];
  /**
   * The bootstrap CA is a ClusterIssuer only where nothing it signs for is a store identity (no Vault,
   * no CockroachDB): a CA issuer signs any name, so with a store it is a namespaced Issuer in each
   * namespace that needs certificates instead.
   */
  readonly caClusterIssuer: boolean;
  /** Namespaces with a namespaced bootstrap CA Issuer (without Vault), sorted. */
  readonly caIssuerNamespaces: readonly string[];
  /** The cluster runs sidecars that take only mutual TLS, so istiod needs the shared root (`cacerts`). */
  readonly mesh: boolean;
}

/** The root CA Secrets one cluster needs, decided once for the charts, the prerequisites and the runbook. */
export function rootCaPlacement(view: Pick<ClusterView, 'environment' | 'vault' | 'cockroachdbMember' | 'sidecarNamespaces' | 'services' | 'cluster'>): RootCaPlacement {
  const env = view.environment;
  // A hub runs only the broker and the GSLB controller: no issuer, so no copy of the root (placement.ts).
  if (view.cluster.role === 'hub') return { keyPair: [], bundle: [], caClusterIssuer: false, caIssuerNamespaces: [], mesh: false };
  const mesh = view.sidecarNamespaces.length > 0;
  const clients = localSqlClientsOf(view);
  const byNamespace = (entries: RootCaSecretPlacement[]): RootCaSecretPlacement[] => {
    const merged = new Map<string, string[]>();
    for (const e of entries) merged.set(e.namespace, [...(merged.get(e.namespace) ?? []), e.usedBy]);
    return [...merged].sort(([a], [b]) => (a < b ? -1 : 1)).map(([namespace, uses]) => ({ namespace, usedBy: [...new Set(uses)].join('; ') }));
  };
  const meshEntry = (issuer: string): RootCaSecretPlacement[] => (mesh ? [{ namespace: MESH_CA.namespace, usedBy: `the CA Issuer ${issuer} of istiod's intermediate (${MESH_CA.secret})` }] : []);
  if (view.vault) {
    return {
      keyPair: byNamespace([{ namespace: view.vault.namespace, usedBy: "the CA Issuer of Vault's own TLS" }, ...meshEntry(BOOTSTRAP_ISSUER)]),
      bundle: byNamespace([
        { namespace: CERT_MANAGER.namespace, usedBy: `the CA bundle of ClusterIssuer ${VAULT_ISSUER}` },
        ...(view.cockroachdbMember ? [{ namespace: view.cockroachdbMember.store.namespace, usedBy: `the CA bundle of Issuer ${COCKROACHDB_ISSUER.name}` }] : []),
        ...clients.map((s) => ({ namespace: s.namespace, usedBy: `the CA bundle of Issuer ${sqlClientIssuer(s).name}` })),
      ]),
      caClusterIssuer: false,
      caIssuerNamespaces: [],
      mesh,
    };
  }
  if (!env.cockroachdb) {
    return { keyPair: [{ namespace: CERT_MANAGER.namespace, usedBy: `the ClusterIssuer ${BOOTSTRAP_ISSUER}: every certificate${mesh ? `, istiod's intermediate (${MESH_CA.secret}) included` : ''}` }], bundle: [], caClusterIssuer: true, caIssuerNamespaces: [], mesh };
  }
  const entries: RootCaSecretPlacement[] = [
    ...(gatewayCertificates(view, INGRESS.namespace).length > 0 ? [{ namespace: INGRESS.namespace, usedBy: `the CA Issuer ${BOOTSTRAP_ISSUER} of the Gateway certificates` }] : []),
    ...(view.cockroachdbMember ? [{ namespace: view.cockroachdbMember.store.namespace, usedBy: `the CA Issuer ${BOOTSTRAP_ISSUER} of CockroachDB's node and root certificates` }] : []),
    ...clients.map((s) => ({ namespace: s.namespace, usedBy: `the CA Issuer ${BOOTSTRAP_ISSUER} of the SQL client certificate of ${s.name}` })),
    ...meshEntry(BOOTSTRAP_ISSUER),
  ];
  const keyPair = byNamespace(entries);
  return { keyPair, bundle: [], caClusterIssuer: false, caIssuerNamespaces: keyPair.map((e) => e.namespace), mesh };
}

/**
 * The services of this cluster that hold a SQL client certificate: in a member cluster its member's
 * clients; in a workload cluster without CockroachDB nodes (cockroachdb.clusters) the local services
 * that use it, which dial the nodes by the clusterset name. None on a hub.
 */
export function localSqlClientsOf(view: Pick<ClusterView, 'environment' | 'cockroachdbMember' | 'cluster'>): Service[] {
  if (view.cockroachdbMember) return [...view.cockroachdbMember.sqlClients];
  if (!view.environment.cockroachdb || view.cluster.role === 'hub') return [];
  return localSqlClients(view.environment, view.cluster.name);
}

/** The namespaced Vault issuers of one cluster: CockroachDB's where it runs a member, and each local SQL client's. */
export function localNamespacedVaultIssuers(view: Pick<ClusterView, 'environment' | 'cockroachdbMember' | 'cluster'>): NamespacedVaultIssuerPlan[] {
  if (!view.environment.vault || !view.environment.cockroachdb) return [];
  const local = new Set([...(view.cockroachdbMember ? [COCKROACHDB_ISSUER.name] : []), ...localSqlClientsOf(view).map((s) => sqlClientIssuer(s).name)]);
  return namespacedVaultIssuers(view.environment).filter((i) => local.has(i.name));
}
