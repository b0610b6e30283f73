import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ClusterApplicationSet, ignoredDrifts, type ClusterApplicationSetProps } from '../../src/constructs/cluster-application-set';
import { validateManifest } from '../../src/validate/schema';

const props = (over: Partial<ClusterApplicationSetProps> = {}): ClusterApplicationSetProps => ({
  name: 'meridian-prod',
  namespace: 'argocd',
  repoURL: 'https://git.example.com/b.git',
  revision: 'main',
  project: 'meridian-prod',
  root: 'dist',
  excludedFolders: ['argocd', 'other'],
  applicationLabels: { 'meridian.dev/environment': 'prod' },
  kinds: [],
  scaledKinds: [],
  ...over,
});

describe('ClusterApplicationSet', () => {
  it('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new ClusterApplicationSet(chart, 'clusters', props());
    // THEN
    const [set] = Testing.synth(chart);
    expect(set).toMatchSnapshot();
    expect(validateManifest(set)).toEqual([]);
  });

  it('walks <root>/* and excludes the other folders', () => {
    const chart = Testing.chart();
    new ClusterApplicationSet(chart, 'clusters', props({ excludedFolders: ['other', 'argocd', 'argocd'] }));
    expect(Testing.synth(chart)[0].spec.generators[0].git.directories).toEqual([
      { path: 'dist/*' },
      { path: 'dist/argocd', exclude: true },
      { path: 'dist/other', exclude: true },
    ]);
  });

  it('ignores nothing when the folders hold no kind with a known drift', () => {
    expect(ignoredDrifts({ kinds: [{ group: 'apps', kind: 'DaemonSet' }], scaledKinds: [] })).toEqual([]);
  });

  it('ignores exactly the annotation Reloader writes with its annotations strategy, and nothing of its env-vars strategy', () => {
    // Reloader is a prerequisite with --reload-strategy=annotations: it then rolls a workload by
    // writing reloader.stakater.com/last-reloaded-from into the pod template, which self-heal must
    // not revert. The env-vars strategy (STAKATER_* container variables) stays visible as drift.
    const drifts = ignoredDrifts({ kinds: [{ group: 'apps', kind: 'Deployment' }], scaledKinds: [] });
    expect(drifts).toEqual([{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.template.metadata.annotations."reloader.stakater.com/last-reloaded-from"'] }]);
    expect(JSON.stringify(drifts)).not.toMatch(/env|containers/);
  });

  it('ignores the claim-template defaults of StatefulSets', () => {
    expect(ignoredDrifts({ kinds: [{ group: 'apps', kind: 'StatefulSet' }], scaledKinds: [] })).toEqual([
      {
        group: 'apps',
        kind: 'StatefulSet',
        jqPathExpressions: ['.spec.template.metadata.annotations."reloader.stakater.com/last-reloaded-from"', '.spec.volumeClaimTemplates[]?.spec.volumeMode', '.spec.volumeClaimTemplates[]?.status'],
      },
    ]);
  });

  it('leaves the replicas of autoscaled kinds to the HPA (kube-controller-manager)', () => {
    expect(ignoredDrifts({ kinds: [{ group: 'apps', kind: 'Deployment' }], scaledKinds: [{ group: 'apps', kind: 'Deployment' }] })).toContainEqual({ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['kube-controller-manager'] });
  });
});
