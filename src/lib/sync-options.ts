// Argo CD's per-object sync options (argoproj/argo-cd docs/user-guide/sync-options.md): the
// `argocd.argoproj.io/sync-options` annotation holds comma-separated options, white space trimmed.
// `Prune=false` keeps an object that left Git ("No Prune Resources"); `Delete=false` keeps it when its
// Application is deleted ("No Resource Deletion"). An option on the object overrides the Application's.
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/** The options that keep an object through a prune and through its Application's deletion. */
export const KEEP_OPTIONS = ['Prune=false', 'Delete=false'] as const;

/** The annotation value meridian writes on objects whose deletion destroys shared state. */
export const KEEP_ANNOTATION_VALUE = KEEP_OPTIONS.join(',');

/**
 * vault-config-operator (redhat-cop) kinds whose deletion destroys shared Vault state: on delete, the
 * operator's finalizer runs DeleteIfExists on the object's Vault path (controllers/vaultresourcecontroller/
 * vaultengineresourcereconciler.go manageCleanUpLogic -> api/v1alpha1/utils/vaultobject.go DeleteIfExists,
 * a DELETE of sys/mounts/<path> or sys/auth/<path>): the engine is unmounted and everything under it
 * (the PKI intermediate key and issued-certificate store, an auth method's roles and config) is gone.
 * The other kinds the bundle writes (roles, policies, auth config) are recreated from Git by the next sync.
 */
export const VAULT_STATE_KINDS: ReadonlySet<string> = new Set(['SecretEngineMount', 'AuthEngineMount']);

/** The sync options of an annotation value, trimmed (`Prune=false, Delete=false` -> two options). */
export function syncOptionsOf(value: unknown): string[] {
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}
