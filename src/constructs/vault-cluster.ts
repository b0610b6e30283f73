import { ApiObject, type ApiObjectProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as mcs from '../../imports/multicluster.x-k8s.io';
import { selectorLabels } from '../lib/labels';
import { RELOAD_ON_CONFIGMAPS_ANNOTATION, RELOAD_ON_SECRETS_ANNOTATION } from '../lib/names';
import type { DnsEgress, PodSecurity } from '../lib/platform';
import { dnsEgressRule, podSecurityContext, SccGrant } from './pod-security';
import { VAULT_PATHS, VAULT_PORTS, type SecretEnv, type SecretFile, type VaultPodAddressing } from '../lib/vault';

const k8s = kplus.k8s;

/** How a cluster's pods are spread over its zones. */
export enum ZoneSpread {
  /** One pod per zone at most (the cluster has a zone for every pod). */
  REQUIRED = 'required',
  /** Zones preferred, separate nodes required (fewer zones than pods, or zones unknown). */
  PREFERRED = 'preferred',
}

export interface VaultClusterProps {
  readonly namespace: string;
  readonly image: string;
  /** Raft voters in this cluster. */
  readonly replicas: number;
  /** Volume per pod for integrated storage, in GiB. */
  readonly storageGiB: number;
  /** StatefulSet name: pods are `<name>-<ordinal>`. */
  readonly name: string;
  /** Headless Service peers address pods through (exported to the cluster set). */
  readonly headlessService: string;
  /** ClusterIP Service for clients in this cluster. */
  readonly clientService: string;
  readonly serviceAccount: string;
  readonly configMap: string;
  /** The server configuration file's name in the ConfigMap and its content. */
  readonly configFile: { readonly key: string; readonly content: string };
  /** Secret with the server certificate (`tls.crt`, `tls.key`, `ca.crt`). */
  readonly tlsSecret: string;
  /** Per-pod node ID and addresses, with `$(HOSTNAME)` standing for the pod name. */
  readonly addressing: VaultPodAddressing;
  /** Seal credentials, by reference. */
  /**
   * Networks of the clusters that run no Vault pod and call it by its clusterset name: admitted on
   * the API port only, and the client Service is exported when there are any.
   */
  readonly remoteClientNetworks?: readonly string[];
  readonly sealEnv: readonly SecretEnv[];
  readonly sealFiles: readonly SecretFile[];
  readonly zoneSpread: ZoneSpread;
  /** Namespaces whose pods may call the API port. */
  readonly clientNamespaces: readonly string[];
  /** CIDRs the Vault peers of the other clusters connect from (pod or global CIDRs), never this cluster's own. */
  readonly peerNetworks: readonly string[];
  /** TCP ports Vault may dial anywhere (cloud KMS, API servers). */
  readonly egressPorts: readonly number[];
  /** Fixed IDs and SCC grant, per platform (topology/platform.ts). */
  readonly podSecurity: PodSecurity;
  /** Where the cluster's DNS answers (egress is restricted). */
  readonly dns: DnsEgress;
}

/**
 * Labels Vault's Kubernetes service registration keeps on its own pod (Vault docs, "Kubernetes
 * service registration"): the client Service selects only initialized, unsealed members.
 */
export const VAULT_READY_MEMBER_LABELS = { 'vault-initialized': 'true', 'vault-sealed': 'false' } as const;

/**
 * Vault with integrated storage (Raft) as one cluster's share of a multi-cluster Raft group: the
 * StatefulSet and its configuration, the headless Service peers join through (exported with
 * `publishNotReadyAddresses`, since peers must find each other before any is Ready), the client
 * Service, the ServiceAccount with TokenReview rights and service-registration RBAC, a PDB and the
 * namespace's NetworkPolicies.
 */
export class VaultCluster extends Construct {
  public readonly statefulSet: ApiObject;

  public constructor(scope: Construct, id: string, props: VaultClusterProps) {
    super(scope, id);
    if (props.replicas < 1) throw new Error(`vault needs at least one replica per cluster, got ${props.replicas}`);
    const ns = props.namespace;
    const selector = selectorLabels('vault', props.name);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: props.serviceAccount, namespace: ns } });
    // TokenReview for the Kubernetes auth mount of this cluster (REFERENCE §1.3, §1.4).
    new k8s.KubeClusterRoleBinding(this, 'AuthDelegator', {
      metadata: { name: `meridian-${ns}-${props.serviceAccount}-auth-delegator` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: props.serviceAccount, namespace: ns }],
    });
    // service_registration "kubernetes" labels its own pod (vault-active, vault-sealed, ...); it
    // needs exactly get, update and patch on pods (developer.hashicorp.com/vault/docs/configuration/
    // service-registration/kubernetes), and VAULT_K8S_POD_NAME / VAULT_K8S_NAMESPACE (below).
    const registration = `${props.name}-service-registration`;
    new k8s.KubeRole(this, 'ServiceRegistrationRole', {
      metadata: { name: registration, namespace: ns },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'update', 'patch'] }],
    });
    if (props.podSecurity.scc) new SccGrant(this, 'Scc', { namespace: ns, serviceAccount: props.serviceAccount, scc: props.podSecurity.scc });
    new k8s.KubeRoleBinding(this, 'ServiceRegistrationBinding', {
      metadata: { name: registration, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: registration },
      subjects: [{ kind: 'ServiceAccount', name: props.serviceAccount, namespace: ns }],
    });

    new k8s.KubeConfigMap(this, 'Config', { metadata: { name: props.configMap, namespace: ns }, data: { [props.configFile.key]: props.configFile.content } });

    const ports = [
      { name: 'https', port: VAULT_PORTS.api, targetPort: k8s.IntOrString.fromNumber(VAULT_PORTS.api), protocol: 'TCP' },
      { name: 'https-internal', port: VAULT_PORTS.cluster, targetPort: k8s.IntOrString.fromNumber(VAULT_PORTS.cluster), protocol: 'TCP' },
    ];
    new k8s.KubeService(this, 'Headless', {
      metadata: { name: props.headlessService, namespace: ns },
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector, ports },
    });
    new mcs.ServiceExport(this, 'Export', { metadata: { name: props.headlessService, namespace: ns } });
    // Clients reach only members that are initialized and unsealed: the readiness probe admits
    // uninitialized pods (so the first sync proceeds before `vault operator init`, see below), and
    // the service-registration labels tell the two apart. Before init the client Service has no
    // endpoints, which is right: nothing can be served then. The headless Service above keeps
    // publishNotReadyAddresses for retry_join.
    new k8s.KubeService(this, 'Client', {
      metadata: { name: props.clientService, namespace: ns },
      spec: { type: 'ClusterIP', selector: { ...selector, ...VAULT_READY_MEMBER_LABELS }, ports: [ports[0]!] },
    });
    // Clusters without Vault pods reach it as <client>.<ns>.svc.clusterset.local: Lighthouse answers
    // that name with the ClusterIP of an exporting cluster's Service (REFERENCE §2.1).
    if ((props.remoteClientNetworks ?? []).length > 0) new mcs.ServiceExport(this, 'ClientExport', { metadata: { name: props.clientService, namespace: ns } });

    const statefulSet: kplus.k8s.KubeStatefulSetProps = {
      metadata: {
        name: props.name,
        namespace: ns,
        annotations: {
          // A renewed certificate, rotated seal credentials or a changed configuration roll the pods one by one.
          [RELOAD_ON_SECRETS_ANNOTATION]: [...new Set([props.tlsSecret, ...props.sealEnv.map((e) => e.secret), ...props.sealFiles.map((f) => f.secret)])].join(','),
          [RELOAD_ON_CONFIGMAPS_ANNOTATION]: props.configMap,
        },
      },
      spec: {
        serviceName: props.headlessService,
        replicas: props.replicas,
        // Raft peers must all start to elect and join; ordered start would wait on readiness pod by pod.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            serviceAccountName: props.serviceAccount,
            // On Kubernetes the image's vault user (100, group 1000); on OpenShift the SCC assigns the
            // IDs from the namespace range. Either way fsGroup makes the data volume writable.
            securityContext: podSecurityContext(props.podSecurity),
            affinity: { podAntiAffinity: antiAffinity(props.zoneSpread, selector) },
            containers: [this.container(props)],
            volumes: this.volumes(props),
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              volumeMode: 'Filesystem',
              resources: { requests: { storage: k8s.Quantity.fromString(`${props.storageGiB}Gi`) } },
            },
          },
        ],
      },
    };
    // Claim templates need apiVersion/kind, or Argo CD reports the StatefulSet OutOfSync forever under
    // server-side apply (REFERENCE §5.3). The L1 KubeStatefulSet re-serializes its output through its
    // typed props and drops them (even when JSON-patched), so the typed props are serialized here and
    // the object is a plain ApiObject of the same GVK.
    const body = k8s.toJson_KubeStatefulSetProps(statefulSet)!;
    body.spec.volumeClaimTemplates = (body.spec.volumeClaimTemplates as Record<string, unknown>[]).map((t) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...t }));
    this.statefulSet = new ApiObject(this, 'Resource', { ...k8s.KubeStatefulSet.GVK, ...body } as ApiObjectProps);

    new k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: { name: props.name, namespace: ns },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });

    const tcp = (port: number): { protocol: string; port: kplus.k8s.IntOrString } => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    const peers = [{ podSelector: { matchLabels: selector } }, ...props.peerNetworks.map((cidr) => ({ ipBlock: { cidr } }))];
    // The namespace's default deny (both directions) comes with the namespace (namespaces chart).
    new k8s.KubeNetworkPolicy(this, 'Policy', {
      metadata: { name: props.name, namespace: ns },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          ...(props.clientNamespaces.length > 0
            ? [
                {
                  from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...props.clientNamespaces] }] } }],
                  ports: [tcp(VAULT_PORTS.api)],
                },
              ]
            : []),
          // Peers of every cluster: retry_join and request forwarding (8200), Raft and cluster traffic (8201).
          { from: peers, ports: [tcp(VAULT_PORTS.api), tcp(VAULT_PORTS.cluster)] },
          // Clients in clusters without Vault pods (cert-manager, the vault-config-operator, services): the API port only.
          ...((props.remoteClientNetworks ?? []).length > 0 ? [{ from: props.remoteClientNetworks!.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(VAULT_PORTS.api)] }] : []),
        ],
        egress: [
          // DNS as the platform serves it (OpenShift: openshift-dns pods on 5353 after the Service
          // translation; Kubernetes: kube-dns on 53), REFERENCE §9.1.
          dnsEgressRule(props.dns),
          { to: peers, ports: [tcp(VAULT_PORTS.api), tcp(VAULT_PORTS.cluster)] },
          // Cloud KMS endpoints and API servers have no addresses in the model: ports only.
          { ports: props.egressPorts.map(tcp) },
        ],
      },
    });
  }

  private container(props: VaultClusterProps): kplus.k8s.Container {
    const a = props.addressing;
    const field = (fieldPath: string): kplus.k8s.EnvVarSource => ({ fieldRef: { fieldPath } });
    return {
      name: 'vault',
      image: props.image,
      command: ['vault'],
      args: ['server', `-config=${VAULT_PATHS.config}/${props.configFile.key}`],
      ports: [
        { name: 'https', containerPort: VAULT_PORTS.api, protocol: 'TCP' },
        { name: 'https-internal', containerPort: VAULT_PORTS.cluster, protocol: 'TCP' },
      ],
      env: [
        // Defined first so that $(HOSTNAME) below expands to the pod name.
        { name: 'HOSTNAME', valueFrom: field('metadata.name') },
        { name: 'VAULT_K8S_POD_NAME', valueFrom: field('metadata.name') },
        { name: 'VAULT_K8S_NAMESPACE', valueFrom: field('metadata.namespace') },
        { name: 'VAULT_RAFT_NODE_ID', value: a.nodeId },
        { name: 'VAULT_API_ADDR', value: a.apiAddr },
        { name: 'VAULT_CLUSTER_ADDR', value: a.clusterAddr },
        { name: 'VAULT_ADDR', value: a.localAddr },
        { name: 'VAULT_CACERT', value: `${VAULT_PATHS.tls}/ca.crt` },
        // The CLI's token helper writes to $HOME; the root filesystem is read-only.
        { name: 'HOME', value: VAULT_PATHS.tmp },
        ...props.sealEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
      ],
      // Ready while uninitialized (uninitcode=200): before the one-time `vault operator init` no pod
      // can be unsealed, and a readiness that waited for it would hold the Argo CD sync (and with it
      // the init's prerequisites) forever (REFERENCE §5.2). Standbys are ready (standbyok). A sealed,
      // initialized pod stays NotReady (503): with auto-unseal that means the seal is unreachable,
      // and clients must not be sent there.
      readinessProbe: {
        httpGet: { path: '/v1/sys/health?standbyok=true&perfstandbyok=true&uninitcode=200', port: k8s.IntOrString.fromNumber(VAULT_PORTS.api), scheme: 'HTTPS' },
        initialDelaySeconds: 5,
        periodSeconds: 5,
        timeoutSeconds: 3,
        failureThreshold: 2,
      },
      resources: {
        requests: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('256Mi') },
        limits: { memory: k8s.Quantity.fromString('1Gi') },
      },
      securityContext: {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        // No IPC_LOCK: mlock is disabled in the configuration (integrated storage).
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumeMounts: [
        { name: 'config', mountPath: VAULT_PATHS.config, readOnly: true },
        { name: 'tls', mountPath: VAULT_PATHS.tls, readOnly: true },
        { name: 'data', mountPath: VAULT_PATHS.data },
        { name: 'tmp', mountPath: VAULT_PATHS.tmp },
        ...(props.sealFiles.length > 0 ? [{ name: 'seal', mountPath: VAULT_PATHS.seal, readOnly: true }] : []),
      ],
    };
  }

  private volumes(props: VaultClusterProps): kplus.k8s.Volume[] {
    const sealSources = props.sealFiles.map((f) => {
      if (!f.path.startsWith(`${VAULT_PATHS.seal}/`)) throw new Error(`seal credential file ${f.path} must be under ${VAULT_PATHS.seal}/`);
      return { secret: { name: f.secret, items: [{ key: f.key, path: f.path.slice(VAULT_PATHS.seal.length + 1) }] } };
    });
    return [
      { name: 'config', configMap: { name: props.configMap } },
      // Group-readable for the vault user (fsGroup), nobody else.
      { name: 'tls', secret: { secretName: props.tlsSecret, defaultMode: 0o440 } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
      ...(sealSources.length > 0 ? [{ name: 'seal', projected: { sources: sealSources, defaultMode: 0o440 } }] : []),
    ];
  }
}

function antiAffinity(spread: ZoneSpread, selector: Record<string, string>): kplus.k8s.PodAntiAffinity {
  const term = (topologyKey: string): kplus.k8s.PodAffinityTerm => ({ labelSelector: { matchLabels: selector }, topologyKey });
  return spread === ZoneSpread.REQUIRED
    ? { requiredDuringSchedulingIgnoredDuringExecution: [term('topology.kubernetes.io/zone')] }
    : {
        requiredDuringSchedulingIgnoredDuringExecution: [term('kubernetes.io/hostname')],
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('topology.kubernetes.io/zone') }],
      };
}
