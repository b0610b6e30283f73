import type { Construct } from 'constructs';
import { AppProject } from '../constructs/app-project';
import { ClusterApplicationSet } from '../constructs/cluster-application-set';
import type { BundleInventory } from '../lib/inventory';
import { LABEL } from '../lib/labels';
import { applicationSetName, Tier, TIER_LABEL } from '../lib/sync-wave';
import type { Environment } from '../topology';
import { rolloutSteps } from '../topology/rollout';
import { MeridianChart } from './meridian-chart';

export interface ArgoCdChartProps {
  readonly environment: Environment;
  /** Top-level folders of dist/ that are not this environment's clusters (dist/argocd, other environments' clusters). */
  readonly excludedFolders: readonly string[];
  /** What this environment's cluster folders contain. */
  readonly inventory: BundleInventory;
  /** The tier of the cluster folders this chart's ApplicationSet deploys (src/lib/sync-wave.ts, Tier). */
  readonly tier: Tier;
}

/**
 * dist/argocd/<environment>.yaml: the ApplicationSet that deploys the platform tier of this environment's
 * cluster folders and, unless the environment names a project of its own, the AppProject that confines
 * every tier; dist/argocd/<tier>/<environment>.yaml: the ApplicationSet of a later tier, applied by the
 * runbook step after which that tier can converge.
 */
export class ArgoCdChart extends MeridianChart {
  public constructor(scope: Construct, props: ArgoCdChartProps) {
    const env = props.environment;
    super(scope, env.name, { environment: env.name, componentLabel: 'delivery' });
    if (env.argocd.ownProject && props.tier === Tier.PLATFORM) {
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
      name: applicationSetName(env.name, props.tier),
      tier: props.tier === Tier.PLATFORM ? undefined : props.tier,
      namespace: env.argocd.namespace,
      repoURL: env.argocd.repoURL,
      revision: env.argocd.revision,
      project: env.argocd.project,
      root: env.argocd.path,
      excludedFolders: props.excludedFolders,
      applicationLabels: { [LABEL.environment]: env.name, [LABEL.partOf]: 'meridian', [LABEL.managedBy]: 'meridian', [TIER_LABEL]: props.tier },
      kinds: props.inventory.kinds,
      scaledKinds: props.inventory.scaledKinds,
      ...(env.argocd.rollout === 'one-cluster-at-a-time' ? { rolloutSteps: rolloutSteps(env.clusters) } : {}),
    });
  }
}
