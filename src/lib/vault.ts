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
