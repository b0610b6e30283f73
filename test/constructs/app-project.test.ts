import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { AppProject } from '../../src/constructs/app-project';
import { validateManifest } from '../../src/validate/schema';

const kinds = [
  { group: '', kind: 'Namespace', namespaced: false },
  { group: 'apps', kind: 'Deployment', namespaced: true },
  { group: 'cert-manager.io', kind: 'ClusterIssuer', namespaced: false },
];

describe('AppProject', () => {
  it('defaults: one repository, the named clusters and namespaces, the listed kinds by scope', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new AppProject(chart, 'project', { name: 'meridian-prod', namespace: 'argocd', repoURL: 'https://git.example.com/b.git', namespacesByCluster: { c2: ['shop'], c1: ['shop', 'vault'] }, kinds });
    // THEN
    const [project] = Testing.synth(chart);
    expect(project).toMatchSnapshot();
    expect(project.spec.sourceRepos).toEqual(['https://git.example.com/b.git']);
    expect(project.spec.destinations).toEqual([
      { name: 'c1', namespace: '' },
      { name: 'c1', namespace: 'shop' },
      { name: 'c1', namespace: 'vault' },
      { name: 'c2', namespace: '' },
      { name: 'c2', namespace: 'shop' },
    ]);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }, { group: 'cert-manager.io', kind: 'ClusterIssuer' }]);
    expect(project.spec.namespaceResourceWhitelist).toEqual([{ group: 'apps', kind: 'Deployment' }]);
    expect(validateManifest(project)).toEqual([]);
  });

  it('denies every namespaced kind when none is listed (an empty whitelist would allow them all)', () => {
    const chart = Testing.chart();
    new AppProject(chart, 'project', { name: 'p', namespace: 'argocd', repoURL: 'https://git.example.com/b.git', namespacesByCluster: { c1: [] }, kinds: [kinds[0]!] });
    const [project] = Testing.synth(chart);
    expect(project.spec.namespaceResourceWhitelist).toBeUndefined();
    expect(project.spec.namespaceResourceBlacklist).toEqual([{ group: '*', kind: '*' }]);
  });
});
