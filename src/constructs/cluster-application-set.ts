import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';

export interface ClusterApplicationSetProps {
  /** ApplicationSet name. */
  readonly name: string;
  /** Namespace Argo CD runs in. */
  readonly namespace: string;
  readonly repoURL: string;
  readonly revision: string;
  readonly project: string;
  /** Repository folder holding one sub-folder per cluster, e.g. `dist`. */
  readonly root: string;
  /** Sub-folders of `root` that are not this ApplicationSet's clusters. */
  readonly excludedFolders: readonly string[];
  /** Labels for the generated Applications. */
  readonly applicationLabels: Readonly<Record<string, string>>;
}

/**
 * One Argo CD Application per cluster folder: a git directories generator over `<root>/*`, the folder
 * name as destination cluster name (it must equal the Argo CD cluster Secret's name), server-side
 * apply, automated sync. Resources are preserved when a folder disappears, so removing a cluster
 * from the topology never deletes its workloads and data by accident.
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
                ...[...props.excludedFolders].sort().map((f) => ({ path: `${props.root}/${f}`, exclude: true })),
              ],
            },
          },
        ],
        syncPolicy: { preserveResourcesOnDeletion: true },
        template: {
          metadata: {
            name: 'meridian-{{.path.basename}}',
            labels: { ...props.applicationLabels, 'meridian.dev/cluster': '{{.path.basename}}' },
          },
          spec: {
            project: props.project,
            source: { repoUrl: props.repoURL, targetRevision: props.revision, path: '{{.path.path}}' },
            destination: { name: '{{.path.basename}}' },
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
              syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
            },
          },
        },
      },
    });
  }
}
