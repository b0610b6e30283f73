// What a service's pods are given so they can reach what they `use`: the client-certificate Secrets to
// mount and the environment variables that say where everything is. Derived, never typed: store
// addresses from the store namespaces and shared names, other services from their clusterset names.
import {
  COCKROACHDB_PUBLIC_SERVICE,
  COCKROACHDB_SQL_PORT,
  cockroachClientCertificateSecret,
  sqlUser,
  vaultClientCertificateSecret,
  VAULT_PORT,
  VAULT_SERVICE,
} from '../lib/names';
import { serviceUrl, serviceUrlVariable } from './connectivity';
import { SERVICE_VAULT_LOGIN, serviceVaultRole } from './pki';
import { cmp } from './problems';
import type { Environment, Service } from './types';

/** Where a client certificate Secret (cert-manager layout: `tls.crt`, `tls.key`, `ca.crt`) is mounted. */
export interface CertificateMount {
  readonly volume: string;
  readonly secretName: string;
  readonly mountPath: string;
}

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/** A projected ServiceAccount token for Vault's Kubernetes auth (the API-server token stays unmounted). */
export interface TokenMount {
  readonly volume: string;
  readonly mountPath: string;
  readonly path: string;
  readonly audience: string;
  readonly expirationSeconds: number;
}

export interface ServiceWiring {
  /** Sorted by volume name. */
  readonly mounts: readonly CertificateMount[];
  /** Sorted by name. */
  readonly env: readonly EnvVar[];
  /** With `uses: [vault]`: the token the service logs in to Vault with. */
  readonly vaultToken?: TokenMount;
}

const CERTS_ROOT = '/etc/meridian';

/**
 * `vaultAuthMount` is the Kubernetes auth mount of the cluster the pods run in (`authMount`); the
 * variable names and mounts do not depend on it.
 */
export function serviceWiring(env: Pick<Environment, 'vault' | 'cockroachdb' | 'services'>, service: Service, vaultAuthMount: string, cluster?: string): ServiceWiring {
  // In a cluster without the store's pods (placement.ts) the store is reached by its clusterset name.
  const remote = (store: { readonly clusters: readonly string[] }): boolean => cluster !== undefined && !store.clusters.includes(cluster);
  const mounts: CertificateMount[] = [];
  const vars: EnvVar[] = [];
  let vaultToken: TokenMount | undefined;
  if (service.usesStores.includes('vault') && env.vault) {
    const dir = `${CERTS_ROOT}/vault-tls`;
    mounts.push({ volume: 'vault-tls', secretName: vaultClientCertificateSecret(service), mountPath: dir });
    vars.push(
      { name: 'VAULT_ADDR', value: `https://${VAULT_SERVICE}.${env.vault.namespace}.svc${remote(env.vault) ? '.clusterset.local' : ''}:${VAULT_PORT}` },
      { name: 'VAULT_CACERT', value: `${dir}/ca.crt` },
      { name: 'VAULT_CLIENT_CERT', value: `${dir}/tls.crt` },
      { name: 'VAULT_CLIENT_KEY', value: `${dir}/tls.key` },
    );
    // Kubernetes auth: `vault write auth/$VAULT_K8S_AUTH_MOUNT/login role=$VAULT_K8S_ROLE jwt=@$VAULT_K8S_TOKEN_PATH`.
    const l = SERVICE_VAULT_LOGIN;
    vaultToken = { volume: l.volume, mountPath: l.mountPath, path: l.tokenFile, audience: l.audience, expirationSeconds: l.tokenExpirationSeconds };
    vars.push(
      { name: 'VAULT_K8S_AUTH_MOUNT', value: vaultAuthMount },
      { name: 'VAULT_K8S_ROLE', value: serviceVaultRole(service) },
      { name: 'VAULT_K8S_TOKEN_PATH', value: `${l.mountPath}/${l.tokenFile}` },
    );
  }
  if (service.usesStores.includes('cockroachdb') && env.cockroachdb) {
    const dir = `${CERTS_ROOT}/cockroachdb-tls`;
    mounts.push({ volume: 'cockroachdb-tls', secretName: cockroachClientCertificateSecret(service), mountPath: dir });
    const user = sqlUser(service);
    // The runbook creates one database per client service, named after its SQL user and owned by
    // it (runbookDatabases, setupSql): the URL names exactly that one, never another service's.
    const database = user;
    const host = `${COCKROACHDB_PUBLIC_SERVICE}.${env.cockroachdb.namespace}.svc.${remote(env.cockroachdb) ? 'clusterset' : 'cluster'}.local:${COCKROACHDB_SQL_PORT}`;
    const tls = `sslmode=verify-full&sslrootcert=${dir}/ca.crt&sslcert=${dir}/tls.crt&sslkey=${dir}/tls.key`;
    vars.push({ name: 'DATABASE_URL', value: `postgresql://${user}@${host}/${database}?${tls}` });
  }
  for (const name of service.usesServices) {
    const used = env.services.find((s) => s.name === name);
    if (!used) continue;
    const variable = serviceUrlVariable(used);
    if (vars.some((v) => v.name === variable)) {
      throw new Error(`service ${service.name}: the URL of "${used.name}" would be ${variable}, which already carries a store connection; rename service "${used.name}"`);
    }
    vars.push({ name: variable, value: serviceUrl(used) });
  }
  return {
    mounts: mounts.sort((a, b) => cmp(a.volume, b.volume)),
    env: vars.sort((a, b) => cmp(a.name, b.name)),
    ...(vaultToken ? { vaultToken } : {}),
  };
}
