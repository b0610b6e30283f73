// The environment file contract (DESIGN §2) as one JSON Schema. It is the single source:
// `EnvironmentSpec` is derived from it by json-schema-to-ts, so the TypeScript type cannot drift,
// and `npm run schema` writes it to environments/schema.json for editors (a test keeps that file fresh).
// `default` values are documentation for editors; the model applies them explicitly (model.ts).
import type { FromSchema } from 'json-schema-to-ts';

/** DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
/** DNS name made of DNS-1123 labels, at most 253 characters. */
export const DNS_NAME = '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$';
/** DNS-1035 label, what a Kubernetes Service name must be: starts with a letter. */
export const DNS_1035_LABEL = '^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$';
/** A domain of at least two DNS labels (a DNS zone such as example.com, never a bare label). */
const DOMAIN = '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$';
/** One identifier for every consumer of a cluster name (REFERENCE §8). */
export const CLUSTER_ID = '^[a-z][a-z0-9]{0,62}$';
/** Name of a Kubernetes object such as a Secret (DNS-1123 subdomain). */
export const OBJECT_NAME = '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const IPV4_CIDR = '^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$';
const SIZE_OR_PERCENT = '^([0-9]+(\\.[0-9]+)?%|[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|KiB|MiB|GiB|TiB|K|M|G|T|KB|MB|GB|TB)?)$';
const IMAGE = '^[a-z0-9][a-z0-9._/:@-]*$';
/** CPU quantity: millicores (`250m`) or cores (`0.5`, `2`). */
const CPU_QUANTITY = '^([1-9][0-9]{0,6}m|[1-9][0-9]{0,3}(\\.[0-9]{1,3})?|0\\.([1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$';
/** Memory quantity: bytes with an optional binary or decimal suffix (`512Mi`, `1Gi`, `500M`). */
const MEMORY_QUANTITY = '^[1-9][0-9]{0,12}(Ki|Mi|Gi|Ti|k|M|G|T)?$';

const resourceAmounts = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cpu: { type: 'string', pattern: CPU_QUANTITY, description: 'CPU, e.g. 250m or 1.' },
    memory: { type: 'string', pattern: MEMORY_QUANTITY, description: 'Memory, e.g. 256Mi or 1Gi.' },
  },
} as const;

const secretName = {
  type: 'string',
  pattern: OBJECT_NAME,
  description: 'Name of a Secret provisioned out-of-band in every cluster. Only the name is written, never a value.',
} as const;

const clusterRef = { type: 'string', pattern: CLUSTER_ID, description: 'Name of a cluster of this environment.' } as const;

const cluster = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'region', 'server', 'podCIDR', 'serviceCIDR'],
  properties: {
    name: {
      type: 'string',
      pattern: CLUSTER_ID,
      description: 'Cluster ID: dist/<name>/, Argo CD cluster name, Submariner clusterID, clusterset DNS label. Unique across all environments.',
    },
    region: { type: 'string', pattern: DNS_LABEL, description: 'Cloud region, e.g. us-east-1. Becomes the CockroachDB locality.' },
    zones: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: DNS_LABEL },
      description: 'Availability zones of the cluster, e.g. [us-east-1a, us-east-1b]. Optional.',
    },
    server: {
      type: 'string',
      pattern: '^https://([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?/?$',
      description: 'Kubernetes API server URL (https://host:port): Argo CD destination and Vault kubernetes_host.',
    },
    ingressDomain: {
      type: 'string',
      pattern: DNS_NAME,
      description: 'Optional: each global service is also served as <service>.<ingressDomain> on this cluster.',
    },
    podCIDR: { type: 'string', pattern: IPV4_CIDR, description: 'Pod network (IPv4 CIDR).' },
    serviceCIDR: { type: 'string', pattern: IPV4_CIDR, description: 'Service network (IPv4 CIDR).' },
    platform: {
      type: 'string',
      enum: ['openshift', 'kubernetes'],
      default: 'kubernetes',
      description: 'What the cluster runs: decides pod security (OpenShift SCCs or fixed non-root IDs), DNS egress (openshift-dns on 5353 or kube-dns on 53), how per-cluster hostnames reach the mesh gateway (a Route on OpenShift) and operator namespaces. Default kubernetes.',
    },
    role: {
      type: 'string',
      enum: ['workload', 'hub'],
      default: 'workload',
      description: 'workload (default): runs stores and services. hub: runs only control-plane pieces (the Submariner broker, the GSLB controller) and joins Submariner; it hosts no store and no service.',
    },
    operatorNamespaces: {
      type: 'object',
      additionalProperties: false,
      description: 'Where operators the bundle relies on run in this cluster, when not where their install puts them by default.',
      properties: {
        vaultConfigOperator: {
          type: 'string',
          pattern: DNS_LABEL,
          description: 'Namespace of the vault-config-operator (its pods call Vault). Default openshift-operators on OpenShift (OperatorHub install for all namespaces), vault-config-operator elsewhere.',
        },
      },
    },
  },
} as const;

const seal = {
  type: 'object',
  description: 'Auto-unseal mechanism: exactly one of awskms, transit, gcpckms, azurekeyvault.',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    awskms: {
      type: 'object',
      additionalProperties: false,
      required: ['region', 'kmsKeyId'],
      properties: {
        region: { type: 'string', pattern: DNS_LABEL, description: 'Region of kmsKeyId. With a multi-Region key (mrk-...), each cluster uses the replica in its own region instead.' },
        kmsKeyId: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9:/_.-]+$' },
        keys: {
          type: 'object',
          description: 'The replica of the multi-Region kmsKeyId to use in each region (same mrk- key ID; an ARN naming that region). Independent keys are refused: every member must unwrap the same root key.',
          propertyNames: { pattern: DNS_LABEL },
          additionalProperties: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9:/_.-]+$' },
        },
        credentialsSecret: { ...secretName, description: 'Secret with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. Omit when the pods get credentials from IRSA.' },
      },
    },
    transit: {
      type: 'object',
      additionalProperties: false,
      required: ['address', 'keyName', 'tokenSecret'],
      properties: {
        address: { type: 'string', pattern: '^https://[^\\s]+$' },
        keyName: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
        mountPath: { type: 'string', pattern: '^[A-Za-z0-9_./-]+$', default: 'transit/' },
        tokenSecret: { ...secretName, description: 'Secret with key VAULT_TOKEN for the transit Vault.' },
      },
    },
    gcpckms: {
      type: 'object',
      additionalProperties: false,
      required: ['project', 'region', 'keyRing', 'cryptoKey', 'credentialsSecret'],
      properties: {
        project: { type: 'string', pattern: '^[a-z][-a-z0-9]{4,28}[a-z0-9]$' },
        region: { type: 'string', pattern: DNS_LABEL, description: 'Cloud KMS location of the key ring: global or a multi-region location (us, europe, asia, nam4, ...) survives the loss of one region; a region (us-east1) does not.' },
        keyRing: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,63}$' },
        cryptoKey: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,63}$' },
        credentialsSecret: { ...secretName, description: 'Secret with key credentials.json.' },
      },
    },
    azurekeyvault: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'vaultName', 'keyName', 'credentialsSecret'],
      properties: {
        tenantId: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' },
        vaultName: { type: 'string', pattern: '^[A-Za-z0-9-]{3,24}$' },
        keyName: { type: 'string', pattern: '^[A-Za-z0-9-]{1,127}$' },
        region: { type: 'string', pattern: DNS_LABEL, description: "Azure region the Key Vault lives in (e.g. westeurope), named in the warning about losing it; Vault's configuration does not use it." },
        credentialsSecret: { ...secretName, description: 'Secret with AZURE_CLIENT_ID/AZURE_CLIENT_SECRET.' },
      },
    },
  },
} as const;

const keyRef = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'key'],
  properties: {
    name: { type: 'string', pattern: OBJECT_NAME, description: 'Name of the object, provisioned out-of-band (a Secret) or by you.' },
    key: { type: 'string', pattern: '^[-._a-zA-Z0-9]{1,253}$', description: 'Key inside it.' },
    optional: { type: 'boolean', default: false, description: 'Start the pod even when the key is missing.' },
  },
} as const;

const probeOverride = {
  type: 'object',
  additionalProperties: false,
  description: 'Overrides of the HTTP probe on the http port (path default: healthPath).',
  properties: {
    path: { type: 'string', pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@/?%-]*$' },
    initialDelaySeconds: { type: 'integer', minimum: 0, maximum: 3600 },
    periodSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
    timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
    failureThreshold: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

const labelSelector = {
  type: 'object',
  additionalProperties: false,
  required: ['matchLabels'],
  properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } },
} as const;

/** Pod fields the topology does not model otherwise (issue #19): set per service, in every cluster it runs in. */
const workload = {
  type: 'object',
  additionalProperties: false,
  description: 'Workload fields the topology does not model: environment variables by reference, volumes, command, extra ports, probes, scheduling. For anything else use patches.',
  properties: {
    env: {
      type: 'array',
      maxItems: 200,
      description: 'Environment variables whose values come from a Secret or ConfigMap key, by reference (never a value).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        minProperties: 2,
        maxProperties: 2,
        properties: {
          name: { type: 'string', pattern: '^[-._a-zA-Z][-._a-zA-Z0-9]*$' },
          secretKeyRef: keyRef,
          configMapKeyRef: keyRef,
        },
      },
    },
    volumes: {
      type: 'array',
      maxItems: 50,
      description: 'Volumes mounted into the container: exactly one of secret, configMap, emptyDir, persistentVolumeClaim each.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'mountPath'],
        minProperties: 3,
        properties: {
          name: { type: 'string', pattern: DNS_LABEL, description: 'Volume name (not tmp: meridian mounts a writable /tmp).' },
          mountPath: { type: 'string', pattern: '^/[^:]*$', description: 'Absolute path in the container.' },
          readOnly: { type: 'boolean', description: 'Default: true for secret and configMap, false otherwise.' },
          subPath: { type: 'string', pattern: '^[^/].*$' },
          secret: { type: 'object', additionalProperties: false, required: ['secretName'], properties: { secretName: { type: 'string', pattern: OBJECT_NAME }, defaultMode: { type: 'integer', minimum: 0, maximum: 511 } } },
          configMap: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', pattern: OBJECT_NAME }, defaultMode: { type: 'integer', minimum: 0, maximum: 511 } } },
          emptyDir: { type: 'object', additionalProperties: false, properties: { medium: { enum: ['', 'Memory'] }, sizeLimit: { type: 'string', pattern: MEMORY_QUANTITY } } },
          persistentVolumeClaim: { type: 'object', additionalProperties: false, required: ['claimName'], properties: { claimName: { type: 'string', pattern: OBJECT_NAME }, readOnly: { type: 'boolean' } } },
        },
      },
    },
    command: { type: 'array', maxItems: 100, items: { type: 'string' }, description: 'Replaces the image entrypoint.' },
    args: { type: 'array', maxItems: 1000, items: { type: 'string' }, description: 'Arguments to the entrypoint.' },
    ports: {
      type: 'array',
      maxItems: 20,
      description: 'Extra container ports, also published by the Service under the same number and name.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'port'],
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$', description: 'IANA_SVC_NAME: at most 15 characters, not http.' },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          protocol: { enum: ['TCP', 'UDP', 'SCTP'], default: 'TCP' },
        },
      },
    },
    readinessProbe: probeOverride,
    livenessProbe: probeOverride,
    serviceAccount: {
      type: 'object',
      additionalProperties: false,
      description: 'Run under a ServiceAccount of its own (named like the service) with these annotations, e.g. eks.amazonaws.com/role-arn.',
      properties: {
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
        automountToken: { type: 'boolean', default: false, description: 'Mount the API token into the pods.' },
      },
    },
    nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
    tolerations: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          key: { type: 'string' },
          operator: { enum: ['Exists', 'Equal'] },
          value: { type: 'string' },
          effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
          tolerationSeconds: { type: 'integer', minimum: 0 },
        },
      },
    },
    topologySpreadConstraints: {
      type: 'array',
      maxItems: 10,
      description: 'Replaces the default zone spread (maxSkew 1 over topology.kubernetes.io/zone, ScheduleAnyway). Default labelSelector: the pods of the service.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'],
        properties: {
          maxSkew: { type: 'integer', minimum: 1 },
          topologyKey: { type: 'string', minLength: 1 },
          whenUnsatisfiable: { enum: ['DoNotSchedule', 'ScheduleAnyway'] },
          minDomains: { type: 'integer', minimum: 1 },
          labelSelector,
        },
      },
    },
    imagePullSecrets: { type: 'array', uniqueItems: true, maxItems: 20, items: { type: 'string', pattern: OBJECT_NAME }, description: 'Secrets (provisioned out-of-band) to pull the image with.' },
  },
} as const;

/** A change to generated objects that neither the topology nor workload overrides express. */
const patch = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  description: 'Changes generated objects before validation: exactly one of strategic (strategic merge patch) or json6902 (RFC 6902 operations). A patch that matches no object is an error.',
  properties: {
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'name'],
      properties: {
        kind: { type: 'string', pattern: '^[A-Z][A-Za-z0-9]*$' },
        name: { type: 'string', pattern: OBJECT_NAME },
        namespace: { type: 'string', pattern: DNS_LABEL, description: 'Default: any namespace.' },
        apiVersion: { type: 'string', pattern: '^([a-z0-9.-]+/)?v[0-9a-z]+$', description: 'Default: any apiVersion.' },
      },
    },
    cluster: { ...clusterRef, description: 'Only this cluster. Default: every cluster of the environment.' },
    strategic: { type: 'object', description: 'Strategic merge patch: maps merge, lists of containers, env, volumes, volumeMounts, ports, tolerations merge by their key, other lists are replaced; null deletes a field.' },
    json6902: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['op', 'path'],
        properties: {
          op: { enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
          path: { type: 'string', pattern: '^(/.*)?$' },
          from: { type: 'string', pattern: '^(/.*)?$' },
          value: {},
        },
      },
    },
  },
} as const;

/** A folder of manifests meridian copies into the cluster folders it owns. */
const extraManifests = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', pattern: '^[A-Za-z0-9._][A-Za-z0-9._/-]*$', description: 'Folder of *.yaml files, relative to the repository root (the folder meridian runs in).' },
    cluster: { ...clusterRef, description: 'Only this cluster. Default: every cluster of the environment.' },
  },
} as const;

const service = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'namespace', 'image', 'port', 'healthPath'],
  properties: {
    name: {
      type: 'string',
      pattern: DNS_1035_LABEL,
      maxLength: 40,
      description: 'Service name: a DNS-1035 label (starts with a letter, as Kubernetes Service names must), at most 40 characters so derived names fit.',
    },
    namespace: { type: 'string', pattern: DNS_LABEL, description: 'Namespace the service runs in, in every cluster.' },
    image: { type: 'string', pattern: IMAGE, description: 'Container image, pinned by tag or digest.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'HTTP port the container listens on.' },
    healthPath: {
      type: 'string',
      pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@/?%-]*$',
      description: 'HTTP path of the readiness probe; the GSLB health check uses the same endpoint.',
    },
    replicas: { type: 'integer', minimum: 1, maximum: 10000, description: 'Total replicas, split across activeIn (remainder to the first clusters). Required unless autoscaling is set, and refused with it (the HorizontalPodAutoscalers own the count).' },
    expose: {
      enum: ['global', 'clusterset', 'cluster'],
      default: 'cluster',
      description: 'global: vanity hostname + GSLB; clusterset: east-west only (<svc>.<ns>.svc.clusterset.local); cluster: local only.',
    },
    hostname: { type: 'string', pattern: DNS_NAME, description: 'Vanity hostname of a global service. Default <name>.<globalDomain>.' },
    uses: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: DNS_LABEL },
      description: 'Stores (cockroachdb, vault) or other services this service calls.',
    },
    autoscaling: {
      type: 'object',
      additionalProperties: false,
      required: ['minReplicas', 'maxReplicas'],
      properties: {
        minReplicas: { type: 'integer', minimum: 1, maximum: 10000 },
        maxReplicas: { type: 'integer', minimum: 1, maximum: 10000 },
        targetCPUUtilizationPercent: { type: 'integer', minimum: 1, maximum: 1000, default: 80 },
      },
      description: 'One HorizontalPodAutoscaler per cluster, with the bounds split like replicas (never below 1).',
    },
    activeIn: {
      type: 'array',
      uniqueItems: true,
      minItems: 1,
      items: clusterRef,
      description: 'Clusters the service runs in. Default: all clusters.',
    },
    drainedIn: {
      type: 'array',
      uniqueItems: true,
      items: clusterRef,
      description: 'Clusters that keep the pods warm but stop serving: no export, local route to the other clusters, out of the GSLB.',
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: { requests: resourceAmounts, limits: resourceAmounts },
      description:
        'Container resources. Default requests cpu 100m, memory 128Mi; default limits cpu 1, memory 512Mi (raised to the request when a request is larger). A request above its explicit limit is an error.',
    },
    config: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' },
      additionalProperties: { type: ['string', 'number', 'boolean'] },
      description: 'Non-secret settings: a ConfigMap in every cluster the service runs in, exposed as environment variables.',
    },
    workload,
  },
} as const;

export const environmentSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://meridian.dev/schemas/environment.json',
  title: 'meridian environment',
  description: 'One environment: clusters, connectivity, trust, stores and services. See README.md for every field.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'globalDomain', 'argocd', 'clusters', 'submariner', 'pki'],
  properties: {
    name: { type: 'string', pattern: DNS_LABEL, description: 'Environment name (DNS label).' },
    globalDomain: { type: 'string', pattern: DOMAIN, description: 'Vanity domain served by the global load balancer: a DNS zone of at least two labels, e.g. global.example.com.' },
    strategy: {
      enum: ['active-active', 'active-passive'],
      default: 'active-active',
      description: 'active-active: >= 3 clusters for consensus stores; active-passive: exactly two clusters, stateless services only.',
    },
    argocd: {
      type: 'object',
      additionalProperties: false,
      required: ['repoURL'],
      properties: {
        repoURL: { type: 'string', pattern: '^(https://|ssh://|git@)[^\\s]+$', description: 'Git repository holding the committed dist/.' },
        revision: { type: 'string', minLength: 1, pattern: '^[^\\s]+$', default: 'main' },
        namespace: { type: 'string', pattern: DNS_LABEL, default: 'argocd' },
        project: {
          type: 'string',
          pattern: DNS_LABEL,
          description: 'Argo CD project of the Applications. Default: meridian ships an AppProject meridian-<name> restricted to this repository, these clusters and the kinds it generates.',
        },
        path: { type: 'string', pattern: '^[A-Za-z0-9._/-]+$', default: 'dist', description: 'Folder of the repository that holds the cluster folders.' },
        rollout: {
          enum: ['one-cluster-at-a-time', 'all-at-once'],
          default: 'one-cluster-at-a-time',
          description:
            'one-cluster-at-a-time: the ApplicationSet rolls a change out with progressive syncs (RollingSync), one step per cluster in file order, each waiting for the previous to be Healthy; all-at-once: every Application syncs automatically and independently.',
        },
      },
    },
    clusters: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: cluster,
      description: 'Order is meaningful: the first cluster is the default bootstrap and hub cluster.',
    },
    submariner: {
      type: 'object',
      additionalProperties: false,
      required: ['broker', 'brokerApiServer', 'brokerSecret', 'ipsecPSKSecret'],
      properties: {
        broker: { ...clusterRef, description: 'Cluster that hosts the Broker.' },
        brokerApiServer: {
          type: 'string',
          pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]{1,5}$',
          description: 'Broker API server as host:port, without scheme.',
        },
        brokerNamespace: { type: 'string', pattern: DNS_LABEL, default: 'submariner-k8s-broker' },
        cableDriver: { enum: ['libreswan', 'wireguard', 'vxlan'], default: 'libreswan' },
        natEnabled: { type: 'boolean', default: false },
        globalnet: {
          enum: ['auto', true, false],
          default: 'auto',
          description: 'auto: on iff any pod/service CIDRs overlap across clusters; false: an overlap is an error.',
        },
        globalnetCIDR: { type: 'string', pattern: IPV4_CIDR, default: '242.0.0.0/8', description: 'Globalnet supernet.' },
        globalnetClusterSize: {
          type: 'integer',
          enum: [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
          default: 65536,
          description: 'Addresses carved from the supernet for each cluster, in cluster order.',
        },
        brokerSecret: secretName,
        ipsecPSKSecret: secretName,
      },
    },
    pki: {
      type: 'object',
      additionalProperties: false,
      required: ['rootCASecret'],
      properties: {
        rootCASecret: { ...secretName, description: 'Out-of-band root CA Secret (tls.crt/tls.key) present in every cluster.' },
        vaultPKIPath: { type: 'string', pattern: '^[a-z0-9][-a-z0-9_]*$', default: 'pki' },
        vaultRole: { type: 'string', pattern: DNS_LABEL, default: 'cert-manager' },
        authMountPrefix: { type: 'string', pattern: '^[a-z0-9][-a-z0-9_]*$', default: 'kubernetes-' },
      },
    },
    vault: {
      type: 'object',
      additionalProperties: false,
      required: ['image', 'seal'],
      properties: {
        namespace: { type: 'string', pattern: DNS_LABEL, default: 'vault' },
        replicasPerCluster: { type: 'integer', minimum: 1, maximum: 9, default: 3 },
        image: { type: 'string', pattern: IMAGE },
        storageGiB: { type: 'integer', minimum: 1, maximum: 65536, default: 10 },
        seal,
        clusters: {
          type: 'array',
          items: clusterRef,
          description: 'Placement: the clusters that run Vault pods (at least three workload clusters, each in its own region). Default: every workload cluster. The others reach Vault by its clusterset name.',
        },
      },
    },
    cockroachdb: {
      type: 'object',
      additionalProperties: false,
      required: ['image'],
      properties: {
        namespace: { type: 'string', pattern: DNS_LABEL, default: 'cockroachdb' },
        replicasPerCluster: { type: 'integer', minimum: 1, maximum: 99, default: 3 },
        image: { type: 'string', pattern: IMAGE },
        storageGiB: { type: 'integer', minimum: 1, maximum: 65536, default: 100 },
        clusters: {
          type: 'array',
          items: clusterRef,
          description: 'Placement: the clusters that run CockroachDB nodes (at least three workload clusters, each in its own region). Default: every workload cluster. The others reach it by its clusterset name.',
        },
        cache: { type: 'string', pattern: SIZE_OR_PERCENT, default: '25%', description: 'Pebble block cache: a share of the memory limit (written to --cache in bytes) or a size.' },
        maxSQLMemory: { type: 'string', pattern: SIZE_OR_PERCENT, default: '25%', description: 'SQL memory budget: a share of the memory limit (written to --max-sql-memory in bytes) or a size.' },
        resources: {
          type: 'object',
          additionalProperties: false,
          properties: { requests: resourceAmounts, limits: resourceAmounts },
          description: 'Node container resources. Default requests = limits = cpu 2, memory 8Gi (Guaranteed QoS); a request given alone also sets the limit, and the reverse.',
        },
        survivalGoal: {
          enum: ['region', 'zone'],
          default: 'region',
          description: 'region: SURVIVE REGION FAILURE (needs >= 3 regions); zone: the default zone survival.',
        },
        databases: {
          type: 'array',
          uniqueItems: true,
          items: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' },
          description: 'Databases the runbook makes multi-region.',
        },
      },
    },
    globalLoadBalancer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        provider: { enum: ['global-load-balancer-operator', 'k8gb', 'external-dns'], default: 'global-load-balancer-operator' },
        hub: { ...clusterRef, description: 'Cluster running the GSLB controller. Default: the first cluster.' },
        zone: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', pattern: DNS_LABEL },
            route53ZoneID: { type: 'string', pattern: '^Z[A-Z0-9]{1,31}$' },
            credentialsSecret: secretName,
          },
        },
        policy: {
          enum: ['Latency', 'Multivalue', 'Weighted', 'Geolocation', 'Geoproximity', 'Failover', 'Geographic', 'Performance', 'Subnet'],
          description:
            'Load-balancing policy. Default: Failover (active-passive), else Latency (Multivalue with k8gb). Supported: global-load-balancer-operator Latency, Multivalue, Geoproximity; k8gb Multivalue, Failover; external-dns Latency, Weighted.',
        },
        namespace: {
          type: 'string',
          pattern: DNS_LABEL,
          description:
            'Namespace on the hub that holds the records meridian writes and the Secrets they reference. Default: global-load-balancer-operator, or external-dns. Not used by k8gb (its Gslb objects sit beside the ingress gateway).',
        },
        clusterCredentials: {
          type: 'object',
          additionalProperties: false,
          description:
            'global-load-balancer-operator only: the kubeconfig Secret (key kubeconfig) the operator uses for each cluster is <cluster><secretSuffix> in namespace (default: globalLoadBalancer.namespace).',
          properties: {
            namespace: { type: 'string', pattern: DNS_LABEL },
            secretSuffix: { type: 'string', pattern: '^([-a-z0-9]{0,39}[a-z0-9])?$', default: '-kubeconfig' },
          },
        },
        ttl: { type: 'integer', minimum: 1, maximum: 86400, default: 30 },
        healthCheck: {
          type: 'object',
          additionalProperties: false,
          properties: {
            periodSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 10 },
            failureThreshold: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
            timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 1 },
          },
        },
      },
    },
    backup: {
      type: 'object',
      additionalProperties: false,
      required: ['destination', 'credentialsSecret'],
      description: 'Scheduled backups of both stores to object storage: a CockroachDB backup schedule and a Vault Raft snapshot CronJob per cluster.',
      properties: {
        destination: {
          type: 'string',
          // s3://bucket[/prefix], no query string, no credentials: keys come from credentialsSecret.
          pattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._-]+)*/?$',
          description: 'Object storage URL s3://<bucket>[/<prefix>] (no credentials, no query string). CockroachDB writes to <destination>/cockroachdb, Vault to <destination>/vault/<cluster>.',
        },
        schedule: {
          enum: ['@hourly', '@daily', '@weekly'],
          default: '@hourly',
          description: 'Cadence of the CockroachDB backup schedule and of the Vault snapshot CronJob; the report derives the RPO from it.',
        },
        retention: {
          type: 'string',
          pattern: '^[1-9][0-9]{0,3}d$',
          default: '7d',
          description: 'How long backups are kept, in days: enforced by the bucket lifecycle rule the runbook applies (neither store deletes old backups itself).',
        },
        credentialsSecret: { ...secretName, description: 'Out-of-band Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and optionally AWS_DEFAULT_REGION), in the Vault and CockroachDB namespaces.' },
      },
    },
    monitoring: {
      enum: ['prometheus-operator', 'none'],
      default: 'none',
      description: 'prometheus-operator: ServiceMonitors, PodMonitors and PrometheusRules (alerts with thresholds from this file) in every cluster; none: no monitoring objects.',
    },
    services: { type: 'array', maxItems: 10000, items: service },
    patches: { type: 'array', maxItems: 1000, items: patch, description: 'Applied to the generated objects, in order, before validation.' },
    extraManifests: {
      type: 'array',
      maxItems: 100,
      items: extraManifests,
      description: 'Folders of extra manifests copied into cluster folders as extra-<file>.yaml: labelled like meridian\'s objects, listed in the kustomization, validated, and owned by synth.',
    },
  },
} as const;

/** How the loader's ajv compiles the schema (shared with the ahead-of-time build in scripts/). */
export const ENVIRONMENT_AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true } as const;

/** An environment file as written (before defaults). Derived from the schema: it cannot drift. */
export type EnvironmentSpec = FromSchema<typeof environmentSchema>;
export type ClusterSpec = EnvironmentSpec['clusters'][number];
export type ServiceSpec = NonNullable<EnvironmentSpec['services']>[number];
export type SealSpec = NonNullable<EnvironmentSpec['vault']>['seal'];
export type WorkloadSpec = NonNullable<ServiceSpec['workload']>;
export type PatchSpec = NonNullable<EnvironmentSpec['patches']>[number];
export type ExtraManifestsSpec = NonNullable<EnvironmentSpec['extraManifests']>[number];
