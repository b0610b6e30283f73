// Fixed facts of the Vault deployment meridian generates, and the shapes of its wiring: shared by the
// topology (which computes them) and the constructs (which render them), so neither imports the other.

export const VAULT_PORTS = { api: 8200, cluster: 8201 } as const;

/** Where the container finds things. */
export const VAULT_PATHS = {
  config: '/vault/config',
  configFile: '/vault/config/vault.json',
  tls: '/vault/tls',
  data: '/vault/data',
  seal: '/vault/seal',
  tmp: '/tmp',
} as const;

/**
 * The per-pod settings of one cluster's pods, as environment values in which `$(HOSTNAME)` is the pod
 * name (the container defines HOSTNAME from the downward API first, so Kubernetes expands it).
 * Expanding `$(HOSTNAME)` with a peer's pod name gives exactly that peer's model values.
 */
export interface VaultPodAddressing {
  readonly nodeId: string;
  readonly apiAddr: string;
  readonly clusterAddr: string;
  /** What the `vault` CLI inside the pod talks to (runbook commands run through `kubectl exec`). */
  readonly localAddr: string;
}

/** An environment variable read from a key of an out-of-band Secret. */
export interface SecretEnv {
  readonly name: string;
  readonly secret: string;
  readonly key: string;
}

/** A key of an out-of-band Secret mounted as a file. */
export interface SecretFile {
  readonly secret: string;
  readonly key: string;
  readonly path: string;
}

/**
 * What one Vault PKI role allows (Vault PKI API: allowed_domains with allow_bare_domains and no
 * subdomains or globs, enforce_hostnames, allow_localhost, server_flag, client_flag;
 * developer.hashicorp.com/vault/api-docs/secret/pki#create-update-role): computed by the topology,
 * rendered by the vault-config-operator construct.
 */
export interface PkiRoleGrant {
  /** The exact names the role signs (as common name or DNS SAN): bare domains, never their subdomains, sorted. */
  readonly allowedDomains: readonly string[];
  /** Only valid host names (false only for identities that are not host names, e.g. a SQL user with `_`). */
  readonly enforceHostnames: boolean;
  /** Whether `localhost` may be a SAN: only CockroachDB nodes, whose local CLI and init dial it. */
  readonly allowLocalhost: boolean;
  /** Certificates for servers (extended key usage server auth). */
  readonly serverFlag: boolean;
  /** Certificates for clients (extended key usage client auth). */
  readonly clientFlag: boolean;
}
