// The platform rules on real output: the default environment (OpenShift) and the hybrid fixture
// (OpenShift and Kubernetes) pass them, and reintroducing each defect of issue #13 into the
// synthesized bundle makes exactly its rule fire.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { synthesize } from '../../src/synth/synthesize';
import { clusterView } from '../../src/topology';
import { treeFromFiles, validateTree, violationLine, type Violation } from '../../src/validate';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';

const prodTopology = topologyOf('environments/prod.yaml');
const hybridTopology = topologyOf(`${FIXTURE_ENVIRONMENTS}/hybrid.yaml`);
const prod = synthesize(prodTopology).files;
const hybrid = synthesize(hybridTopology).files;

type Doc = Record<string, any>;

/** The bundle with the documents of one file edited. */
function edited(files: ReadonlyMap<string, string>, file: string, edit: (docs: Doc[]) => void): Map<string, string> {
  const out = new Map(files);
  const docs = parseAllDocuments(out.get(file)!).map((d) => d.toJS() as Doc);
  edit(docs);
  out.set(file, docs.map((d) => stringify(d)).join('---\n'));
  return out;
}

const one = (docs: Doc[], kind: string, name: string): Doc => {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!d) throw new Error(`no ${kind} ${name}`);
  return d;
};

function violations(files: ReadonlyMap<string, string>): Violation[] {
  return validateTree(treeFromFiles(files));
}

describe('platform profiles in the cluster view', () => {
  it('leave the IDs to restricted-v2 for Vault on OpenShift and fix them on Kubernetes', () => {
    expect(clusterView(hybridTopology.environments[0]!, 'aws1').vaultMember!.podSecurity).toEqual({});
    expect(clusterView(hybridTopology.environments[0]!, 'dc1').vaultMember!.podSecurity).toEqual({ ids: { runAsUser: 100, runAsGroup: 1000, fsGroup: 1000 } });
  });

  it('keep CockroachDB on fixed IDs everywhere and grant nonroot-v2 on OpenShift only', () => {
    expect(clusterView(hybridTopology.environments[0]!, 'aws2').cockroachdbMember!.podSecurity.scc).toBe('nonroot-v2');
    expect(clusterView(hybridTopology.environments[0]!, 'dc1').cockroachdbMember!.podSecurity.scc).toBeUndefined();
    expect(clusterView(hybridTopology.environments[0]!, 'dc1').cockroachdbMember!.podSecurity.ids).toEqual({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
  });

  it('resolve DNS and the vault-config-operator namespace per platform, an explicit namespace winning', () => {
    const env = hybridTopology.environments[0]!;
    expect(clusterView(env, 'aws1').platform.dns).toEqual({ namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [53, 5353] });
    expect(clusterView(env, 'dc1').platform.dns).toEqual({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53] });
    expect(clusterView(env, 'aws1').vaultMember!.clientNamespaces).toContain('openshift-operators');
    expect(clusterView(env, 'dc1').vaultMember!.clientNamespaces).toContain('vault-operators');
    expect(clusterView(topologyOf(`${FIXTURE_ENVIRONMENTS}/globalnet.yaml`).environments[0]!, 'ams1').platform.vaultConfigOperatorNamespace).toBe('vault-config-operator');
  });
});

describe('the platform rules', () => {
  it('pass the default environment and the hybrid fixture', () => {
    expect(violations(prod).map(violationLine)).toEqual([]);
    expect(violations(hybrid).map(violationLine)).toEqual([]);
  });

  it('MER041 fires when Vault pins its IDs on OpenShift again, and not once its ServiceAccount is granted an SCC', () => {
    const pinned = edited(prod, 'cluster1/vault.yaml', (docs) => {
      Object.assign(one(docs, 'StatefulSet', 'vault').spec.template.spec.securityContext, { runAsUser: 100, runAsGroup: 1000, fsGroup: 1000 });
    });
    const v = violations(pinned);
    expect(v.map((x) => x.rule)).toEqual(['MER041']);
    expect(v[0]!.message).toMatch(/StatefulSet vault\/vault fixes runAsUser 100, runAsGroup 1000, fsGroup 1000 on OpenShift cluster cluster1, but ServiceAccount vault is granted no SCC/);
    expect(v[0]!.location).toMatchObject({ file: 'dist/cluster1/vault.yaml', path: 'spec.template.spec.securityContext.runAsUser' });

    const granted = edited(pinned, 'cluster1/vault.yaml', (docs) => {
      const sa = one(docs, 'ServiceAccount', 'vault');
      const meta = (name: string): Doc => ({ ...structuredClone(sa.metadata), name });
      docs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('vault-scc'), rules: [{ apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: ['nonroot-v2'], verbs: ['use'] }] });
      docs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('vault-scc'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'vault-scc' }, subjects: [{ kind: 'ServiceAccount', name: 'vault', namespace: 'vault' }] });
    });
    expect(violations(granted).filter((x) => x.rule === 'MER041')).toEqual([]);
  });

  it('MER041 fires when the CockroachDB SCC grant names another ServiceAccount', () => {
    const v = violations(
      edited(prod, 'cluster2/cockroachdb.yaml', (docs) => {
        one(docs, 'RoleBinding', 'cockroachdb-scc-nonroot-v2').subjects[0].name = 'default';
      }),
    );
    expect([...new Set(v.map((x) => x.rule))]).toEqual(['MER041']);
    expect(v[0]!.message).toMatch(/StatefulSet cockroachdb\/cockroachdb fixes runAsUser 1000, runAsGroup 1000, fsGroup 1000 on OpenShift cluster cluster2/);
  });

  it('MER051 fires when Vault admits DNS on 53 only on OpenShift', () => {
    const v = violations(
      edited(prod, 'cluster3/vault.yaml', (docs) => {
        const dns = one(docs, 'NetworkPolicy', 'vault').spec.egress[0];
        dns.ports = dns.ports.filter((p: Doc) => p.port === 53);
      }),
    );
    expect(v.map((x) => x.rule)).toEqual(['MER051']);
    expect(v[0]!.message).toMatch(/StatefulSet vault\/vault has restricted egress on openshift cluster cluster3 and no NetworkPolicy admits DNS \(UDP, TCP 5353 to openshift-dns\)/);
  });

  it('MER051 fires when a Kubernetes cluster is sent to OpenShift DNS', () => {
    const v = violations(
      edited(hybrid, 'dc1/vault.yaml', (docs) => {
        one(docs, 'NetworkPolicy', 'vault').spec.egress[0].to = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } } }];
      }),
    );
    expect(v.map((x) => x.rule)).toEqual(['MER051']);
    expect(v[0]!.message).toMatch(/on kubernetes cluster dc1 and no NetworkPolicy admits DNS \(UDP, TCP 53 to kube-system\)/);
  });

  it('MER052 fires when the Vault client Service selects every member again', () => {
    const v = violations(
      edited(prod, 'cluster1/vault.yaml', (docs) => {
        const selector = one(docs, 'Service', 'vault').spec.selector;
        delete selector['vault-initialized'];
        delete selector['vault-sealed'];
      }),
    );
    expect(v.map((x) => x.rule)).toEqual(['MER052']);
    expect(v[0]!.message).toMatch(/without selecting vault-initialized: "true", vault-sealed: "false"/);
  });

  it('MER053 fires when an OpenShift cluster loses the Route of its per-cluster hostname', () => {
    const v = violations(
      edited(prod, 'cluster2/ingress.yaml', (docs) => {
        docs.splice(docs.indexOf(one(docs, 'Route', 'shop-cluster')), 1);
      }),
    );
    expect(v.map((x) => x.rule)).toEqual(['MER053']);
    expect(v[0]!.message).toMatch(/shop.apps.cluster2.example.com resolves to the OpenShift router of cluster2/);
  });

  it('hands the external-dns global hostname to the gateway through the router on OpenShift only', () => {
    const hosts = (folder: string): string[] =>
      parseAllDocuments(hybrid.get(`${folder}/ingress.yaml`)!)
        .map((d) => d.toJS() as Doc)
        .filter((d) => d.kind === 'Route')
        .map((d) => d.spec.host)
        .sort();
    expect(hosts('aws1')).toEqual(['orders.apps.aws1.example.org', 'orders.hybrid.example.org']);
    expect(hosts('dc1')).toEqual([]);
  });

  it('MER110 fires when the runbook no longer creates a hub kubeconfig Secret the GSLB records name', () => {
    const files = new Map(prod);
    const doc = JSON.parse(files.get('prod.prerequisites.json')!);
    const hub = doc.clusters.find((c: Doc) => c.cluster === 'cluster1');
    hub.secrets = hub.secrets.filter((s: Doc) => s.name !== 'cluster2-kubeconfig');
    files.set('prod.prerequisites.json', JSON.stringify(doc));
    const v = violations(files);
    expect(v.map((x) => x.rule)).toEqual(['MER110']);
    expect(v[0]!.message).toMatch(/GlobalDNSRecord global-load-balancer-operator\/shop in cluster1 names Secret global-load-balancer-operator\/cluster2-kubeconfig, which no Certificate issues/);
  });
});
