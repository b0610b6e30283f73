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
