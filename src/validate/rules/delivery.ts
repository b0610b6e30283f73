// Rules about how the bundle reaches clusters and users: the ApplicationSets deploy each cluster
// folder exactly once, to the cluster of that name; the global DNS records send a hostname to the
// clusters that serve it and to no drained one.
import { LABEL } from '../../lib/labels';
import { dependencies, Tier, TIERS } from '../../lib/sync-wave';
import { clusterFoldersByEnvironment, environmentOfFolder, inFolder, kindOf, labelsOf, nameOf, namespaceOf } from '../manifest';
import type { Finding, Rule } from '../rule';
import { isClusterFolder, isRecord, LABEL_ENVIRONMENT, type DistObject, type DistTree } from '../tree';

export const applicationSetCoversClusters: Rule = {
  id: 'MER090',
  name: 'applicationset-covers-clusters',
  description: 'the ApplicationSets\' git directory generators turn every cluster folder into exactly one Application per source path (the folder and each of its tier sub-folders), of its own environment, whose destination is the cluster named like the folder; argocd/ is never deployed as a cluster',
  fix: 'let the argocd chart exclude argocd/ and the other environments\' folders, and set destination.name to {{.path.basename}}',
  check(tree) {
    const out: Finding[] = [];
    const sets = tree.objects.filter((o) => kindOf(o) === 'ApplicationSet');
    if (sets.length === 0) return out;
    const folders = [...new Set(tree.files.filter((f) => f.includes('/')).map((f) => f.slice(0, f.indexOf('/'))))].sort();
    const coverage = new Map<string, DistObject[]>();
    for (const set of sets) {
      const generators = Array.isArray(set.manifest.spec?.generators) ? set.manifest.spec.generators : [];
      const dirs = generators.flatMap((g: unknown) => (isRecord(g) && isRecord(g.git) && Array.isArray(g.git.directories) ? g.git.directories : [])).filter(isRecord);
      const includes = dirs.filter((d: Record<string, any>) => d.exclude !== true).map((d: Record<string, any>) => String(d.path));
      const excludes = dirs.filter((d: Record<string, any>) => d.exclude === true).map((d: Record<string, any>) => String(d.path));
      for (const folder of folders) {
        const matches = includes.some((p: string) => globMatches(p, folder)) && !excludes.some((p: string) => globMatches(p, folder));
        // A cluster folder's tiers (sub-folders) each have an ApplicationSet of their own: count per source path.
        const source = String(set.manifest.spec?.template?.spec?.source?.path ?? '');
        const key = `${folder}\u0000${source}`;
        if (matches) coverage.set(key, [...(coverage.get(key) ?? []), set]);
      }
      const destination = set.manifest.spec?.template?.spec?.destination;
      if (includes.length > 0 && (!isRecord(destination) || typeof destination.name !== 'string' || !/^\{\{\s*\.?path\.basename(Normalized)?\s*\}\}$/.test(destination.name))) {
        out.push({ object: set, path: ['spec', 'template', 'spec', 'destination'], message: `ApplicationSet ${nameOf(set)} must deploy each folder to the Argo CD cluster named like it: destination.name: '{{.path.basename}}'` });
      }
    }
    for (const folder of folders) {
      // Per source path: a cluster folder's tiers (sub-folders) each have an ApplicationSet of their own.
      const bySource = [...coverage].filter(([k]) => k.startsWith(`${folder}\u0000`)).sort(([a], [b]) => (a < b ? -1 : 1));
      const all = bySource.flatMap(([, v]) => v);
      if (!isClusterFolder(folder)) {
        for (const set of all) out.push({ object: set, path: ['spec', 'generators'], message: `ApplicationSet ${nameOf(set)} turns ${folder}/ into an Application for a cluster named ${folder}; exclude it` });
        continue;
      }
      const env = environmentOfFolder(tree, folder);
      if (all.length === 0) {
        const first = sets.find((s) => labelsOf(s)[LABEL_ENVIRONMENT] === env) ?? sets[0]!;
        out.push({ object: first, path: ['spec', 'generators'], message: `no ApplicationSet deploys cluster folder ${folder}/${env ? ` (environment ${env})` : ''}: its objects would never reach the cluster` });
        continue;
      }
      for (const [, covering] of bySource) {
        if (covering.length > 1) {
          out.push({ object: covering[1]!, path: ['spec', 'generators'], message: `cluster folder ${folder}/ is deployed by ${covering.length} ApplicationSets (${covering.map(nameOf).join(', ')}); two Applications would fight over the same objects` });
          continue;
        }
        const setEnv = labelsOf(covering[0]!)[LABEL_ENVIRONMENT];
        if (env !== '' && setEnv !== undefined && setEnv !== env) out.push({ object: covering[0]!, path: ['spec', 'generators'], message: `ApplicationSet ${nameOf(covering[0]!)} of environment ${setEnv} deploys ${folder}/, a cluster of environment ${env}; exclude it` });
      }
    }
    return out;
  },
};

/** Whether a generator path (`dist/*`, `dist/argocd`) names a top-level folder, whatever the repository prefix. */
function globMatches(pattern: string, folder: string): boolean {
  const parts = pattern.replace(/\/+$/, '').split('/');
  const last = parts[parts.length - 1]!;
  const regex = new RegExp(`^${last.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  return regex.test(folder);
}

export const gslbTargetsServingClusters: Rule = {
  id: 'MER091',
  name: 'gslb-targets-serving-clusters',
  description: 'each GlobalDNSRecord sends its hostname to exactly the clusters whose HTTPRoutes serve it undrained, through a load-balancer Service that exists there (the Gateway\'s <gateway>-<class> Service)',
  fix: 'build the record\'s endpoints from the service\'s servingIn clusters and the shared ingress names (INGRESS in src/lib/names.ts)',
  check(tree) {
    const out: Finding[] = [];
    const clustersByEnv = clusterFoldersByEnvironment(tree);
    const routesByHost = new Map<string, DistObject[]>(); // lower-cased hostname -> HTTPRoutes naming it
    for (const o of tree.objects) {
      if (kindOf(o) !== 'HTTPRoute' || !Array.isArray(o.manifest.spec?.hostnames)) continue;
      for (const h of new Set<string>(o.manifest.spec.hostnames.map((x: unknown) => String(x).toLowerCase()))) {
        const list = routesByHost.get(h);
        if (list) list.push(o);
        else routesByHost.set(h, [o]);
      }
    }
    for (const record of tree.objects.filter((o) => kindOf(o) === 'GlobalDNSRecord')) {
      const env = environmentOfFolder(tree, record.folder);
      const clusters = clustersByEnv.get(env) ?? [];
      const host = String(record.manifest.spec?.name ?? '').toLowerCase();
      const endpoints = (Array.isArray(record.manifest.spec?.endpoints) ? record.manifest.spec.endpoints : []) as unknown[];
      const targeted = new Set<string>();
      endpoints.forEach((e, i) => {
        if (!isRecord(e)) return;
        const at = ['spec', 'endpoints', i];
        const cluster = String(e.clusterName);
        targeted.add(cluster);
        if (!clusters.includes(cluster)) {
          out.push({ object: record, path: [...at, 'clusterName'], message: `endpoint cluster ${cluster} of ${host} is not a cluster of ${env ? `environment ${env}` : 'the tree'} (clusters: ${clusters.join(', ')})` });
          return;
        }
        const ref = e.loadBalancerServiceRef;
        if (isRecord(ref) && !loadBalancerExists(tree, cluster, String(ref.namespace), String(ref.name))) {
          out.push({ object: record, path: [...at, 'loadBalancerServiceRef'], message: `endpoint ${cluster} of ${host} points at Service ${String(ref.namespace)}/${String(ref.name)}, which ${cluster} neither defines as a LoadBalancer Service nor gets from a Gateway (<gateway>-<gatewayClassName>)` });
        }
      });
      const routes = (routesByHost.get(host) ?? []).filter((o) => clusters.includes(o.folder));
      if (routes.length === 0) continue;
      const serving = [...new Set(routes.filter((r) => labelsOf(r)[LABEL.drained] !== 'true').map((r) => r.folder))].sort();
      const drained = [...new Set(routes.filter((r) => labelsOf(r)[LABEL.drained] === 'true').map((r) => r.folder))].sort();
      for (const c of serving.filter((x) => !targeted.has(x))) out.push({ object: record, path: ['spec', 'endpoints'], message: `${c} serves ${host} but is not an endpoint of its GlobalDNSRecord: it would get no global traffic, and a failure elsewhere could not fail over to it` });
      for (const c of drained.filter((x) => targeted.has(x))) out.push({ object: record, path: ['spec', 'endpoints'], message: `${host} is drained in ${c} (its HTTPRoute is labelled ${LABEL.drained}) but ${c} is still an endpoint of the GlobalDNSRecord; leave drained clusters out of the record` });
    }
    return out;
  },
};

function loadBalancerExists(tree: DistTree, folder: string, namespace: string, name: string): boolean {
  if (inFolder(tree, folder, 'Service', namespace).some((s) => nameOf(s) === name && s.manifest.spec?.type === 'LoadBalancer')) return true;
  return inFolder(tree, folder, 'Gateway', namespace).some((g) => `${nameOf(g)}-${String(g.manifest.spec?.gatewayClassName)}` === name && namespaceOf(g) === namespace);
}

/** Longest a hook Job may hold its wave, and its pod retries (INIT_JOB_BOUNDS, SCHEDULE_JOB_BOUNDS). */
export const HOOK_JOB_LIMITS = { activeDeadlineSeconds: 900, backoffLimit: 2 } as const;

/**
 * An Argo CD hook runs on every sync operation, retries included (argo-cd docs/user-guide/resource_hooks.md,
 * REFERENCE §9.6), and the sync waits for it: a hook Job without a deadline holds every later wave for
 * as long as it keeps failing (Kubernetes' default backoffLimit is 6 pods, each retried with back-off).
 */
export const syncHookJobBounded: Rule = {
  id: 'MER161',
  name: 'sync-hook-job-bounded',
  description: `every Job that is an Argo CD hook (argocd.argoproj.io/hook) sets activeDeadlineSeconds of at most ${HOOK_JOB_LIMITS.activeDeadlineSeconds} and backoffLimit of at most ${HOOK_JOB_LIMITS.backoffLimit}: it re-runs on every sync and retry, and the sync waits for it`,
  fix: 'set spec.activeDeadlineSeconds and spec.backoffLimit in the hook Job\'s construct (src/constructs/cockroachdb-init-job.ts, cockroachdb-backup-schedule-job.ts), and let its script end at once when there is nothing to do',
  check(tree) {
    const out: Finding[] = [];
    for (const job of tree.objects.filter((o) => kindOf(o) === 'Job' && isRecord(o.manifest.metadata?.annotations) && typeof o.manifest.metadata.annotations['argocd.argoproj.io/hook'] === 'string')) {
      const spec = isRecord(job.manifest.spec) ? job.manifest.spec : {};
      const where = `hook Job ${namespaceOf(job) ?? ''}/${nameOf(job)} in ${job.folder}`;
      const deadline = spec.activeDeadlineSeconds;
      if (typeof deadline !== 'number' || deadline > HOOK_JOB_LIMITS.activeDeadlineSeconds) {
        out.push({ object: job, path: ['spec', 'activeDeadlineSeconds'], message: `${where} ${typeof deadline === 'number' ? `may run for ${deadline} s` : 'has no activeDeadlineSeconds'}; it runs on every sync and holds its wave: at most ${HOOK_JOB_LIMITS.activeDeadlineSeconds} s` });
      }
      const backoff = spec.backoffLimit;
      if (typeof backoff !== 'number' || backoff > HOOK_JOB_LIMITS.backoffLimit) {
        out.push({ object: job, path: ['spec', 'backoffLimit'], message: `${where} ${typeof backoff === 'number' ? `retries ${backoff} pods` : 'has no backoffLimit (Kubernetes retries 6 pods)'}; at most ${HOOK_JOB_LIMITS.backoffLimit}` });
      }
    }
    return out;
  },
};

/** `group/kind` of an object as an AppProject whitelist names it (the core group is ''). */
function groupKind(o: DistObject): string {
  const v = String(o.manifest.apiVersion ?? '');
  return `${v.includes('/') ? v.slice(0, v.indexOf('/')) : ''}/${kindOf(o)}`;
}

/**
 * Argo CD refuses to sync a resource whose kind the Application's project does not permit (cluster-scoped
 * kinds only through clusterResourceWhitelist; argo-cd docs/user-guide/projects.md), and permits whatever
 * the lists admit: the project meridian writes must match the bundle exactly (issue #15, finding 5).
 */
export const appProjectAdmitsBundle: Rule = {
  id: 'MER211',
  name: 'app-project-admits-bundle',
  description:
    "an AppProject in argocd/ admits exactly the kinds of its environment's cluster folders, every tier included, each in the whitelist of its scope (cluster-scoped kinds in clusterResourceWhitelist, namespaced ones in namespaceResourceWhitelist), and no wildcard: a kind it misses is refused at every sync, a kind it adds lets a commit create what meridian never writes",
  fix: 'let the argocd chart build the AppProject from the bundle inventory (src/lib/inventory.ts) by leaving argocd.project out of the environment file; never edit dist/argocd by hand',
  check(tree) {
    const out: Finding[] = [];
    const foldersByEnv = clusterFoldersByEnvironment(tree);
    for (const project of tree.objects.filter((o) => kindOf(o) === 'AppProject' && o.folder === 'argocd')) {
      const env = labelsOf(project)[LABEL_ENVIRONMENT] ?? '';
      const folders = new Set(foldersByEnv.get(env) ?? []);
      // A tree that holds none of the environment's folders (synth --env of another one) says nothing about them.
      if (folders.size === 0) continue;
      const want = { cluster: new Set<string>(), namespaced: new Set<string>() };
      for (const o of tree.objects) {
        if (!folders.has(o.folder)) continue;
        (namespaceOf(o) === undefined ? want.cluster : want.namespaced).add(groupKind(o));
      }
      const listed = (field: string): Set<string> => {
        const list = project.manifest.spec?.[field];
        return new Set((Array.isArray(list) ? list : []).filter(isRecord).map((e: Record<string, unknown>) => `${String(e.group ?? '')}/${String(e.kind ?? '')}`));
      };
      for (const [field, wanted] of [['clusterResourceWhitelist', want.cluster], ['namespaceResourceWhitelist', want.namespaced]] as const) {
        const have = listed(field);
        const missing = [...wanted].filter((k) => !have.has(k)).sort();
        const extra = [...have].filter((k) => !wanted.has(k)).sort();
        if (missing.length > 0) out.push({ object: project, path: ['spec', field], message: `AppProject ${nameOf(project)} does not admit ${missing.join(', ')}, which ${env ? `environment ${env}'s` : 'the'} cluster folders contain: Argo CD refuses to sync them` });
        if (extra.length > 0) out.push({ object: project, path: ['spec', field], message: `AppProject ${nameOf(project)} admits ${extra.join(', ')}, which no cluster folder of ${env ? `environment ${env}` : 'the tree'} contains: a commit could create ${extra.length === 1 ? 'it' : 'them'} unchecked` });
      }
    }
    return out;
  },
};

/** The tier of an object from its place: the cluster folder itself is the platform, a sub-folder its tier. */
function tierOfFile(o: DistObject): string {
  const rest = o.file.slice(o.folder.length + 1);
  return rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : Tier.PLATFORM;
}

/**
 * The tiers of a cluster folder are separate Applications, created one after the other by the runbook
 * (src/lib/sync-wave.ts, Tier): an object whose dependency sits in a later tier waits for an Application
 * that does not exist yet, and holds its own Application's waves (issue #15).
 */
export const tierDependenciesEarlier: Rule = {
  id: 'MER212',
  name: 'tier-dependencies-earlier',
  description:
    'in a cluster folder split into tiers (platform, vault-config, vault-pki, services), every object depends only on objects of its own or an earlier tier: the issuer of a Certificate, the Certificates whose Secrets a pod mounts, the Gateway of a route, the workloads behind its backends, the target of an HPA',
  fix: 'let the synthesizer place the objects (planTiers in src/lib/sync-wave.ts follows these references); an object added by a patch or a team chart belongs in the tier of what it uses',
  check(tree) {
    const out: Finding[] = [];
    const order = TIERS as readonly string[];
    const byFolder = new Map<string, DistObject[]>();
    for (const o of tree.objects) if (isClusterFolder(o.folder)) byFolder.set(o.folder, [...(byFolder.get(o.folder) ?? []), o]);
    for (const objects of byFolder.values()) {
      if (!objects.some((o) => tierOfFile(o) !== Tier.PLATFORM)) continue;
      const deps = dependencies(objects.map((o) => o.manifest));
      objects.forEach((o, i) => {
        const mine = order.indexOf(tierOfFile(o));
        for (const d of deps[i]!) {
          const dep = objects[d]!;
          if (order.indexOf(tierOfFile(dep)) > mine) {
            out.push({ object: o, message: `${kindOf(o)} ${namespaceOf(o) ? `${namespaceOf(o)}/` : ''}${nameOf(o)} is in tier ${tierOfFile(o)} but needs ${kindOf(dep)} ${namespaceOf(dep) ? `${namespaceOf(dep)}/` : ''}${nameOf(dep)} of the later tier ${tierOfFile(dep)}, whose Application the runbook creates only afterwards` });
          }
        }
      });
    }
    return out;
  },
};
