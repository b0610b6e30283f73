import type { Construct } from 'constructs';
import { ClusterApplicationSet } from '../constructs/cluster-application-set';
import { LABEL } from '../lib/labels';
import type { Environment } from '../topology';
import { MeridianChart } from './meridian-chart';

export interface ArgoCdChartProps {
  readonly environment: Environment;
  /** Top-level folders of dist/ that are not this environment's clusters (dist/argocd, other environments' clusters). */
  readonly excludedFolders: readonly string[];
}

/** dist/argocd/<environment>.yaml: the ApplicationSet that deploys this environment's cluster folders. */
export class ArgoCdChart extends MeridianChart {
  public constructor(scope: Construct, props: ArgoCdChartProps) {
    const env = props.environment;
    super(scope, env.name, { environment: env.name });
    new ClusterApplicationSet(this, 'clusters', {
      name: `meridian-${env.name}`,
      namespace: env.argocd.namespace,
      repoURL: env.argocd.repoURL,
      revision: env.argocd.revision,
      project: env.argocd.project,
      root: env.argocd.path,
      excludedFolders: props.excludedFolders,
      applicationLabels: { [LABEL.environment]: env.name, [LABEL.partOf]: 'meridian', [LABEL.managedBy]: 'meridian' },
    });
  }
}
