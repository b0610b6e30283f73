import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from '../lib/labels';
import { COCKROACHDB, ROOT_CLIENT_CERT_FILES } from '../lib/cockroachdb';
import type { PodSecurity } from '../lib/platform';
import { certsVolume, quantities, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './cockroachdb-cluster';

/**
 * Requests and limits of a one-shot `cockroach sql` client container (the init Job, the backup schedule
 * Job): the client holds a connection and a statement, never data.
 */
export const SQL_CLIENT_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } } as const;

/**
 * Bounds of the init Job: one pod retry (the script loops over the nodes itself) and a deadline that
 * covers a first start, so a re-run while CockroachDB is down holds its wave for at most this long.
 */
export const INIT_JOB_BOUNDS = { backoffLimit: 1, activeDeadlineSeconds: 600 } as const;

export interface CockroachDbInitJobProps {
  readonly name: string;
  readonly namespace: string;
  /** Same image as the nodes: the `cockroach` client must match the server version. */
  readonly image: string;
  /** `host:port` of the nodes to initialize through, tried in order until one answers. */
  readonly hosts: readonly string[];
  /** Secret with the `root` client certificate and the CA. */
  readonly rootClientSecret: string;
  /** The nodes' ServiceAccount (CockroachDbCluster): same image, same IDs, same SCC grant. */
  readonly serviceAccount: string;
  readonly podSecurity: PodSecurity;
  /**
   * How long the Job may wait for a node to answer before it fails the sync.
   * @default 600 (first start includes volume provisioning and image pulls; on an initialized cluster it ends in seconds)
   */
  readonly activeDeadlineSeconds?: number;
}

/**
 * Loops until `cockroach init` succeeds or reports that the cluster is already initialized
 * (both mean: initialized), trying each host given as an argument; a host that does not resolve
 * or answer yet is retried after a pause. The flags come from the environment (COCKROACH_*).
 */
const INIT_SCRIPT = [
  'while true; do',
  '  for host in "$@"; do',
  `    if out=$(${COCKROACHDB.binary} init --host="$host" 2>&1); then echo "$host: $out"; exit 0; fi`,
  '    echo "$host: $out"',
  '    case "$out" in *"already been initialized"*) echo "cluster is already initialized"; exit 0;; esac',
  '  done',
  '  sleep 5',
  'done',
].join('\n');

/**
 * Initializes a CockroachDB cluster once: a Job run by Argo CD as a Sync hook, never PostSync.
 * PostSync waits for every resource to be Healthy, and the nodes only become Ready after init,
 * so a PostSync init never runs (cockroachdb/helm-charts#149). A Sync hook runs in its wave next
 * to the StatefulSet. Every sync operation re-runs it, retries included (argo-cd
 * docs/user-guide/resource_hooks.md: hooks run on each sync; BeforeHookCreation keeps the last run's
 * logs until then); on an initialized cluster the first node that answers says so and the Job ends at
 * once, and it is bounded (INIT_JOB_BOUNDS) when no node answers. It stays a hook rather than a plain
 * Job: a Job's pod template is immutable, so a plain Job would fail every sync after an image upgrade
 * unless replaced (Force=true,Replace=true, which recreates it, argo-cd test/e2e sync_options_test.go
 * TestSyncWithForceReplace), and Argo CD never re-creates a deleted plain Job without a sync anyway.
 */
export class CockroachDbInitJob extends Construct {
  public constructor(scope: Construct, id: string, props: CockroachDbInitJobProps) {
    super(scope, id);
    if (props.hosts.length === 0) throw new Error(`${props.name}: needs at least one node to send init to`);
    rootSqlHookJob(this, {
      name: props.name,
      namespace: props.namespace,
      image: props.image,
      serviceAccount: props.serviceAccount,
      podSecurity: props.podSecurity,
      // The script retries by itself; a second pod only covers an eviction (INIT_JOB_BOUNDS).
      bounds: { backoffLimit: INIT_JOB_BOUNDS.backoffLimit, activeDeadlineSeconds: props.activeDeadlineSeconds ?? INIT_JOB_BOUNDS.activeDeadlineSeconds },
      rootClientSecret: props.rootClientSecret,
      // `cockroach init` and `node status` are one RPC each: a small, bounded container.
      container: { name: 'init', command: ['/bin/bash', '-c', INIT_SCRIPT, 'cockroachdb-init'], args: [...props.hosts], env: [] },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}

export interface RootSqlHookJobSpec {
  readonly name: string;
  readonly namespace: string;
  /** The nodes' image: the `cockroach` client must match the server version. */
  readonly image: string;
  readonly serviceAccount: string;
  readonly podSecurity: PodSecurity;
  readonly bounds: { readonly backoffLimit: number; readonly activeDeadlineSeconds: number };
  /** Secret with the `root` client certificate and the CA, mounted as the certs dir. */
  readonly rootClientSecret: string;
  readonly container: { readonly name: string; readonly command: readonly string[]; readonly args: readonly string[]; readonly env: readonly kplus.k8s.EnvVar[] };
}

/**
 * A Sync-hook Job that runs one `cockroach` client as root against the cluster (the init Job, the backup
 * schedule Job): restricted pod security of the platform, no API token, the root client certificate
 * read-only, bounded retries and deadline, and the small resources of an SQL client
 * (SQL_CLIENT_RESOURCES). BeforeHookCreation keeps the last run's logs until the next sync.
 */
export function rootSqlHookJob(scope: Construct, spec: RootSqlHookJobSpec): kplus.k8s.KubeJob {
  const labels = selectorLabels(spec.name, COCKROACHDB.statefulSet);
  return new kplus.k8s.KubeJob(scope, 'Resource', {
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels,
      annotations: {
        'argocd.argoproj.io/hook': 'Sync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      },
    },
    spec: {
      backoffLimit: spec.bounds.backoffLimit,
      activeDeadlineSeconds: spec.bounds.activeDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: spec.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(spec.podSecurity),
          containers: [
            {
              name: spec.container.name,
              image: spec.image,
              imagePullPolicy: 'IfNotPresent',
              command: [...spec.container.command],
              args: [...spec.container.args],
              env: [{ name: 'COCKROACH_CERTS_DIR', value: COCKROACHDB.certsDir }, ...spec.container.env],
              volumeMounts: [{ name: 'certs', mountPath: COCKROACHDB.certsDir, readOnly: true }],
              resources: quantities(SQL_CLIENT_RESOURCES),
              securityContext: restrictedContainerSecurityContext(),
            },
          ],
          volumes: [certsVolume('certs', [{ secretName: spec.rootClientSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }, ...ROOT_CLIENT_CERT_FILES] }])],
        },
      },
    },
  });
}
