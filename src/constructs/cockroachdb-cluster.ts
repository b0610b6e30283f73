import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as mcs from '../../imports/multicluster.x-k8s.io';
import { selectorLabels } from '../lib/labels';
import { COCKROACHDB, NODE_CERT_FILES, ROOT_CLIENT_CERT_FILES } from '../lib/cockroachdb';
import type { PodSecurity } from '../lib/platform';
import { podSecurityContext, SccGrant } from './pod-security';

const k8s = kplus.k8s;

/**
 * The pod-level settings of the Pod Security "restricted" profile, shared by the nodes and the init
 * Job, with the fixed IDs the platform profile gives CockroachDB (topology/platform.ts
 * cockroachPodSecurity: runAsGroup must equal fsGroup for the key-file check).
 */
export function restrictedPodSecurityContext(security: PodSecurity): kplus.k8s.PodSecurityContext {
  // Only the data volume is affected (Secret-backed volumes are always re-owned): skip the
  // recursive chown of a large store when its root already has the right group.
  return podSecurityContext(security, security.ids ? { fsGroupChangePolicy: 'OnRootMismatch' } : {});
}

/** Container-level settings of the Pod Security "restricted" profile. */
export function restrictedContainerSecurityContext(): kplus.k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** One Secret's keys mapped onto the file names CockroachDB expects. */
export interface CertificateFiles {
  readonly secretName: string;
  readonly items: readonly { readonly key: string; readonly path: string }[];
}

/**
 * The certs-dir volume: Secrets projected under the file names CockroachDB reads, owner-read only
 * (0400; with fsGroup the kubelet adds group read, see topology/platform.ts cockroachPodSecurity). No copy sidecar: the
 * kubelet keeps the files current when cert-manager renews them.
 */
export function certsVolume(name: string, sources: readonly CertificateFiles[]): kplus.k8s.Volume {
  return {
    name,
    projected: {
      defaultMode: 0o400,
      sources: sources.map((s) => ({ secret: { name: s.secretName, items: s.items.map((i) => ({ key: i.key, path: i.path })) } })),
    },
  };
}

export interface CockroachDbClusterProps {
  readonly namespace: string;
  readonly image: string;
  /** Nodes in this cluster. */
  readonly replicas: number;
  /** Size of each node's store. */
  readonly storageGiB: number;
  /** `cockroach start` and its flags. */
  readonly args: readonly string[];
  /** Headless Service that governs the pods and is exported to the cluster set. */
  readonly headlessService: string;
  /** ClusterIP Service for SQL clients of this cluster. */
  readonly publicService: string;
  /** Export the public Service: some cluster runs SQL clients but no node (`cockroachdb.clusters`). */
  readonly exportPublicService?: boolean;
  /** Secret with the node certificate and the CA. */
  readonly nodeSecret: string;
  /** Secret with the `root` client certificate. */
  readonly rootClientSecret: string;
  /** ServiceAccount of the nodes (and of the init Job): the subject of an SCC grant on OpenShift. */
  readonly serviceAccount: string;
  readonly podSecurity: PodSecurity;
  /** Node container requests and limits (Kubernetes quantities); `--cache`/`--max-sql-memory` in `args` are sized from the memory limit. */
  readonly resources: { readonly requests: { readonly cpu: string; readonly memory: string }; readonly limits: { readonly cpu: string; readonly memory: string } };
}

/** Container resources as Kubernetes quantities. */
export function quantities(r: CockroachDbClusterProps['resources']): kplus.k8s.ResourceRequirements {
  const q = (a: { readonly cpu: string; readonly memory: string }) => ({ cpu: k8s.Quantity.fromString(a.cpu), memory: k8s.Quantity.fromString(a.memory) });
  return { requests: q(r.requests), limits: q(r.limits) };
}

const GRPC = 'grpc';
const HTTP = 'http';
const DATA_VOLUME = 'datadir';
const CERTS_VOLUME = 'certs';
/** Reloader rolls the pods when one of these Secrets changes (CockroachDB reads certificates at start). */
const RELOADER_SECRETS_ANNOTATION = 'secret.reloader.stakater.com/reload';

/**
 * CockroachDB nodes of one cluster: StatefulSet, the headless Service exported to the cluster set
 * (peers in other clusters dial `<pod>.<cluster>.<headless>.<ns>.svc.clusterset.local`), the
 * public Service for local SQL clients, and a PodDisruptionBudget.
 */
export class CockroachDbCluster extends Construct {
  public readonly statefulSet: ApiObject;

  public constructor(scope: Construct, id: string, props: CockroachDbClusterProps) {
    super(scope, id);
    if (props.replicas < 1) throw new Error(`cockroachdb: replicas must be at least 1, got ${props.replicas}`);
    if (props.args.some((a) => a === '--insecure' || a.startsWith('--insecure='))) {
      throw new Error('cockroachdb: --insecure turns off TLS and authentication; nodes always run with --certs-dir');
    }
    const ns = props.namespace;
    const selector = selectorLabels(COCKROACHDB.statefulSet, COCKROACHDB.statefulSet);
    const ports = [
      { name: GRPC, port: COCKROACHDB.grpcPort, targetPort: k8s.IntOrString.fromString(GRPC), protocol: 'TCP' },
      { name: HTTP, port: COCKROACHDB.httpPort, targetPort: k8s.IntOrString.fromString(HTTP), protocol: 'TCP' },
    ];

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: props.serviceAccount, namespace: ns, labels: selector }, automountServiceAccountToken: false });
    if (props.podSecurity.scc) new SccGrant(this, 'Scc', { namespace: ns, serviceAccount: props.serviceAccount, scc: props.podSecurity.scc });

    new k8s.KubeService(this, 'Headless', {
      metadata: { name: props.headlessService, namespace: ns, labels: selector },
      spec: {
        clusterIp: 'None',
        // Peers must resolve each other before any node is Ready (Ready needs an initialized cluster);
        // Lighthouse propagates this flag to the clusterset records.
        publishNotReadyAddresses: true,
        selector,
        ports,
      },
    });
    new mcs.ServiceExport(this, 'Export', { metadata: { name: props.headlessService, namespace: ns, labels: selector } });
    new k8s.KubeService(this, 'Public', {
      metadata: { name: props.publicService, namespace: ns, labels: selector },
      spec: { type: 'ClusterIP', selector, ports },
    });
    // SQL clients in clusters without nodes dial <public>.<ns>.svc.clusterset.local (REFERENCE §2.1).
    if (props.exportPublicService) new mcs.ServiceExport(this, 'PublicExport', { metadata: { name: props.publicService, namespace: ns, labels: selector } });

    this.statefulSet = new StatefulSetWithTypedClaims(this, 'Resource', {
      metadata: {
        name: COCKROACHDB.statefulSet,
        namespace: ns,
        labels: selector,
        annotations: { [RELOADER_SECRETS_ANNOTATION]: [props.nodeSecret, props.rootClientSecret].join(',') },
      },
      spec: {
        serviceName: props.headlessService,
        replicas: props.replicas,
        // All nodes start together: a node only becomes Ready once the cluster is initialized,
        // so OrderedReady would wait forever for pod 0.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            serviceAccountName: props.serviceAccount,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // Time for the node to drain: leases move away before it stops.
            terminationGracePeriodSeconds: 300,
            securityContext: restrictedPodSecurityContext(props.podSecurity),
            affinity: {
              podAntiAffinity: {
                // Two nodes on one machine would lose two replicas of a range together.
                requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' }],
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: 'topology.kubernetes.io/zone' } },
                ],
              },
            },
            containers: [
              {
                name: 'cockroachdb',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: [COCKROACHDB.binary],
                args: [...props.args],
                env: [{ name: COCKROACHDB.podNameVariable, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
                ports: [
                  { name: GRPC, containerPort: COCKROACHDB.grpcPort, protocol: 'TCP' },
                  { name: HTTP, containerPort: COCKROACHDB.httpPort, protocol: 'TCP' },
                ],
                readinessProbe: {
                  httpGet: { path: '/health?ready=1', port: k8s.IntOrString.fromString(HTTP), scheme: 'HTTPS' },
                  initialDelaySeconds: 10,
                  periodSeconds: 5,
                  failureThreshold: 3,
                },
                livenessProbe: {
                  httpGet: { path: '/health', port: k8s.IntOrString.fromString(HTTP), scheme: 'HTTPS' },
                  initialDelaySeconds: 30,
                  periodSeconds: 10,
                  failureThreshold: 6,
                },
                volumeMounts: [
                  { name: DATA_VOLUME, mountPath: COCKROACHDB.dataDir },
                  { name: CERTS_VOLUME, mountPath: COCKROACHDB.certsDir, readOnly: true },
                ],
                resources: quantities(props.resources),
                securityContext: restrictedContainerSecurityContext(),
              },
            ],
            volumes: [
              certsVolume(CERTS_VOLUME, [
                { secretName: props.nodeSecret, items: NODE_CERT_FILES },
                { secretName: props.rootClientSecret, items: ROOT_CLIENT_CERT_FILES },
              ]),
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: DATA_VOLUME, labels: selector },
            spec: {
              accessModes: ['ReadWriteOnce'],
              volumeMode: 'Filesystem',
              resources: { requests: { storage: k8s.Quantity.fromString(`${props.storageGiB}Gi`) } },
            },
          },
        ],
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: { name: COCKROACHDB.statefulSet, namespace: ns, labels: selector },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
  }
}

/**
 * The L1 StatefulSet serializes volumeClaimTemplates without `apiVersion`/`kind`, which the API
 * server adds back, so Argo CD with server-side apply reports the StatefulSet OutOfSync forever
 * (REFERENCE §5.3, argo-cd#11143). The L1 re-serializes its props in toJson (a JsonPatch would be
 * dropped), so the fields are added after it. Drop this class if the binding gains the fields.
 */
class StatefulSetWithTypedClaims extends k8s.KubeStatefulSet {
  public override toJson(): any {
    const json = super.toJson();
    const templates = (json.spec?.volumeClaimTemplates ?? []) as Record<string, unknown>[];
    json.spec.volumeClaimTemplates = templates.map((t) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...t }));
    return json;
  }
}
