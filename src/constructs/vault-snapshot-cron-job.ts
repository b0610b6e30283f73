import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from '../lib/labels';
import type { DnsEgress, PodSecurity } from '../lib/platform';
import { dnsEgressRule, podSecurityContext } from './pod-security';

const k8s = kplus.k8s;

export interface VaultSnapshotCronJobProps {
  readonly name: string;
  /** The Vault namespace (the CronJob's ServiceAccount is the one the Vault role accepts). */
  readonly namespace: string;
  /** Kubernetes schedule (`@hourly`, a cron expression). */
  readonly schedule: string;
  /** The Vault image: its CLI logs in and saves the snapshot. */
  readonly vaultImage: string;
  /** An image with the AWS CLI (`aws s3 cp`). */
  readonly uploadImage: string;
  readonly serviceAccount: string;
  /** `https://<client service>.<namespace>.svc:8200` */
  readonly vaultAddress: string;
  /** Secret and key of the CA that signed Vault's serving certificate (only that key is mounted). */
  readonly ca: { readonly secret: string; readonly key: string };
  /** `auth/<mount>/login` of this cluster's Kubernetes auth mount. */
  readonly loginPath: string;
  readonly role: string;
  /** `s3://bucket/prefix`: the snapshot is uploaded as `<prefix>/vault-<UTC time>.snap`. */
  readonly destination: string;
  /** Out-of-band Secret with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optionally AWS_DEFAULT_REGION. */
  readonly credentialsSecret: string;
  /** Labels of the Vault server pods, which must admit the CronJob on the API port. */
  readonly vaultPodSelector: Readonly<Record<string, string>>;
  readonly vaultPort: number;
  /** Every pod and service network of the environment: the object store is outside all of them. */
  readonly clusterNetworks: readonly string[];
  /** The Vault pods' admission on this platform (fixed IDs on Kubernetes, none on OpenShift). */
  readonly podSecurity: PodSecurity;
  /** Where this cluster's DNS answers (openshift-dns on 5353 and 53, kube-dns on 53). */
  readonly dns: DnsEgress;
}

/** Where the snapshot passes from the Vault container to the upload container. */
const WORK = '/snapshot';
const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Pod security of the snapshot pods: the Vault StatefulSet's own (src/constructs/vault-cluster.ts),
 * Pod Security "restricted", with the platform's IDs (the Vault image's user 100 and group 1000 on
 * Kubernetes; on OpenShift restricted-v2 assigns them). The AWS CLI image has no user of its own (it
 * runs as root by default), so it runs as the same non-root user with HOME on a scratch volume.
 */
export function snapshotPodSecurityContext(security: PodSecurity): kplus.k8s.PodSecurityContext {
  return podSecurityContext(security);
}

function containerSecurityContext(): kplus.k8s.SecurityContext {
  return { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
}

/**
 * Saves a Raft snapshot of Vault on a schedule and uploads it to object storage.
 *
 * - The Vault container logs in through Kubernetes auth with the pod's ServiceAccount token, as a
 *   role whose only policy reads `sys/storage/raft/snapshot`, and runs `vault operator raft snapshot
 *   save` (HashiCorp docs, `operator raft snapshot`; automated snapshots are Enterprise only).
 * - The upload container copies it with `aws s3 cp`; the keys come from the credentials Secret.
 * - `concurrencyPolicy: Forbid`: a slow upload is never overlapped by the next run.
 * - NetworkPolicies: the pods may reach DNS, the Vault pods on the API port, and TCP 443 outside the
 *   environment's pod and service networks (a NetworkPolicy cannot name the object store's host);
 *   the Vault pods admit them on the API port (Vault's own policy admits only peers and clients).
 */
export class VaultSnapshotCronJob extends Construct {
  public constructor(scope: Construct, id: string, props: VaultSnapshotCronJobProps) {
    super(scope, id);
    const ns = props.namespace;
    const labels = selectorLabels(props.name, props.name);
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: props.serviceAccount, namespace: ns } });

    const snapshotScript = [
      'set -eu',
      `VAULT_TOKEN=$(vault write -field=token ${props.loginPath} role=${props.role} jwt=@${TOKEN_PATH})`,
      'export VAULT_TOKEN',
      `vault operator raft snapshot save ${WORK}/vault.snap`,
    ].join('\n');
    const uploadScript = ['set -eu', `aws s3 cp --only-show-errors ${WORK}/vault.snap "${props.destination}/vault-$(date -u +%Y%m%dT%H%M%SZ).snap"`].join('\n');
    const credential = (name: string, optional: boolean): kplus.k8s.EnvVar => ({
      name,
      valueFrom: { secretKeyRef: { name: props.credentialsSecret, key: name, ...(optional ? { optional: true } : {}) } },
    });

    new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name: props.name, namespace: ns, labels },
      spec: {
        schedule: props.schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 1800,
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: props.serviceAccount,
                restartPolicy: 'Never',
                enableServiceLinks: false,
                securityContext: snapshotPodSecurityContext(props.podSecurity),
                initContainers: [
                  {
                    name: 'snapshot',
                    image: props.vaultImage,
                    imagePullPolicy: 'IfNotPresent',
                    command: ['/bin/sh', '-c', snapshotScript],
                    env: [
                      { name: 'VAULT_ADDR', value: props.vaultAddress },
                      { name: 'VAULT_CACERT', value: '/vault/ca/ca.crt' },
                    ],
                    resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') }, limits: { memory: k8s.Quantity.fromString('256Mi') } },
                    securityContext: containerSecurityContext(),
                    volumeMounts: [
                      { name: 'work', mountPath: WORK },
                      { name: 'ca', mountPath: '/vault/ca', readOnly: true },
                    ],
                  },
                ],
                containers: [
                  {
                    name: 'upload',
                    image: props.uploadImage,
                    imagePullPolicy: 'IfNotPresent',
                    command: ['/bin/sh', '-c', uploadScript],
                    env: [credential('AWS_ACCESS_KEY_ID', false), credential('AWS_SECRET_ACCESS_KEY', false), credential('AWS_DEFAULT_REGION', true), { name: 'HOME', value: '/tmp' }],
                    resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('128Mi') }, limits: { memory: k8s.Quantity.fromString('512Mi') } },
                    securityContext: containerSecurityContext(),
                    volumeMounts: [
                      { name: 'work', mountPath: WORK, readOnly: true },
                      { name: 'home', mountPath: '/tmp' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'work', emptyDir: { sizeLimit: k8s.Quantity.fromString('2Gi') } },
                  { name: 'home', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
                  { name: 'ca', secret: { secretName: props.ca.secret, items: [{ key: props.ca.key, path: 'ca.crt' }], defaultMode: 0o440 } },
                ],
              },
            },
          },
        },
      },
    });

    const tcp = (port: number): kplus.k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: { name: props.name, namespace: ns },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        egress: [
          dnsEgressRule(props.dns),
          { to: [{ podSelector: { matchLabels: { ...props.vaultPodSelector } } }], ports: [tcp(props.vaultPort)] },
          { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...new Set(props.clusterNetworks)].sort() } }], ports: [tcp(443)] },
        ],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'VaultIngress', {
      metadata: { name: `${props.name}-to-vault`, namespace: ns },
      spec: {
        podSelector: { matchLabels: { ...props.vaultPodSelector } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: labels } }], ports: [tcp(props.vaultPort)] }],
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
