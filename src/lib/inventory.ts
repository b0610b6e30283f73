/** An API kind as Argo CD names it in projects and ignoreDifferences (`group` is '' for the core group). */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** What a set of cluster folders contains, as far as delivery cares: kinds, where they go, what an HPA scales. */
export interface BundleInventory {
  /** Every kind written, with whether its objects are namespaced; sorted by group then kind. */
  readonly kinds: readonly (GroupKind & { readonly namespaced: boolean })[];
  /** Per cluster folder, the namespaces objects are written into, sorted. */
  readonly namespacesByCluster: Readonly<Record<string, readonly string[]>>;
  /** Kinds that a HorizontalPodAutoscaler scales (its `scaleTargetRef`), sorted. */
  readonly scaledKinds: readonly GroupKind[];
}

/** Builds the inventory of the manifests of some cluster folders. */
export function inventoryOf(objects: readonly { readonly folder: string; readonly manifest: Record<string, any> }[]): BundleInventory {
  const kinds = new Map<string, GroupKind & { namespaced: boolean }>();
  const namespaces = new Map<string, Set<string>>();
  const scaled = new Map<string, GroupKind>();
  for (const { folder, manifest: m } of objects) {
    const gk = groupKind(m.apiVersion, m.kind);
    const namespace: string | undefined = m.metadata?.namespace;
    kinds.set(`${gk.group}/${gk.kind}`, { ...gk, namespaced: namespace !== undefined });
    if (!namespaces.has(folder)) namespaces.set(folder, new Set());
    if (namespace !== undefined) namespaces.get(folder)!.add(namespace);
    const target = m.kind === 'HorizontalPodAutoscaler' ? m.spec?.scaleTargetRef : undefined;
    if (target?.kind) {
      const t = groupKind(target.apiVersion ?? '', target.kind);
      scaled.set(`${t.group}/${t.kind}`, t);
    }
  }
  const sorted = <T extends GroupKind>(m: Map<string, T>): T[] => [...m.values()].sort((a, b) => cmp(a.group, b.group) || cmp(a.kind, b.kind));
  return {
    kinds: sorted(kinds),
    namespacesByCluster: Object.fromEntries([...namespaces].sort(([a], [b]) => cmp(a, b)).map(([f, s]) => [f, [...s].sort(cmp)])),
    scaledKinds: sorted(scaled),
  };
}

/** `apps/v1` + Deployment -> {apps, Deployment}; `v1` + Service -> {'', Service}. */
export function groupKind(apiVersion: string, kind: string): GroupKind {
  return { group: apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '', kind };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
