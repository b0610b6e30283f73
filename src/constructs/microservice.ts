import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from '../lib/labels';

export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface MicroserviceAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCPUUtilizationPercent: number;
}

/** A Secret mounted read-only into the container (e.g. a client certificate issued by cert-manager). */
export interface SecretMount {
  readonly volume: string;
  readonly secretName: string;
  readonly mountPath: string;
}

/** A readiness or liveness probe's settings; unset fields keep the construct's defaults. */
export interface ProbeOverride {
  readonly path?: string;
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

/** A key of a Secret or ConfigMap. */
export interface KeyRef {
  readonly name: string;
  readonly key: string;
}

/**
 * Pod fields beside the ones the construct sets from its other props, in Kubernetes terms (the topology's
 * `services[].workload` maps onto this one to one).
 */
export interface WorkloadOverrides {
  /** Variables whose values come from a Secret or ConfigMap key. @default - none */
  readonly env?: readonly { readonly name: string; readonly secretKeyRef?: KeyRef; readonly configMapKeyRef?: KeyRef }[];
  /** Volumes mounted into the container, each with exactly one source. @default - only the writable /tmp */
  readonly volumes?: readonly {
    readonly name: string;
    readonly mountPath: string;
    readonly readOnly?: boolean;
    readonly subPath?: string;
    readonly secret?: { readonly secretName: string; readonly defaultMode?: number };
    readonly configMap?: { readonly name: string; readonly defaultMode?: number };
    readonly emptyDir?: { readonly medium?: '' | 'Memory'; readonly sizeLimit?: string };
    readonly persistentVolumeClaim?: { readonly claimName: string; readonly readOnly?: boolean };
  }[];
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /** Extra container ports, also published by the Service. @default - none */
  readonly ports?: readonly { readonly name: string; readonly port: number; readonly protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
  readonly readinessProbe?: ProbeOverride;
  readonly livenessProbe?: ProbeOverride;
  /** A ServiceAccount of its own, named like the workload. @default - the namespace's default, without a token */
  readonly serviceAccount?: { readonly annotations?: Readonly<Record<string, string>>; readonly automountToken?: boolean };
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly {
    readonly key?: string;
    readonly operator?: 'Exists' | 'Equal';
    readonly value?: string;
    readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
    readonly tolerationSeconds?: number;
  }[];
  /** @default - one zone spread, maxSkew 1, ScheduleAnyway */
  readonly topologySpreadConstraints?: readonly {
    readonly maxSkew: number;
    readonly topologyKey: string;
    readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
    readonly minDomains?: number;
    readonly labelSelector?: { readonly matchLabels: Readonly<Record<string, string>> };
  }[];
  readonly imagePullSecrets?: readonly string[];
}

export interface MicroserviceProps {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** HTTP port the container listens on; the Service exposes it under the same number, named `http`. */
  readonly port: number;
  /** Path of the readiness and liveness probes. */
  readonly healthPath: string;
  /**
   * Replicas in this cluster. Ignored with `autoscaling`: the HPA then owns the replica count and the
   * Deployment leaves it unset, so a GitOps sync never resets what the HPA chose.
   */
  readonly replicas: number;
  /**
   * One HorizontalPodAutoscaler on CPU utilization.
   * @default - a fixed replica count
   */
  readonly autoscaling?: MicroserviceAutoscaling;
  readonly resources: ContainerResources;
  /**
   * Non-secret settings: a ConfigMap `<name>-config` loaded as environment variables.
   * @default - no ConfigMap
   */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * Environment variables (written sorted by name).
   * @default - none
   */
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  /**
   * Secrets to mount; the Deployment asks Reloader to roll the pods when one of them changes.
   * @default - none
   */
  readonly secretMounts?: readonly SecretMount[];
  /**
   * Let Istio inject its sidecar (the namespace's workloads then take part in mutual TLS).
   * @default false
   */
  readonly sidecar?: boolean;
  /**
   * Extra labels on the Deployment and the Service (not on the pods: a label change there would restart them).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Pod fields the topology does not model (the environment file's `services[].workload`): environment
   * variables from Secret or ConfigMap keys, volumes, command and args, extra ports (also on the Service),
   * probe overrides, a ServiceAccount of its own with annotations, nodeSelector, tolerations,
   * topologySpreadConstraints (replacing the zone spread) and imagePullSecrets. Secrets named here are
   * added to the Reloader annotation.
   * @default - none
   * @example
   * workload: {
   *   env: [{ name: 'API_TOKEN', secretKeyRef: { name: 'shop-api', key: 'token' } }],
   *   volumes: [{ name: 'cache', mountPath: '/var/cache/shop', emptyDir: { sizeLimit: '1Gi' } }],
   * }
   */
  readonly workload?: WorkloadOverrides;
  /**
   * A ServiceAccount token for an external verifier (Vault's Kubernetes auth), projected read-only at
   * `<mountPath>/<path>` with its own audience and lifetime; the kubelet refreshes the file before
   * it expires. The pod then runs as a ServiceAccount of its own (named like the workload), and the
   * API-server token stays unmounted unless `workload.serviceAccount.automountToken` says otherwise.
   * @default - none
   */
  readonly projectedToken?: ProjectedToken;
}

/** A projected ServiceAccount token (Kubernetes `serviceAccountToken` projection). */
export interface ProjectedToken {
  readonly volume: string;
  readonly mountPath: string;
  readonly path: string;
  readonly audience: string;
  /** At least 600 (the API server's minimum). */
  readonly expirationSeconds: number;
}

/** Reloader (stakater) rolls a Deployment when a Secret or ConfigMap named here changes. */
export const RELOAD_SECRETS_ANNOTATION = 'secret.reloader.stakater.com/reload';
export const RELOAD_CONFIGMAPS_ANNOTATION = 'configmap.reloader.stakater.com/reload';

const VOLUME_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * A stateless HTTP service in one cluster: Deployment, Service with a named port, PodDisruptionBudget,
 * and optionally a HorizontalPodAutoscaler and a ConfigMap. Pods meet the Pod Security "restricted"
 * profile (non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp) with a
 * read-only root filesystem and a writable `/tmp`; they spread over zones; rolling updates never go
 * below the desired count; the budget always lets one pod be evicted, so a single replica never
 * blocks a node drain.
 */
export class Microservice extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly selector: Readonly<Record<string, string>>;

  public constructor(scope: Construct, id: string, props: MicroserviceProps) {
    super(scope, id);
    if (!Number.isInteger(props.replicas) || props.replicas < 1) throw new Error(`replicas of ${props.name} must be a positive integer, got ${props.replicas}`);
    if (!props.healthPath.startsWith('/')) throw new Error(`health path of ${props.name} must start with "/", got "${props.healthPath}"`);
    const a = props.autoscaling;
    if (a && (a.minReplicas < 1 || a.maxReplicas < a.minReplicas)) {
      throw new Error(`autoscaling of ${props.name} needs 1 <= minReplicas <= maxReplicas, got ${a.minReplicas}..${a.maxReplicas}`);
    }
    const mounts = [...(props.secretMounts ?? [])];
    for (const m of mounts) {
      if (!VOLUME_NAME.test(m.volume)) throw new Error(`volume name "${m.volume}" is not a DNS-1123 label`);
      if (m.volume === 'tmp') throw new Error('volume name "tmp" is reserved for the writable /tmp');
    }
    if (new Set(mounts.map((m) => m.volume)).size !== mounts.length) throw new Error(`${props.name} mounts two Secrets under one volume name`);
    const token = props.projectedToken;
    if (token) {
      if (!VOLUME_NAME.test(token.volume) || token.volume === 'tmp' || mounts.some((m) => m.volume === token.volume)) throw new Error(`token volume name "${token.volume}" is invalid or taken`);
      if (!Number.isInteger(token.expirationSeconds) || token.expirationSeconds < 600) throw new Error(`token expiration of ${props.name} must be an integer of at least 600 seconds, got ${token.expirationSeconds}`);
    }
    const env = [...(props.env ?? [])].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const [i, v] of env.entries()) {
      if (!ENV_NAME.test(v.name)) throw new Error(`environment variable name "${v.name}" is invalid`);
      if (i > 0 && env[i - 1]!.name === v.name) throw new Error(`${props.name} sets environment variable ${v.name} twice`);
    }

    this.name = props.name;
    this.namespace = props.namespace;
    this.selector = selectorLabels(props.name, props.name);
    const labels = { ...this.selector, ...(props.labels ?? {}) };
    const configMapName = `${props.name}-config`;
    const hasConfig = props.config !== undefined && Object.keys(props.config).length > 0;

    const w = props.workload ?? {};
    const workloadSecrets = [
      ...(w.volumes ?? []).flatMap((v) => (v.secret ? [v.secret.secretName] : [])),
      ...(w.env ?? []).flatMap((v) => (v.secretKeyRef ? [v.secretKeyRef.name] : [])),
    ];
    const reloadSecrets = [...new Set([...mounts.map((m) => m.secretName), ...workloadSecrets])].sort();
    const annotations: Record<string, string> = {};
    if (reloadSecrets.length > 0) annotations[RELOAD_SECRETS_ANNOTATION] = reloadSecrets.join(',');
    if (hasConfig) annotations[RELOAD_CONFIGMAPS_ANNOTATION] = configMapName;

    if (hasConfig) {
      const data = Object.fromEntries(Object.keys(props.config!).sort().map((k) => [k, props.config![k]!]));
      new kplus.k8s.KubeConfigMap(this, 'Config', { metadata: { name: configMapName, namespace: props.namespace, labels: { ...this.selector } }, data });
    }

    const probe = (periodSeconds: number, failureThreshold: number, o: ProbeOverride = {}, initialDelaySeconds?: number): kplus.k8s.Probe => ({
      httpGet: { path: o.path ?? props.healthPath, port: kplus.k8s.IntOrString.fromString('http'), scheme: 'HTTP' },
      periodSeconds: o.periodSeconds ?? periodSeconds,
      timeoutSeconds: o.timeoutSeconds ?? 2,
      failureThreshold: o.failureThreshold ?? failureThreshold,
      ...(o.initialDelaySeconds ?? initialDelaySeconds) !== undefined ? { initialDelaySeconds: o.initialDelaySeconds ?? initialDelaySeconds } : {},
    });
    const allEnv: kplus.k8s.EnvVar[] = [
      ...env.map((v) => ({ name: v.name, value: v.value })),
      ...(w.env ?? []).map((v) => ({ name: v.name, valueFrom: v.secretKeyRef ? { secretKeyRef: v.secretKeyRef } : { configMapKeyRef: v.configMapKeyRef! } })),
    ].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const extraPorts = w.ports ?? [];
    const volumes = w.volumes ?? [];
    const ownAccount = w.serviceAccount !== undefined || token !== undefined;
    if (ownAccount) {
      new kplus.k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { name: props.name, namespace: props.namespace, labels: { ...this.selector }, ...(w.serviceAccount?.annotations ? { annotations: { ...w.serviceAccount.annotations } } : {}) },
        automountServiceAccountToken: w.serviceAccount?.automountToken ?? false,
      });
    }

    new kplus.k8s.KubeDeployment(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      spec: {
        ...(a ? {} : { replicas: props.replicas }),
        selector: { matchLabels: { ...this.selector } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: kplus.k8s.IntOrString.fromNumber(1), maxUnavailable: kplus.k8s.IntOrString.fromNumber(0) },
        },
        template: {
          metadata: { labels: { ...this.selector, ...(props.sidecar ? { 'sidecar.istio.io/inject': 'true' } : {}) } },
          spec: {
            automountServiceAccountToken: w.serviceAccount?.automountToken ?? false,
            ...(ownAccount ? { serviceAccountName: props.name } : {}),
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: w.topologySpreadConstraints
              ? w.topologySpreadConstraints.map((c) => ({ ...c, labelSelector: c.labelSelector ?? { matchLabels: { ...this.selector } } }))
              : [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...this.selector } } }],
            ...(w.nodeSelector ? { nodeSelector: { ...w.nodeSelector } } : {}),
            ...(w.tolerations ? { tolerations: w.tolerations.map((t) => ({ ...t })) } : {}),
            ...(w.imagePullSecrets ? { imagePullSecrets: w.imagePullSecrets.map((name) => ({ name })) } : {}),
            containers: [
              {
                name: props.name,
                image: props.image,
                ...(w.command ? { command: [...w.command] } : {}),
                ...(w.args ? { args: [...w.args] } : {}),
                ports: [{ name: 'http', containerPort: props.port, protocol: 'TCP' }, ...extraPorts.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' }))],
                ...(allEnv.length > 0 ? { env: allEnv } : {}),
                ...(hasConfig ? { envFrom: [{ configMapRef: { name: configMapName } }] } : {}),
                readinessProbe: probe(10, 3, w.readinessProbe),
                livenessProbe: probe(20, 6, w.livenessProbe, 10),
                resources: {
                  requests: { cpu: kplus.k8s.Quantity.fromString(props.resources.requests.cpu), memory: kplus.k8s.Quantity.fromString(props.resources.requests.memory) },
                  limits: { cpu: kplus.k8s.Quantity.fromString(props.resources.limits.cpu), memory: kplus.k8s.Quantity.fromString(props.resources.limits.memory) },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                },
                volumeMounts: [
                  { name: 'tmp', mountPath: '/tmp' },
                  ...mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: true })),
                  ...(token ? [{ name: token.volume, mountPath: token.mountPath, readOnly: true }] : []),
                  ...volumes.map((v) => ({
                    name: v.name,
                    mountPath: v.mountPath,
                    readOnly: v.readOnly ?? (v.secret !== undefined || v.configMap !== undefined),
                    ...(v.subPath !== undefined ? { subPath: v.subPath } : {}),
                  })),
                ],
              },
            ],
            volumes: [
              { name: 'tmp', emptyDir: {} },
              // 0440: readable by the pod's group (the fsGroup the platform assigns), and not by others,
              // which TLS client libraries such as libpq insist on for a private key.
              ...mounts.map((m) => ({ name: m.volume, secret: { secretName: m.secretName, defaultMode: 0o440 } })),
              // https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#serviceaccount-token-volume-projection
              ...(token
                ? [{ name: token.volume, projected: { defaultMode: 0o440, sources: [{ serviceAccountToken: { audience: token.audience, expirationSeconds: token.expirationSeconds, path: token.path } }] } }]
                : []),
              ...volumes.map((v) => ({
                name: v.name,
                ...(v.secret ? { secret: { defaultMode: 0o440, ...v.secret } } : {}),
                ...(v.configMap ? { configMap: { ...v.configMap } } : {}),
                ...(v.emptyDir
                  ? { emptyDir: { ...(v.emptyDir.medium !== undefined ? { medium: v.emptyDir.medium } : {}), ...(v.emptyDir.sizeLimit ? { sizeLimit: kplus.k8s.Quantity.fromString(v.emptyDir.sizeLimit) } : {}) } }
                  : {}),
                ...(v.persistentVolumeClaim ? { persistentVolumeClaim: { ...v.persistentVolumeClaim } } : {}),
              })),
            ],
          },
        },
      },
    });

    new kplus.k8s.KubeService(this, 'Service', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selector },
        ports: [
          { name: 'http', port: props.port, targetPort: kplus.k8s.IntOrString.fromString('http'), protocol: 'TCP', appProtocol: 'http' },
          ...extraPorts.map((p) => ({ name: p.name, port: p.port, targetPort: kplus.k8s.IntOrString.fromString(p.name), protocol: p.protocol ?? 'TCP' })),
        ],
      },
    });

    new kplus.k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...this.selector } },
      spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selector } } },
    });

    if (a) {
      new kplus.k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name: props.name, namespace: props.namespace, labels: { ...this.selector } },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercent } } }],
        },
      });
    }
  }

  /** The Deployment. */
  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
