// Cross-cluster invariants of the CockroachDB bundles, over the default environment and the
// fixtures: what one cluster says about the others must agree with what the others deploy.
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { synthesize, type Bundle } from '../../src/synth/synthesize';
import type { Environment } from '../../src/topology';
import { validateManifest } from '../../src/validate/schema';
import { synthFixture, topologyOf } from '../helpers';

interface Case {
  readonly name: string;
  readonly bundle: Bundle;
  readonly env: Environment;
}

function cases(): Case[] {
  const prod = loadTopology('environments');
  const fleet = topologyOf('test/fixtures/environments/globalnet.yaml');
  return [
    { name: 'prod', bundle: synthesize(prod), env: prod.environments[0]! },
    { name: 'fleet (globalnet)', bundle: synthesize(fleet), env: fleet.environments[0]! },
  ];
}

const crdb = (bundle: Bundle, folder: string, kind?: string) =>
  bundle.objects.filter((o) => o.folder === folder && o.component === 'cockroachdb' && (kind === undefined || o.manifest.kind === kind)).map((o) => o.manifest as any);
const args = (sts: any): string[] => sts.spec.template.spec.containers[0].args;
const flag = (sts: any, name: string) => args(sts).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const stripPort = (address: string) => address.replace(/:\d+$/, '');

describe.each(cases())('cockroachdb bundle of $name', ({ bundle, env }) => {
  const clusters = env.clusters.map((c) => c.name);
  const statefulSet = (cluster: string) => crdb(bundle, cluster, 'StatefulSet')[0];

  it('runs one StatefulSet per cluster with the topology replica count', () => {
    for (const c of clusters) expect(statefulSet(c).spec.replicas).toBe(env.cockroachdb!.replicasPerCluster);
  });

  it('joins the same, complete list of nodes in every cluster: exactly the pods the clusters deploy', () => {
    const joins = clusters.map((c) => flag(statefulSet(c), 'join'));
    expect(new Set(joins).size).toBe(1);
    const joined = joins[0]!.split(',').map(stripPort);
    const deployed = clusters.flatMap((c) => {
      const sts = statefulSet(c);
      return Array.from({ length: sts.spec.replicas }, (_, i) => flag(sts, 'advertise-addr')!.replace('$(POD_NAME)', `${sts.metadata.name}-${i}`)).map(stripPort);
    });
    expect([...joined].sort()).toEqual([...deployed].sort());
    expect(joined).toEqual([...joined].sort());
  });

  it('advertises names that every cluster node certificate covers', () => {
    for (const c of clusters) {
      const sts = statefulSet(c);
      const sans: string[] = crdb(bundle, c, 'Certificate').find((x) => x.spec.commonName === 'node').spec.dnsNames;
      for (const folder of clusters) {
        const remote = statefulSet(folder);
        for (let i = 0; i < remote.spec.replicas; i++) {
          expect(sans).toContain(stripPort(flag(remote, 'advertise-addr')!.replace('$(POD_NAME)', `${remote.metadata.name}-${i}`)));
        }
      }
      expect(flag(sts, 'advertise-addr')).toContain(`$(POD_NAME).${c}.`);
      const defined = sts.spec.template.spec.containers[0].env.map((e: any) => e.name);
      const referenced = args(sts).flatMap((a) => [...a.matchAll(/\$\(([^)]*)\)/g)].map((m) => m[1]));
      expect(referenced.length).toBeGreaterThan(0);
      for (const name of referenced) expect(defined, `$(${name}) must be expanded by the kubelet`).toContain(name);
    }
  });

  it('sets each node locality to its own cluster region', () => {
    for (const c of env.clusters) expect(flag(statefulSet(c.name), 'locality')!.split(',')[0]).toBe(`region=${c.region}`);
  });

  it('runs the init Job in exactly one cluster, the bootstrap one, as a Sync hook', () => {
    const withJob = clusters.filter((c) => crdb(bundle, c, 'Job').length > 0);
    expect(withJob).toEqual([clusters[0]]);
    const job = crdb(bundle, clusters[0]!, 'Job')[0];
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('Sync');
    expect(job.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(statefulSet(clusters[0]!).metadata.annotations['argocd.argoproj.io/sync-wave']);
  });

  it('keeps quorum when any one cluster is lost', () => {
    const replicas = Object.fromEntries(clusters.map((c) => [c, statefulSet(c).spec.replicas as number]));
    const total = Object.values(replicas).reduce((a, b) => a + b, 0);
    const quorum = Math.floor(total / 2) + 1;
    for (const c of clusters) expect(total - replicas[c]!, `losing ${c}`).toBeGreaterThanOrEqual(quorum);
  });

  it('never runs insecure and always reads certificates from the certs-dir', () => {
    for (const c of clusters) {
      expect(args(statefulSet(c)).some((a) => a.startsWith('--insecure'))).toBe(false);
      expect(flag(statefulSet(c), 'certs-dir')).toBe('/cockroach/cockroach-certs');
    }
  });

  it('meets Pod Security restricted in every pod', () => {
    for (const c of clusters) {
      for (const workload of [...crdb(bundle, c, 'StatefulSet'), ...crdb(bundle, c, 'Job')]) {
        const pod = workload.spec.template.spec;
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
        expect(pod.hostNetwork ?? false).toBe(false);
        for (const container of pod.containers) {
          expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
          expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
          expect(container.securityContext.privileged ?? false).toBe(false);
        }
      }
    }
  });

  it('gives every local client service a client certificate for its SQL user in its own namespace', () => {
    for (const c of clusters) {
      const clients = env.services.filter((s) => s.usesStores.includes('cockroachdb') && s.activeIn.includes(c));
      const certs = crdb(bundle, c, 'Certificate').filter((x) => !['node', 'root'].includes(x.spec.commonName));
      expect(certs.map((x) => [x.metadata.namespace, x.spec.commonName, x.spec.secretName])).toEqual(
        clients.map((s) => [s.namespace, s.name.replace(/-/g, '_'), `${s.name}-cockroachdb-client-tls`]),
      );
    }
  });

  it('admits SQL from the client namespaces and the other clusters only on 26257', () => {
    for (const c of env.clusters) {
      const policy = crdb(bundle, c.name, 'NetworkPolicy').find((p) => p.metadata.name === 'cockroachdb');
      const sources = policy.spec.ingress.flatMap((r: any) => r.from);
      const cidrs = sources.filter((s: any) => s.ipBlock).map((s: any) => s.ipBlock.cidr);
      const others = env.clusters.filter((o) => o.name !== c.name);
      const expected = env.submariner.globalnet ? others.map((o) => o.globalCIDR) : others.map((o) => o.podCIDR);
      expect(cidrs).toEqual(expected.sort());
      expect(cidrs).not.toContain(env.submariner.globalnet ? c.globalCIDR : c.podCIDR);
      for (const rule of policy.spec.ingress) {
        if (rule.from.some((s: any) => s.ipBlock || s.namespaceSelector)) expect(rule.ports.map((p: any) => p.port)).toEqual([26257]);
      }
    }
  });

  it("issues every certificate from an Issuer of the certificate's own namespace, never a ClusterIssuer", () => {
    for (const c of clusters) {
      for (const cert of crdb(bundle, c, 'Certificate')) {
        expect(cert.spec.issuerRef.kind).toBe('Issuer');
        const issuer = crdb(bundle, c, 'Issuer').find((i) => i.metadata.name === cert.spec.issuerRef.name && i.metadata.namespace === cert.metadata.namespace);
        expect(issuer, `${c} ${cert.metadata.namespace}/${cert.metadata.name}`).toBeDefined();
        // with Vault, node and root sign through the cockroachdb role, a SQL user through its own role
        if (env.vault) expect(issuer.spec.vault.path).toBe(cert.spec.commonName === 'node' || cert.spec.commonName === 'root' ? 'pki/sign/cockroachdb' : `pki/sign/cockroachdb-client-${cert.metadata.name.replace(/-cockroachdb-client$/, '')}`);
        else expect(issuer.spec.ca.secretName).toBe(env.pki.rootCASecret);
      }
    }
  });

  it('validates every object against its schema', () => {
    for (const c of clusters) for (const o of crdb(bundle, c)) expect(validateManifest(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  });
});

describe('environments without cockroachdb', () => {
  it('write no cockroachdb file', () => {
    const bundle = synthFixture('minimal');
    expect([...bundle.files.keys()].filter((f) => f.includes('cockroachdb'))).toEqual([]);
  });
});
