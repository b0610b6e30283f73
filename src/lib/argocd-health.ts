// The Argo CD health checks the bundle needs (issue #15, finding 1), as one source for the README
// snippet, the report's Argo CD section and the tests.
//
// Why: a wave waits while its resources are Progressing, but a Degraded resource fails the sync
// operation (gitops-engine pkg/sync/sync_context.go, REFERENCE §9.6). Argo CD's built-in check for
// cert-manager issuers (argoproj/argo-cd resource_customizations/cert-manager.io/ClusterIssuer/health.lua
// and Issuer/health.lua) reports `Ready=False` as Degraded, and the Vault issuer is Ready=False until a
// human has run `vault operator init`; kinds without a check (the vault-config-operator kinds) are
// Healthy at once, so their wave never waits for Vault to accept them. These checks make both wait.

/**
 * The vault-config-operator kinds meridian emits (group redhatcop.redhat.io). Their controller sets the
 * condition `ReconcileSuccessful` (status True, observedGeneration) after a reconcile that reached
 * Vault, and `ReconcileFailed` (status False, the error as message) after one that did not
 * (redhat-cop/vault-config-operator internal/controller/vaultresourcecontroller/utils.go,
 * ManageOutcomeWithRequeue; the CRDs' status.conditions are metav1.Condition, shared/crds/vault-config-operator).
 */
export const VAULT_CONFIG_HEALTH_KINDS = [
  'AuthEngineMount',
  'KubernetesAuthEngineConfig',
  'KubernetesAuthEngineRole',
  'PKISecretEngineConfig',
  'PKISecretEngineRole',
  'Policy',
  'SecretEngineMount',
] as const;

/** cert-manager kinds whose built-in check would call a waiting Vault issuer Degraded. */
export const CERT_MANAGER_HEALTH_KINDS = ['ClusterIssuer', 'Issuer'] as const;

/**
 * Healthy once the last reconcile of the current generation succeeded; Progressing otherwise, with the
 * operator's error as the message. Never Degraded: until Vault is initialized every reconcile fails,
 * and that is waiting, not a broken sync. A failure newer than the last success (RFC 3339 times in UTC
 * compare as strings) is Progressing too.
 */
export const VAULT_CONFIG_HEALTH_LUA = `hs = { status = "Progressing", message = "Waiting for the vault-config-operator to reconcile" }
local ok = nil
local failed = nil
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "ReconcileSuccessful" and c.status == "True" then ok = c end
    if c.type == "ReconcileFailed" then failed = c end
  end
end
if ok ~= nil and (ok.observedGeneration == nil or obj.metadata.generation == nil or ok.observedGeneration >= obj.metadata.generation) and (failed == nil or failed.lastTransitionTime == nil or ok.lastTransitionTime == nil or failed.lastTransitionTime <= ok.lastTransitionTime) then
  hs.status = "Healthy"
  hs.message = "Reconciled in Vault"
elseif failed ~= nil and failed.message ~= nil then
  hs.message = failed.message
end
return hs
`;

/**
 * Argo CD's built-in issuer check with one change: `Ready=False` is Progressing (the Vault issuer waits
 * for an initialized Vault and its PKI), not Degraded.
 */
export const ISSUER_HEALTH_LUA = `hs = { status = "Progressing", message = "Waiting for the issuer to become Ready" }
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" and c.status == "True" then
      hs.status = "Healthy"
      hs.message = c.message
      return hs
    end
    if c.type == "Ready" and c.message ~= nil then hs.message = c.message end
  end
end
return hs
`;

export interface HealthCustomization {
  /** The argocd-cm key: `resource.customizations.health.<group>_<kind>`. */
  readonly key: string;
  readonly lua: string;
}

export function argocdHealthCustomizations(): HealthCustomization[] {
  return [
    ...CERT_MANAGER_HEALTH_KINDS.map((k) => ({ key: `resource.customizations.health.cert-manager.io_${k}`, lua: ISSUER_HEALTH_LUA })),
    ...VAULT_CONFIG_HEALTH_KINDS.map((k) => ({ key: `resource.customizations.health.redhatcop.redhat.io_${k}`, lua: VAULT_CONFIG_HEALTH_LUA })),
  ];
}

/** The `data:` entries to merge into argocd-cm (YAML, block scalars), exactly as README shows them. */
export function argocdCmSnippet(): string {
  const lines = ['data:'];
  for (const c of argocdHealthCustomizations()) {
    lines.push(`  ${c.key}: |`, ...c.lua.trimEnd().split('\n').map((l) => `    ${l}`));
  }
  return `${lines.join('\n')}\n`;
}
