// The environment file contract (DESIGN §2) as one JSON Schema. It is the single source:
// `EnvironmentSpec` is derived from it by json-schema-to-ts, so the TypeScript type cannot drift,
// and `npm run schema` writes it to environments/schema.json for editors (a test keeps that file fresh).
// `default` values are documentation for editors; the model applies them explicitly (model.ts).
import type { FromSchema } from 'json-schema-to-ts';

/** DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
/** DNS name made of DNS-1123 labels, at most 253 characters. */
export const DNS_NAME = '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$';
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
      pattern: '^https://[^\\s/]+(:[0-9]+)?/?$',
      description: 'Kubernetes API server URL (https://host:port): Argo CD destination and Vault kubernetes_host.',
    },
    ingressDomain: {
      type: 'string',
      pattern: DNS_NAME,
      description: 'Optional: each global service is also served as <service>.<ingressDomain> on this cluster.',
    },
    podCIDR: { type: 'string', pattern: IPV4_CIDR, description: 'Pod network (IPv4 CIDR).' },
    serviceCIDR: { type: 'string', pattern: IPV4_CIDR, description: 'Service network (IPv4 CIDR).' },
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
        region: { type: 'string', pattern: DNS_LABEL },
        kmsKeyId: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9:/_.-]+$' },
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
        region: { type: 'string', pattern: DNS_LABEL },
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
        credentialsSecret: { ...secretName, description: 'Secret with AZURE_CLIENT_ID/AZURE_CLIENT_SECRET.' },
      },
    },
  },
} as const;

const service = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'namespace', 'image', 'port', 'healthPath'],
  properties: {
    name: { type: 'string', pattern: DNS_LABEL, maxLength: 40, description: 'Service name (DNS label, at most 40 characters so derived names fit).' },
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
    globalDomain: { type: 'string', pattern: DNS_NAME, description: 'Vanity domain served by the global load balancer.' },
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
    services: { type: 'array', maxItems: 10000, items: service },
  },
} as const;

/** How the loader's ajv compiles the schema (shared with the ahead-of-time build in scripts/). */
export const ENVIRONMENT_AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true } as const;

/** An environment file as written (before defaults). Derived from the schema: it cannot drift. */
export type EnvironmentSpec = FromSchema<typeof environmentSchema>;
export type ClusterSpec = EnvironmentSpec['clusters'][number];
export type ServiceSpec = NonNullable<EnvironmentSpec['services']>[number];
export type SealSpec = NonNullable<EnvironmentSpec['vault']>['seal'];
