import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import type { GroupKind } from '../lib/inventory';
import { ROLLOUT_LABEL } from '../lib/sync-wave';

export interface ClusterApplicationSetProps {
  /** ApplicationSet name. */
  readonly name: string;
  /** Namespace Argo CD runs in. */
  readonly namespace: string;
  readonly repoURL: string;
  readonly revision: string;
  /** Argo CD project of the generated Applications. */
  readonly project: string;
  /** Repository folder holding one sub-folder per cluster, e.g. `dist`. */
  readonly root: string;
  /**
   * The sub-folder of every cluster folder this ApplicationSet deploys (`<root>/<cluster>/<tier>`), named
   * in its Applications' names.
   * @default - the cluster folder itself
   */
  readonly tier?: string;
  /** Sub-folders of `root` that are not this ApplicationSet's clusters; exclude rules win over the include. */
  readonly excludedFolders: readonly string[];
  /** Labels for the generated Applications. */
  readonly applicationLabels: Readonly<Record<string, string>>;
  /** Kinds the cluster folders contain: decides which known drifts are ignored. */
  readonly kinds: readonly GroupKind[];
  /** Kinds a HorizontalPodAutoscaler scales in the cluster folders. */
  readonly scaledKinds: readonly GroupKind[];
  /**
   * Progressive rollout: the cluster folders of each step, steps in order. Absent: every Application
   * syncs automatically and on its own (all at once).
   */
  readonly rolloutSteps?: readonly (readonly string[])[];
}

export { ROLLOUT_LABEL };

/** Template parameter of the git directories generator: the cluster folder's name. */
const FOLDER = '{{.path.basename}}';

/**
 * One Argo CD Application per cluster folder (or per cluster folder's `tier` sub-folder): a git
 * directories generator over `<root>/*` (the cluster folders, whatever tier), the folder
 * name as destination cluster name (it must equal the Argo CD cluster Secret's name), server-side
 * apply, automated sync with pruning and self-heal. Each folder holds a `kustomization.yaml`, so Argo
 * CD renders it with Kustomize (no `directory.recurse`, no plain-directory mode). Resources are
 * preserved when a folder disappears, so removing a cluster from the topology never deletes its
 * workloads and data by accident.
 */
export class ClusterApplicationSet extends Construct {
  public constructor(scope: Construct, id: string, props: ClusterApplicationSetProps) {
    super(scope, id);
    new argo.ApplicationSet(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            git: {
              repoUrl: props.repoURL,
              revision: props.revision,
              directories: [
                { path: `${props.root}/*` },
                ...[...new Set(props.excludedFolders)].sort().map((f) => ({ path: `${props.root}/${f}`, exclude: true })),
              ],
            },
          },
        ],
        syncPolicy: { preserveResourcesOnDeletion: true },
        ...(props.rolloutSteps ? { strategy: rollingSync(props.rolloutSteps) } : {}),
        template: {
          metadata: {
            name: props.tier ? `meridian-${FOLDER}-${props.tier}` : `meridian-${FOLDER}`,
            labels: { ...props.applicationLabels, [ROLLOUT_LABEL]: FOLDER },
          },
          spec: {
            project: props.project,
            source: { repoUrl: props.repoURL, targetRevision: props.revision, path: props.tier ? `{{.path.path}}/${props.tier}` : '{{.path.path}}' },
            destination: { name: FOLDER },
            ...(ignoredDrifts(props).length > 0 ? { ignoreDifferences: ignoredDrifts(props) } : {}),
            syncPolicy: {
              // With RollingSync the ApplicationSet controller syncs each Application itself and forces
              // automated sync off, warning about every template that asks for it (Progressive-Syncs.md,
              // argoproj/argo-cd docs/operator-manual/applicationset/Progressive-Syncs.md): the template
              // then leaves it out, so that a controller without progressive syncs enabled syncs
              // nothing rather than every cluster at once.
              ...(props.rolloutSteps ? {} : { automated: { prune: true, selfHeal: true } }),
              syncOptions: [
                'ServerSideApply=true',
                'RespectIgnoreDifferences=true',
                // The CRDs of the custom kinds come from operators installed outside the sync, and some
                // only once a resource of this very folder is reconciled (the Submariner operator adds
                // ServiceExport with service discovery): a dry run must not fail the whole sync for them.
                'SkipDryRunOnMissingResource=true',
              ],
              // A wave that fails because a CRD or webhook is not there yet is retried, on the newest
              // revision, instead of leaving the cluster half-synced until the next commit.
              retry: { limit: 10, refresh: true, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
            },
          },
        },
      },
    });
  }

  /** The underlying ApplicationSet object. */
  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}

/**
 * Argo CD progressive sync (argoproj/argo-cd docs/operator-manual/applicationset/Progressive-Syncs.md):
 * the steps run in order, each waits until all its Applications are Healthy, and `maxUpdate: 1` syncs
 * one Application of a step at a time. Every cluster folder must be selected by a step: an
 * Application no step selects is never synced by the rollout (MER142 checks it).
 */
function rollingSync(steps: readonly (readonly string[])[]): argo.ApplicationSetSpecStrategy {
  return {
    type: 'RollingSync',
    rollingSync: {
      steps: steps.map((clusters) => ({
        matchExpressions: [{ key: ROLLOUT_LABEL, operator: 'In', values: [...clusters] }],
        maxUpdate: argo.ApplicationSetSpecStrategyRollingSyncStepsMaxUpdate.fromNumber(1),
      })),
    },
  };
}

/**
 * Differences that upstream controllers introduce on the kinds the folders contain (REFERENCE §5.3),
 * and only those. Each would otherwise keep an Application OutOfSync forever or make self-heal fight
 * a controller.
 */
/** The one field Reloader's annotations strategy writes (the pod template annotation `reloader.stakater.com/last-reloaded-from`). */
export const RELOADER_LAST_RELOADED = '.spec.template.metadata.annotations."reloader.stakater.com/last-reloaded-from"';

export function ignoredDrifts(props: Pick<ClusterApplicationSetProps, 'kinds' | 'scaledKinds'>): argo.ApplicationSetSpecTemplateSpecIgnoreDifferences[] {
  const has = (group: string, kind: string): boolean => props.kinds.some((k) => k.group === group && k.kind === kind);
  const out: argo.ApplicationSetSpecTemplateSpecIgnoreDifferences[] = [];
  for (const target of props.scaledKinds) {
    // The HorizontalPodAutoscaler sets replicas through the scale subresource, as kube-controller-manager:
    // without this, self-heal resets every scaling decision to the committed share.
    out.push({ group: target.group, kind: target.kind, managedFieldsManagers: ['kube-controller-manager'] });
  }
  for (const kind of ['Deployment', 'StatefulSet']) {
    if (!has('apps', kind)) continue;
    out.push({
      group: 'apps',
      kind,
      jqPathExpressions: [
        // Reloader, run with its `annotations` strategy (a stated prerequisite, README "Reloader and
        // Argo CD"), rolls a workload by writing this one annotation into the pod template. It is not
        // in Git, so without this self-heal would revert it (stopping the rollout) and flag
        // OutOfSync; with RespectIgnoreDifferences a sync leaves it alone too. The default env-vars
        // strategy writes STAKATER_* variables into the containers instead, which this does not cover
        // (docs.stakater.com/reloader, "Use Reloader with Argo CD").
        RELOADER_LAST_RELOADED,
        // The API server stores each claim template with a `status` and a defaulted `volumeMode`
        // (argo-cd#11143, #16707); the generator already writes the template's apiVersion and kind.
        ...(kind === 'StatefulSet' ? ['.spec.volumeClaimTemplates[]?.spec.volumeMode', '.spec.volumeClaimTemplates[]?.status'] : []),
      ],
    });
  }
  return out.sort((a, b) => cmp(a.group ?? '', b.group ?? '') || cmp(a.kind, b.kind));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
