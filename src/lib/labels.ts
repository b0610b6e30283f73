/** Label keys meridian sets on every object (DESIGN §3). */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  environment: 'meridian.dev/environment',
  cluster: 'meridian.dev/cluster',
  drained: 'meridian.dev/drained',
  /** On every Namespace meridian creates: the platform of the cluster (rules read it from the output). */
  platform: 'meridian.dev/platform',
  /** On every Namespace meridian creates: the region of the cluster (rule MER153 reads it from the output). */
  region: 'meridian.dev/region',
} as const;

/** Labels every object of a chart carries: who made it, for which environment, cluster and component. */
export function chartLabels(environment: string, cluster: string | undefined, component: string): Record<string, string> {
  return {
    [LABEL.partOf]: 'meridian',
    [LABEL.managedBy]: 'meridian',
    [LABEL.component]: component,
    [LABEL.environment]: environment,
    ...(cluster ? { [LABEL.cluster]: cluster } : {}),
  };
}

/**
 * The stable subset used in selectors: never the cluster, environment or version, so that a
 * selector is identical in every cluster and survives upgrades.
 */
export function selectorLabels(name: string, instance: string): Record<string, string> {
  return { [LABEL.name]: name, [LABEL.instance]: instance };
}

/**
 * Pod labels that a workload sets on its own pods at run time, so no pod template carries them:
 * Vault's Kubernetes service registration (developer.hashicorp.com/vault/docs/configuration/
 * service-registration/kubernetes). A Service may select on them; whoever matches a selector
 * against pod templates (sync waves, validation) ignores them.
 */
export const RUNTIME_POD_LABELS: ReadonlySet<string> = new Set(['vault-active', 'vault-initialized', 'vault-perf-standby', 'vault-sealed']);

/** A selector without the run-time labels, for matching against pod templates. */
export function templateSelector(selector: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(selector).filter(([k]) => !RUNTIME_POD_LABELS.has(k)));
}
