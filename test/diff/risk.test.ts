// Risk classes on small edits of the complete bundle: what only a risk line would tell a reviewer.
import { describe, expect, it } from 'vitest';
import { diffTrees, type BundleDiff } from '../../src/diff';
import { find, fullBundle, remove, render, type Bundle } from '../validate/full-bundle';

const diff = (a: Bundle, b: Bundle): BundleDiff => diffTrees(render(a), render(b), { base: 'HEAD', head: 'working tree' });
const risks = (d: BundleDiff): string[] => d.risks.map((r) => `${r.class}${r.severe ? '!' : ''} ${r.subject} [${r.clusters.join(',')}]`);

describe('risks', () => {
  it('lists prunes stateful first, a StatefulSet with volume claims marked severe', () => {
    const after = fullBundle();
    remove(after, 'cluster3', 'ServiceExport', 'vault-internal');
    remove(after, 'cluster3', 'StatefulSet', 'vault');
    const d = diff(fullBundle(), after);
    expect(risks(d).filter((r) => r.startsWith('prune'))).toEqual(['prune! StatefulSet vault/vault [cluster3]', 'prune ServiceExport vault/vault-internal [cluster3]']);
    expect(d.risks.find((r) => r.class === 'prune')!.detail).toBe('Argo CD prunes it (stateful: its pods stop; the PersistentVolumeClaims stay, unowned)');
    // and the store loses a member
    expect(risks(d)).toContain('membership store vault/vault [cluster3]');
  });

  it('restarts a workload whose ConfigMap changes only when Reloader watches it, and counts its pods', () => {
    const watching = (annotations: Record<string, string>): [Bundle, Bundle] => {
      const [before, after] = [fullBundle(), fullBundle()];
      for (const b of [before, after]) find(b, 'cluster2', 'StatefulSet', 'vault').metadata.annotations = annotations;
      const cm = find(after, 'cluster2', 'ConfigMap', 'vault-config');
      cm.data = { ...cm.data, extra: 'x' };
      return [before, after];
    };
    const restarts = (d: BundleDiff): unknown[] => d.risks.filter((r) => r.class === 'restart').map((r) => [r.subject, r.clusters, r.pods]);
    const replicas = find(fullBundle(), 'cluster2', 'StatefulSet', 'vault').spec.replicas as number;
    expect(restarts(diff(...watching({ 'configmap.reloader.stakater.com/reload': 'other,vault-config' })))).toEqual([['StatefulSet vault/vault', ['cluster2'], { cluster2: replicas }]]);
    // auto: any ConfigMap its pods mount
    expect(restarts(diff(...watching({ 'reloader.stakater.com/auto': 'true' })))).toEqual([['StatefulSet vault/vault', ['cluster2'], { cluster2: replicas }]]);
    expect(restarts(diff(...watching({ 'secret.reloader.stakater.com/reload': 'vault-tls' })))).toEqual([]);
  });

  it('calls store restarts in several clusters severe unless the ApplicationSet rolls them out step by step', () => {
    const restartEverywhere = (rolling: boolean): BundleDiff => {
      const [before, after] = [fullBundle(), fullBundle()];
      for (const b of [before, after]) {
        const set = find(b, 'argocd', 'ApplicationSet', 'meridian-demo');
        if (rolling) set.spec.strategy = { type: 'RollingSync', rollingSync: { steps: [] } };
        else delete set.spec.strategy;
      }
      for (const c of ['cluster1', 'cluster2', 'cluster3']) find(after, c, 'StatefulSet', 'vault').spec.template.spec.containers[0].image = 'hashicorp/vault:1.17.7';
      return diff(before, after);
    };
    expect(risks(restartEverywhere(false))).toContain('quorum! store vault/vault [cluster1,cluster2,cluster3]');
    expect(restartEverywhere(false).risks.find((r) => r.class === 'quorum')!.detail).toMatch(/Argo CD syncs every cluster at once/);
    expect(risks(restartEverywhere(true))).toContain('quorum store vault/vault [cluster1,cluster2,cluster3]');
    expect(restartEverywhere(true).risks.find((r) => r.class === 'quorum')!.detail).toMatch(/RollingSync syncs one step after the other/);
  });

  it('calls an entry added to an ipBlock except a narrowing, not an opening, and one removed an opening', () => {
    const withBlock = (except: string[]): Bundle => {
      const b = fullBundle();
      const policy = find(b, 'cluster1', 'NetworkPolicy', 'vault', 'vault');
      policy.spec.ingress = [...(policy.spec.ingress ?? []), { from: [{ ipBlock: { cidr: '10.0.0.0/8', except } }] }];
      return b;
    };
    expect(risks(diff(withBlock([]), withBlock(['10.99.0.0/16']))).filter((r) => r.startsWith('network'))).toEqual([]);
    expect(risks(diff(withBlock(['10.99.0.0/16']), withBlock([]))).filter((r) => r.startsWith('network'))).toEqual(['network NetworkPolicy vault/vault [cluster1]']);
  });

  it('calls a removed NetworkPolicy an opening', () => {
    const after = fullBundle();
    remove(after, 'cluster1', 'NetworkPolicy', 'default-deny', 'vault');
    expect(risks(diff(fullBundle(), after)).filter((r) => r.startsWith('network'))).toEqual(['network NetworkPolicy vault/default-deny [cluster1]']);
  });
});
