import type { Construct } from 'constructs';
import { AppProject } from '../constructs/app-project';
import { ClusterApplicationSet } from '../constructs/cluster-application-set';
import type { BundleInventory } from '../lib/inventory';
import { LABEL } from '../lib/labels';
import type { Environment } from '../topology';
import { rolloutSteps } from '../topology/rollout';
import { MeridianChart } from './meridian-chart';

export interface ArgoCdChartProps {
  readonly environment: Environment;
  /** Top-level folders of dist/ that are not this environment's clusters (dist/argocd, other environments' clusters). */
  readonly excludedFolders: readonly string[];
  /** What this environment's cluster folders contain. */
  readonly inventory: BundleInventory;
}

/**
 * dist/argocd/<environment>.yaml: the ApplicationSet that deploys this environment's cluster folders
 * and, unless the environment names a project of its own, the AppProject that confines them.
 */
export class ArgoCdChart extends MeridianChart {
  public constructor(scope: Construct, props: ArgoCdChartProps) {
    const env = props.environment;
    super(scope, env.name, { environment: env.name, componentLabel: 'delivery' });
    if (env.argocd.ownProject) {
      new AppProject(this, 'project', {
        name: env.argocd.project,
        namespace: env.argocd.namespace,
        repoURL: env.argocd.repoURL,
        namespacesByCluster: Object.fromEntries(env.clusters.map((c) => [c.name, props.inventory.namespacesByCluster[c.name] ?? []])),
        kinds: props.inventory.kinds,
        // Bounded (the CRD allows 255 characters): the clusters are listed as destinations, not here.
        description: `meridian environment ${env.name}: ${env.clusters.length} cluster(s)`,
      });
    }
    new ClusterApplicationSet(this, 'clusters', {
      name: `meridian-${env.name}`,
      namespace: env.argocd.namespace,
      repoURL: env.argocd.repoURL,
      revision: env.argocd.revision,
      project: env.argocd.project,
      root: env.argocd.path,
      excludedFolders: props.excludedFolders,
      applicationLabels: { [LABEL.environment]: env.name, [LABEL.partOf]: 'meridian', [LABEL.managedBy]: 'meridian' },
      kinds: props.inventory.kinds,
      scaledKinds: props.inventory.scaledKinds,
      ...(env.argocd.rollout === 'one-cluster-at-a-time' ? { rolloutSteps: rolloutSteps(env.clusters) } : {}),
    });
  }
}
