// dist/<env>.prerequisites.json: the model's prerequisites of every cluster (topology/prerequisites.ts)
// plus the API group versions and kinds its folder actually uses, which preflight checks are served.
import { prerequisites, type PrerequisitesDocument } from '../topology/prerequisites';
import type { Environment } from '../topology';

/** Core groups every cluster serves (no CRD, nothing to check). */
const BUILT_IN = /^(v1|(apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io|discovery\.k8s\.io)\/[^/]+)$/;

export function renderPrerequisites(env: Environment, objects: readonly { readonly folder: string; readonly manifest: { readonly apiVersion: string; readonly kind: string } }[]): string {
  const doc: PrerequisitesDocument = {
    environment: env.name,
    clusters: prerequisites(env).map((c) => {
      const kinds = new Map<string, Set<string>>();
      for (const o of objects) {
        if (o.folder !== c.cluster || BUILT_IN.test(o.manifest.apiVersion)) continue;
        const set = kinds.get(o.manifest.apiVersion) ?? new Set<string>();
        set.add(o.manifest.kind);
        kinds.set(o.manifest.apiVersion, set);
      }
      const apis = [...kinds].sort(([a], [b]) => (a < b ? -1 : 1)).map(([groupVersion, k]) => ({ groupVersion, kinds: [...k].sort() }));
      return { ...c, apis };
    }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
