import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import type { GroupKind } from '../lib/inventory';

export interface AppProjectProps {
  /** Project name. */
  readonly name: string;
  /** Namespace Argo CD runs in. */
  readonly namespace: string;
  /** The one repository its Applications may deploy from. */
  readonly repoURL: string;
  /** Per destination cluster (Argo CD cluster name), the namespaces objects may be written into. */
  readonly namespacesByCluster: Readonly<Record<string, readonly string[]>>;
  /** The kinds its Applications may create; cluster-scoped ones go to the cluster whitelist. */
  readonly kinds: readonly (GroupKind & { readonly namespaced: boolean })[];
  /** @default - no description */
  readonly description?: string;
}

/**
 * An Argo CD project that permits exactly one repository, the named clusters with the namespaces
 * listed for each, and the listed kinds, so a commit to the bundle repository can neither reach
 * another environment's clusters nor create kinds the generator never writes (a ClusterRoleBinding
 * to cluster-admin, say).
 *
 * Each cluster also gets a destination with the empty namespace: the generated Applications name only
 * the cluster (every object carries its own namespace), and Argo CD matches an Application's empty
 * destination namespace against the project's destinations (argo-cd#11510).
 */
export class AppProject extends Construct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: AppProjectProps) {
    super(scope, id);
    this.name = props.name;
    const clusterKinds = props.kinds.filter((k) => !k.namespaced).map(({ group, kind }) => ({ group, kind }));
    const namespacedKinds = props.kinds.filter((k) => k.namespaced).map(({ group, kind }) => ({ group, kind }));
    const destinations = Object.keys(props.namespacesByCluster)
      .sort()
      .flatMap((cluster) => ['', ...props.namespacesByCluster[cluster]!].map((namespace) => ({ name: cluster, namespace })));
    new argo.AppProject(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        ...(props.description ? { description: props.description } : {}),
        sourceRepos: [props.repoURL],
        destinations,
        clusterResourceWhitelist: clusterKinds,
        // An empty namespaced whitelist would permit every namespaced kind; deny them all instead.
        ...(namespacedKinds.length > 0 ? { namespaceResourceWhitelist: namespacedKinds } : { namespaceResourceBlacklist: [{ group: '*', kind: '*' }] }),
      },
    });
  }

  /** The underlying AppProject object. */
  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
