// Every Secret a bundle names but does not create has an exact runbook step: the step the
// prerequisites list names creates that very Secret, in its cluster and namespace, with its keys.
import { describe, expect, it } from 'vitest';
import { runbook } from '../../src/report';
import { prerequisites } from '../../src/topology/prerequisites';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';

const environments = ['environments/prod.yaml', ...['hybrid', 'globalnet', 'active-passive', 'external-dns', 'minimal'].map((f) => `${FIXTURE_ENVIRONMENTS}/${f}.yaml`)];

describe.each(environments)('prerequisites of %s', (file) => {
  const env = topologyOf(file).environments[0]!;
  const steps = runbook(env);

  it('name a runbook step that creates each out-of-band Secret with its keys', () => {
    for (const cluster of prerequisites(env)) {
      for (const secret of cluster.secrets) {
        const step = steps.find((s) => s.id === secret.runbookStep);
        expect(step, `${secret.cluster} ${secret.namespace}/${secret.name}`).toBeDefined();
        const create = step!.commands.find((c) => c.startsWith(`kubectl --context ${secret.cluster} -n ${secret.namespace} create secret `) && c.split(' ').includes(secret.name));
        expect(create, `${secret.cluster} ${secret.namespace}/${secret.name} in ${step!.id}`).toBeDefined();
        // a long-lived token Secret is filled by the token controller, for the ServiceAccount its annotation names
        if (secret.serviceAccountToken) expect(create).toMatch(new RegExp(`--type=kubernetes.io/service-account-token .*kubernetes.io/service-account.name=${secret.serviceAccountToken} `));
        else for (const key of secret.keys) expect(create, key).toMatch(new RegExp(`--from-(file|literal)=${key.replace('.', '\\.')}=|--cert=|--key=`));
      }
    }
  });
});

describe('prerequisites of the default environment', () => {
  const env = topologyOf('environments/prod.yaml').environments[0]!;
  const all = prerequisites(env);

  it('list the hub kubeconfig Secrets of every endpoint cluster, the hub included', () => {
    expect(all[0]!.secrets.filter((s) => s.runbookStep === 'gslb-kubeconfigs').map((s) => `${s.namespace}/${s.name}`)).toEqual([
      'global-load-balancer-operator/cluster1-kubeconfig',
      'global-load-balancer-operator/cluster2-kubeconfig',
      'global-load-balancer-operator/cluster3-kubeconfig',
    ]);
  });

  it('put the vault-config-operator where OperatorHub installs it on OpenShift, and grant nonroot-v2 to CockroachDB only', () => {
    expect(all.map((c) => c.operators.find((o) => o.name === 'vault-config-operator')!.namespace)).toEqual(['openshift-operators', 'openshift-operators', 'openshift-operators']);
    expect(all.map((c) => c.sccs)).toEqual(all.map(() => [{ scc: 'nonroot-v2', namespace: 'cockroachdb', serviceAccount: 'cockroachdb' }]));
    expect(all.map((c) => c.dns)).toEqual(all.map(() => ({ namespace: 'openshift-dns', service: 'dns-default', podPorts: [5353] })));
  });
});
