// The constructs of the platform profiles: a passthrough Route to the gateway, an SCC grant to exactly
// one ServiceAccount, a remote reader with exactly its rules, and the DNS egress rule per platform.
import { describe, expect, it } from 'vitest';
import { dnsEgressRule, podSecurityContext, SccGrant } from '../../src/constructs/pod-security';
import { PassthroughRoute } from '../../src/constructs/passthrough-route';
import { RemoteAccess } from '../../src/constructs/remote-access';
import { chart, synthValid } from './helpers';

describe('PassthroughRoute', () => {
  it('hands one host to the gateway Service without terminating TLS, and refuses plain HTTP', () => {
    const c = chart();
    new PassthroughRoute(c, 'r', { name: 'shop-cluster', namespace: 'meridian-ingress', host: 'shop.apps.c1.example.com', service: 'meridian-gateway-istio', targetPort: 443 });
    const [route] = synthValid(c);
    expect(route).toMatchObject({
      apiVersion: 'route.openshift.io/v1',
      kind: 'Route',
      spec: { host: 'shop.apps.c1.example.com', to: { kind: 'Service', name: 'meridian-gateway-istio', weight: 100 }, port: { targetPort: 443 }, tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' }, wildcardPolicy: 'None' },
    });
  });
});

describe('SccGrant', () => {
  it('lets exactly one ServiceAccount use exactly one SCC, in its namespace only', () => {
    const c = chart();
    new SccGrant(c, 'g', { namespace: 'cockroachdb', serviceAccount: 'cockroachdb', scc: 'nonroot-v2' });
    const [role, binding] = synthValid(c);
    expect(role).toMatchObject({ kind: 'Role', metadata: { namespace: 'cockroachdb' }, rules: [{ apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: ['nonroot-v2'], verbs: ['use'] }] });
    expect(binding).toMatchObject({ kind: 'RoleBinding', roleRef: { kind: 'Role', name: role.metadata.name }, subjects: [{ kind: 'ServiceAccount', name: 'cockroachdb', namespace: 'cockroachdb' }] });
  });
});

describe('RemoteAccess', () => {
  it('creates the ServiceAccount with exactly its namespaced and cluster-scoped rules, and no token', () => {
    const c = chart();
    new RemoteAccess(c, 'a', {
      name: 'gslb-reader',
      namespace: 'meridian-ingress',
      rules: [{ apiGroups: [''], resources: ['services'], resourceNames: ['meridian-gateway-istio'], verbs: ['get'] }],
      clusterRules: [{ apiGroups: ['config.openshift.io'], resources: ['infrastructures'], resourceNames: ['cluster'], verbs: ['get'] }],
    });
    const objects = synthValid(c);
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
    expect(objects.find((o) => o.kind === 'ClusterRole').rules).toEqual([{ apiGroups: ['config.openshift.io'], resources: ['infrastructures'], resourceNames: ['cluster'], verbs: ['get'] }]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('binds to an existing Role without creating one', () => {
    const c = chart();
    new RemoteAccess(c, 'a', { name: 'c2-broker-client', namespace: 'submariner-k8s-broker', rules: [], existingRole: 'submariner-k8s-broker-cluster' });
    const objects = synthValid(c);
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'RoleBinding']);
    expect(objects[1].roleRef.name).toBe('submariner-k8s-broker-cluster');
  });
});

describe('pod security and DNS per platform', () => {
  it('writes fixed IDs only when the profile has them', () => {
    expect(podSecurityContext({})).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(podSecurityContext({ ids: { runAsUser: 100, runAsGroup: 1000, fsGroup: 1000 } })).toMatchObject({ runAsUser: 100, runAsGroup: 1000, fsGroup: 1000 });
  });

  it('admits every DNS port over UDP and TCP, to the DNS pods only', () => {
    const rule = dnsEgressRule({ namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [53, 5353] });
    expect(rule.ports!.map((p) => `${p.protocol!}/${String(p.port!.value)}`)).toEqual(['UDP/53', 'TCP/53', 'UDP/5353', 'TCP/5353']);
    expect(rule.to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } }, podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } } }]);
  });
});
