// Rules about operating the fleet: a progressive rollout never takes down a majority of any store's
// voters at once, and it reaches every cluster folder; what Prometheus scrapes, it may reach.
//
// Progressive syncs (argoproj/argo-cd docs/operator-manual/applicationset/Progressive-Syncs.md):
// steps select Applications by label `matchExpressions` (all must hold; In/NotIn need one value), run
// in order, and each syncs at most `maxUpdate` of its Applications at a time (default 100%; a
// percentage rounds down but is floored at 1 for > 0%; 0 syncs none). An Application no step selects
// is never synced by the rollout.
import { clusterFoldersByEnvironment, containersOf, inFolder, isEmptySelector, kindOf, labelsOf, nameOf, namespaceOf, podTemplates, selects } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores, type Store } from '../stores';
import { isRecord, LABEL_ENVIRONMENT, type DistObject, type DistTree } from '../tree';

/** One RollingSync step as the controller will apply it to this tree's cluster folders. */
interface RolloutStep {
  readonly index: number;
  /** Folders whose Application this step is the first to select, in folder order. */
  readonly folders: readonly string[];
  /** How many of them sync at the same time. */
  readonly atOnce: number;
}

interface Rollout {
  readonly set: DistObject;
  readonly environment: string;
  /** The environment's cluster folders the ApplicationSet generates Applications for. */
  readonly folders: readonly string[];
  readonly steps: readonly RolloutStep[];
  /** Folders selected by no step. */
  readonly unselected: readonly string[];
}

const FOLDER_PARAM = /\{\{\s*\.?path\.basename(Normalized)?\s*\}\}/g;

/** The labels the ApplicationSet gives the Application of one folder (only folder parameters are rendered). */
function applicationLabels(set: DistObject, folder: string): Record<string, string> {
  const labels = set.manifest.spec?.template?.metadata?.labels;
  if (!isRecord(labels)) return {};
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v).replace(FOLDER_PARAM, folder)]));
}

/** `maxUpdate` of a step over `n` selected Applications. */
function simultaneous(maxUpdate: unknown, n: number): number {
  if (maxUpdate === undefined || maxUpdate === null) return n;
  if (typeof maxUpdate === 'number') return Math.max(0, Math.min(n, Math.floor(maxUpdate)));
  const percent = /^(\d+)%$/.exec(String(maxUpdate));
  if (!percent) return n;
  const p = Number(percent[1]);
  if (p <= 0) return 0;
  return Math.min(n, Math.max(1, Math.floor((n * p) / 100)));
}

const cache = new WeakMap<DistTree, Rollout[]>();

/** Every ApplicationSet with a RollingSync strategy, resolved against the cluster folders of its environment. */
export function rollouts(tree: DistTree): Rollout[] {
  const cached = cache.get(tree);
  if (cached) return cached;
  const foldersByEnv = clusterFoldersByEnvironment(tree);
  const out: Rollout[] = [];
  for (const set of tree.objects.filter((o) => kindOf(o) === 'ApplicationSet')) {
    const strategy = set.manifest.spec?.strategy;
    if (!isRecord(strategy) || strategy.type !== 'RollingSync') continue;
    const environment = labelsOf(set)[LABEL_ENVIRONMENT] ?? '';
    const folders = foldersByEnv.get(environment) ?? [];
    const rawSteps: unknown[] = isRecord(strategy.rollingSync) && Array.isArray(strategy.rollingSync.steps) ? strategy.rollingSync.steps : [];
    const taken = new Set<string>();
    const steps = rawSteps.map((step, index): RolloutStep => {
      const exprs = isRecord(step) && Array.isArray(step.matchExpressions) ? step.matchExpressions : [];
      // A step without expressions selects nothing (the controller requires at least one to match).
      const selected = exprs.length === 0 ? [] : folders.filter((f) => !taken.has(f) && selects({ matchExpressions: exprs }, applicationLabels(set, f)));
      for (const f of selected) taken.add(f);
      return { index, folders: selected, atOnce: simultaneous(isRecord(step) ? step.maxUpdate : undefined, selected.length) };
    });
    out.push({ set, environment, folders, steps, unselected: folders.filter((f) => !taken.has(f)) });
  }
  cache.set(tree, out);
  return out;
}

/** Voters of a store in each folder (StatefulSet replicas). */
function votersByFolder(store: Store): Map<string, number> {
  return new Map(store.members.map((m) => [m.folder, m.replicas]));
}

export const rolloutStepKeepsQuorum: Rule = {
  id: 'MER141',
  name: 'rollout-step-keeps-quorum',
  description:
    'no step of an ApplicationSet\'s progressive rollout syncs, at the same time, clusters that hold a majority of any consensus store\'s voters (StatefulSet replicas per cluster folder): a change that restarts members must leave a quorum running',
  fix: 'give each region its own step and set maxUpdate: 1 (argocd.rollout: one-cluster-at-a-time), so one cluster\'s share of the voters restarts at a time',
  check(tree) {
    const out: Finding[] = [];
    const stores = findStores(tree);
    for (const r of rollouts(tree)) {
      for (const store of stores.filter((s) => s.environment === r.environment)) {
        const voters = votersByFolder(store);
        const total = [...voters.values()].reduce((a, b) => a + b, 0);
        const quorum = Math.floor(total / 2) + 1;
        for (const step of r.steps) {
          // Worst case: the `atOnce` selected clusters holding the most voters sync together.
          const heaviest = [...step.folders].sort((a, b) => (voters.get(b) ?? 0) - (voters.get(a) ?? 0) || (a < b ? -1 : 1)).slice(0, step.atOnce);
          const down = heaviest.reduce((sum, f) => sum + (voters.get(f) ?? 0), 0);
          if (total - down >= quorum) continue;
          out.push({
            object: r.set,
            path: ['spec', 'strategy', 'rollingSync', 'steps', step.index],
            message: `step ${step.index + 1} of ApplicationSet ${nameOf(r.set)} syncs ${heaviest.join(', ')} at the same time: a change that restarts ${store.kind} ${store.namespace}/${store.name} takes ${down} of its ${total} voters down together and leaves ${total - down} < quorum ${quorum}; select one cluster per step or set maxUpdate: 1`,
          });
        }
      }
    }
    return out;
  },
};

export const rolloutCoversClusters: Rule = {
  id: 'MER142',
  name: 'rollout-covers-clusters',
  description: 'every cluster folder an ApplicationSet with a progressive rollout deploys is selected by one of its steps, and no step syncs none of its Applications (maxUpdate: 0): otherwise the rollout never reaches that cluster',
  fix: 'let the steps select the Application label meridian.dev/cluster of every cluster folder (src/topology/rollout.ts builds one step per region)',
  check(tree) {
    const out: Finding[] = [];
    for (const r of rollouts(tree)) {
      if (r.unselected.length > 0) {
        out.push({
          object: r.set,
          path: ['spec', 'strategy', 'rollingSync', 'steps'],
          message: `no rollout step of ApplicationSet ${nameOf(r.set)} selects the Application of ${r.unselected.join(', ')}: progressive sync turns automated sync off, so that cluster would only ever be synced by hand`,
        });
      }
      for (const step of r.steps) {
        if (step.folders.length > 0 && step.atOnce === 0) {
          out.push({ object: r.set, path: ['spec', 'strategy', 'rollingSync', 'steps', step.index, 'maxUpdate'], message: `step ${step.index + 1} of ApplicationSet ${nameOf(r.set)} has maxUpdate 0: the rollout stops there and never syncs ${step.folders.join(', ')}` });
        }
      }
    }
    return out;
  },
};

/** Whether a NetworkPolicy ingress rule admits `port` (number or container port name) from some namespace selector. */
function admitsFromNamespaces(policy: DistObject, port: { number: number; name?: string }): boolean {
  const rules = Array.isArray(policy.manifest.spec?.ingress) ? policy.manifest.spec.ingress : [];
  return rules.some((r: unknown) => {
    if (!isRecord(r)) return false;
    const fromNamespaces = !Array.isArray(r.from) || r.from.length === 0 || r.from.some((f: unknown) => isRecord(f) && isRecord(f.namespaceSelector));
    const ports = Array.isArray(r.ports) ? r.ports : [];
    const portOk = ports.length === 0 || ports.some((p: unknown) => isRecord(p) && (p.port === undefined || p.port === port.number || (port.name !== undefined && p.port === port.name)));
    return fromNamespaces && portOk;
  });
}

export const scrapeTargetsAdmitted: Rule = {
  id: 'MER143',
  name: 'scrape-targets-admitted',
  description:
    'every port a PodMonitor scrapes on pods of a namespace that denies ingress by default is admitted by a NetworkPolicy selecting those pods from another namespace (where Prometheus runs): otherwise the alerts about that store never fire',
  fix: 'add a NetworkPolicy selecting the scraped pods that admits the metrics port from the Prometheus namespaces (src/constructs/scrape-network-policy.ts)',
  check(tree) {
    const out: Finding[] = [];
    for (const monitor of tree.objects.filter((o) => kindOf(o) === 'PodMonitor')) {
      const ns = namespaceOf(monitor);
      if (ns === undefined) continue;
      const selector = monitor.manifest.spec?.selector;
      const policies = inFolder(tree, monitor.folder, 'NetworkPolicy', ns);
      const denies = policies.some((p) => isRecord(p.manifest.spec) && isEmptySelector(p.manifest.spec.podSelector) && Array.isArray(p.manifest.spec.policyTypes) && p.manifest.spec.policyTypes.includes('Ingress') && !Array.isArray(p.manifest.spec.ingress));
      if (!denies) continue;
      const pods = podTemplates(tree).filter((p) => p.object.folder === monitor.folder && namespaceOf(p.object) === ns && selects(selector, p.labels));
      const endpoints: unknown[] = Array.isArray(monitor.manifest.spec?.podMetricsEndpoints) ? monitor.manifest.spec.podMetricsEndpoints : [];
      endpoints.forEach((e, i) => {
        if (!isRecord(e)) return;
        for (const pod of pods) {
          const ports = containersOf(pod, ['containers']).flatMap((c) => (Array.isArray(c.container.ports) ? c.container.ports : []).filter(isRecord));
          const target = ports.find((p: Record<string, any>) => (typeof e.port === 'string' ? p.name === e.port : p.containerPort === e.portNumber));
          if (!target) {
            out.push({ object: monitor, path: ['spec', 'podMetricsEndpoints', i], message: `PodMonitor ${ns}/${nameOf(monitor)} scrapes port ${String(e.port ?? e.portNumber)}, which ${kindOf(pod.object)} ${nameOf(pod.object)} does not declare` });
            continue;
          }
          const port = { number: Number(target.containerPort), ...(typeof target.name === 'string' ? { name: target.name } : {}) };
          const admitted = policies.some((p) => isRecord(p.manifest.spec) && !isEmptySelector(p.manifest.spec.podSelector) && selects(p.manifest.spec.podSelector, pod.labels) && admitsFromNamespaces(p, port));
          if (!admitted) {
            out.push({ object: monitor, path: ['spec', 'podMetricsEndpoints', i], message: `namespace ${ns} in ${monitor.folder} denies ingress and no NetworkPolicy admits Prometheus from its namespace to port ${port.number} of ${kindOf(pod.object)} ${nameOf(pod.object)}: the scrape fails and its alerts never fire` });
          }
        }
      });
    }
    return out;
  },
};
