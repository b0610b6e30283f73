import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CockroachDbCluster, type CockroachDbClusterProps } from '../../src/constructs/cockroachdb-cluster';
import { kubeletExpand } from '../helpers';

const props: CockroachDbClusterProps = {
  namespace: 'crdb',
  image: 'cockroachdb/cockroach:v24.2.4',
  replicas: 3,
  storageGiB: 50,
  args: ['start', '--certs-dir=/cockroach/cockroach-certs'],
  headlessService: 'cockroachdb',
  publicService: 'cockroachdb-public',
  nodeSecret: 'node-tls',
  rootClientSecret: 'root-tls',
  serviceAccount: 'cockroachdb',
  podSecurity: { ids: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 } },
  resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
};

function synth(overrides: Partial<CockroachDbClusterProps> = {}): any[] {
  const chart = Testing.chart();
  new CockroachDbCluster(chart, 'Crdb', { ...props, ...overrides });
  return Testing.synth(chart);
}
const find = (objects: any[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

describe('CockroachDbCluster', () => {
  it('defaults', () => {
    expect(synth()).toMatchSnapshot();
  });

  it('starts all nodes in parallel with typed volume claim templates (no OutOfSync under server-side apply)', () => {
    // WHEN
    const sts = find(synth(), 'StatefulSet');
    // THEN
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.serviceName).toBe('cockroachdb');
    expect(sts.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '50Gi' } } },
      }),
    ]);
  });

  it('runs the binary with the given flags and the pod name available for $(POD_NAME) expansion', () => {
    const container = find(synth(), 'StatefulSet').spec.template.spec.containers[0];
    expect(container.command).toEqual(['/cockroach/cockroach']);
    expect(container.args).toEqual(props.args);
    expect(container.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } });
  });

  it('lets the kubelet put the pod name into the arguments, no shell involved', () => {
    const container = find(synth({ args: ['start', '--advertise-addr=$(POD_NAME).c1.svc:26257'] }), 'StatefulSet').spec.template.spec.containers[0];
    expect(container.command[0]).not.toMatch(/sh$/);
    const fromDownwardApi = { POD_NAME: 'cockroachdb-2' };
    expect(container.args.map((a: string) => kubeletExpand(a, fromDownwardApi))).toEqual(['start', '--advertise-addr=cockroachdb-2.c1.svc:26257']);
  });

  it('meets Pod Security restricted with the certificate group equal to the process group', () => {
    const pod = find(synth(), 'StatefulSet').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    // CockroachDB accepts a group-readable key only when the file group is its own process group
    expect(pod.securityContext.fsGroup).toBe(pod.securityContext.runAsGroup);
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('mounts the certificates under the names CockroachDB reads, owner-read only', () => {
    const pod = find(synth(), 'StatefulSet').spec.template.spec;
    const certs = pod.volumes.find((v: any) => v.name === 'certs');
    expect(certs.projected.defaultMode).toBe(0o400);
    const files = certs.projected.sources.flatMap((s: any) => s.secret.items.map((i: any) => `${s.secret.name}:${i.key}->${i.path}`));
    expect(files).toEqual([
      'node-tls:ca.crt->ca.crt',
      'node-tls:tls.crt->node.crt',
      'node-tls:tls.key->node.key',
      'root-tls:tls.crt->client.root.crt',
      'root-tls:tls.key->client.root.key',
    ]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'certs', mountPath: '/cockroach/cockroach-certs', readOnly: true });
  });

  it('rolls the pods when a certificate Secret is renewed', () => {
    expect(find(synth(), 'StatefulSet').metadata.annotations['secret.reloader.stakater.com/reload']).toBe('node-tls,root-tls');
  });

  it('probes /health and /health?ready=1 over HTTPS', () => {
    const c = find(synth(), 'StatefulSet').spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http', scheme: 'HTTPS' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health?ready=1', port: 'http', scheme: 'HTTPS' });
  });

  it('never places two nodes on one machine and prefers distinct zones', () => {
    const anti = find(synth(), 'StatefulSet').spec.template.spec.affinity.podAntiAffinity;
    expect(anti.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(anti.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('topology.kubernetes.io/zone');
  });

  it('exports the headless Service, which publishes not-ready pods, under its own name and namespace', () => {
    const objects = synth();
    const headless = find(objects, 'Service', 'cockroachdb');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(headless.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['grpc', 26257], ['http', 8080]]);
    const exported = find(objects, 'ServiceExport');
    expect(exported.apiVersion).toBe('multicluster.x-k8s.io/v1alpha1');
    expect(exported.metadata).toMatchObject({ name: 'cockroachdb', namespace: 'crdb' });
    expect(find(objects, 'Service', 'cockroachdb-public').spec.type).toBe('ClusterIP');
  });

  it('allows one node per cluster down at a time', () => {
    const pdb = find(synth(), 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(find(synth(), 'StatefulSet').spec.selector.matchLabels);
  });

  it('fails with --insecure', () => {
    expect(() => synth({ args: ['start', '--insecure'] })).toThrow(/--insecure turns off TLS/);
  });

  it('fails without nodes', () => {
    expect(() => synth({ replicas: 0 })).toThrow(/replicas must be at least 1, got 0/);
  });
});
