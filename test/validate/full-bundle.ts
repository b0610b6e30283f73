// A complete, valid dist/ tree for three clusters in the shapes DESIGN §3 and REFERENCE §1-§5
// prescribe (the objects the component issues produce): Vault with raft retry_join in a JSON
// ConfigMap, CockroachDB with --join/--advertise-addr, exports, mesh, ingress, GSLB, Argo CD.
// Rule tests break exactly one fact of it and expect exactly the rule about that fact to fire.
import { stringify } from 'yaml';

export type Obj = Record<string, any>;
/** folder -> component -> objects */
export type Bundle = Map<string, Map<string, Obj[]>>;

export const ENV = 'demo';
export const CLUSTERS = ['cluster1', 'cluster2', 'cluster3'] as const;
const REGIONS: Record<string, string> = { cluster1: 'us-east-1', cluster2: 'us-east-2', cluster3: 'us-west-2', cluster4: 'eu-west-1' };
/** shop is drained in cluster3: no export there, out of the GSLB record, labelled. */
export const DRAINED = 'cluster3';
const HOST = 'shop.global.example.com';

const peers = (all: readonly string[], pod: string, svc: string, ns: string): string[] => all.flatMap((c) => [0, 1, 2].map((i) => `${pod}-${i}.${c}.${svc}.${ns}.svc.clusterset.local`));

function meta(cluster: string | undefined, component: string, name: string, namespace?: string, extra: Obj = {}): Obj {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: {
      'app.kubernetes.io/component': component,
      'app.kubernetes.io/managed-by': 'meridian',
      'app.kubernetes.io/part-of': 'meridian',
      'meridian.dev/environment': ENV,
      ...(cluster ? { 'meridian.dev/cluster': cluster } : {}),
      ...(extra.labels ?? {}),
    },
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  };
}

const restrictedContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };
const restrictedPod = { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };

function namespaces(c: string): Obj[] {
  const ns = (name: string, mesh: boolean): Obj => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(c, 'namespaces', name, undefined, { labels: { ...(mesh ? { 'istio-discovery': 'enabled' } : {}), 'pod-security.kubernetes.io/enforce': 'restricted', 'meridian.dev/region': REGIONS[c]! } }),
  });
  const names = ['cockroachdb', 'meridian-ingress', 'shop', 'vault'];
  return [ns('cockroachdb', false), ns('meridian-ingress', false), ns('shop', true), ns('vault', false), ...names.flatMap((n) => isolation(c, 'namespaces', n))];
}

/** The other clusters' pod CIDRs (the Submariner CRs' clusterCIDR), from which their callers arrive. */
export function remotePodCIDRs(c: string, all: readonly string[] = CLUSTERS): string[] {
  return all.filter((o) => o !== c).map((o) => `10.${128 + 4 * all.indexOf(o)}.0.0/14`);
}

/**
 * A namespace's default deny (MER201) and, to keep the fixture small, one policy that opens its
 * egress again: the rule tests break egress by removing it.
 */
function isolation(c: string, component: string, namespace: string): Obj[] {
  return [
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(c, component, 'default-deny', namespace), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(c, component, 'allow-egress', namespace), spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } },
  ];
}

/** vault-config-operator's login and connection, as every object of src/constructs/vault-config.ts carries them. */
const vaultConfigCommon = (c: string): Obj => ({
  authentication: { path: `kubernetes-${c}`, role: 'vault-config-operator', serviceAccount: { name: 'vault-config-operator' } },
  connection: { address: 'https://vault.vault.svc:8200', tLSConfig: { tlsSecret: { name: 'vault-config-operator-tls' } } },
});
/** Argo CD neither prunes nor deletes these: their deletion unmounts the engine in Vault. */
const keep = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };

function pki(c: string, all: readonly string[]): Obj[] {
  return [
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(c, 'pki', 'vault-config-operator-tls', 'vault'),
      spec: { secretName: 'vault-config-operator-tls', issuerRef: { name: 'vault-bootstrap-ca', kind: 'Issuer', group: 'cert-manager.io' }, uris: ['spiffe://cluster.local/ns/vault/sa/vault-config-operator'], usages: ['digital signature', 'client auth'] },
    },
    {
      apiVersion: 'redhatcop.redhat.io/v1alpha1',
      kind: 'AuthEngineMount',
      metadata: meta(c, 'pki', 'kubernetes-auth', 'vault', { annotations: keep }),
      spec: { ...vaultConfigCommon(c), path: '', name: `kubernetes-${c}`, type: 'kubernetes', description: `Kubernetes auth for ServiceAccounts of cluster ${c}` },
    },
    ...(c === CLUSTERS[0]
      ? [
          {
            apiVersion: 'redhatcop.redhat.io/v1alpha1',
            kind: 'SecretEngineMount',
            metadata: meta(c, 'pki', 'pki', 'vault', { annotations: keep }),
            spec: { ...vaultConfigCommon(c), path: '', name: 'pki', type: 'pki', description: 'Certificates of environment demo', config: { maxLeaseTTL: '87600h' } },
          },
          {
            // The cluster-wide issuer's role signs the services' own names, never a store identity.
            apiVersion: 'redhatcop.redhat.io/v1alpha1',
            kind: 'PKISecretEngineRole',
            metadata: meta(c, 'pki', 'cert-manager', 'vault'),
            spec: { ...vaultConfigCommon(c), path: 'pki', name: 'cert-manager', allowedDomains: [HOST, 'shop.shop.svc', 'shop.shop.svc.cluster.local', 'shop.shop.svc.clusterset.local'], allowBareDomains: true, allowSubdomains: false, allowGlobDomains: false, allowAnyName: false, allowIPSans: false, allowLocalhost: false, enforceHostnames: true, serverFlag: true, clientFlag: true },
          },
          {
            apiVersion: 'redhatcop.redhat.io/v1alpha1',
            kind: 'PKISecretEngineRole',
            metadata: meta(c, 'pki', 'cockroachdb', 'vault'),
            spec: { ...vaultConfigCommon(c), path: 'pki', name: 'cockroachdb', allowedDomains: ['node', 'root', ...peers(all, 'cockroachdb', 'cockroachdb', 'cockroachdb'), 'cockroachdb-public', 'cockroachdb-public.cockroachdb.svc'], allowBareDomains: true, allowSubdomains: false, enforceHostnames: true, serverFlag: true, clientFlag: true },
          },
        ]
      : []),
    // Vault's own TLS: the root CA key only in Vault's namespace, for this CA Issuer.
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta(c, 'pki', 'vault-bootstrap-ca', 'vault'), spec: { ca: { secretName: 'root-ca' } } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: meta(c, 'pki', 'vault-issuer'),
      spec: {
        vault: {
          server: 'https://vault.vault.svc:8200',
          path: 'pki/sign/cert-manager',
          caBundleSecretRef: { name: 'root-ca-bundle', key: 'ca.crt' },
          auth: { kubernetes: { role: 'cert-manager', mountPath: `/v1/auth/kubernetes-${c}`, serviceAccountRef: { name: 'vault-issuer' } } },
        },
      },
    },
  ];
}

function vault(c: string, all: readonly string[]): Obj[] {
  const config = {
    ui: true,
    disable_mlock: true,
    listener: { tcp: { address: '[::]:8200', cluster_address: '[::]:8201', tls_cert_file: '/etc/vault-tls/tls.crt', tls_key_file: '/etc/vault-tls/tls.key', tls_client_ca_file: '/etc/vault-tls/ca.crt' } },
    // a multi-Region key: each cluster unseals with the replica in its own region (same key ID)
    seal: { awskms: { region: REGIONS[c]!, kms_key_id: 'mrk-1234abcd12ab34cd56ef1234567890ab' } },
    storage: { raft: { path: '/vault/data', retry_join: peers(all, 'vault', 'vault-internal', 'vault').map((h) => ({ leader_api_addr: `https://${h}:8200`, leader_ca_cert_file: '/etc/vault-tls/ca.crt' })) } },
    service_registration: { kubernetes: {} },
  };
  const labels = { 'app.kubernetes.io/name': 'vault', 'app.kubernetes.io/instance': 'vault' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(c, 'vault', 'vault', 'vault') },
    // TokenReview for every cluster's auth mount: the reviewer token's ServiceAccount
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(c, 'vault', 'meridian-vault-vault-auth-delegator'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: 'vault', namespace: 'vault' }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(c, 'vault', 'vault-config', 'vault'), data: { 'vault.json': JSON.stringify(config, null, 2) } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(c, 'vault', 'vault-internal', 'vault'),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: labels, ports: [{ name: 'https', port: 8200, targetPort: 8200 }, { name: 'https-internal', port: 8201, targetPort: 8201 }] },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, 'vault', 'vault', 'vault'), spec: { selector: { ...labels, 'vault-initialized': 'true', 'vault-sealed': 'false' }, ports: [{ name: 'https', port: 8200, targetPort: 8200 }] } },
    { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceExport', metadata: meta(c, 'vault', 'vault-internal', 'vault') },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(c, 'vault', 'vault', 'vault'),
      spec: {
        secretName: 'vault-tls',
        issuerRef: { name: 'vault-bootstrap-ca', kind: 'Issuer', group: 'cert-manager.io' },
        usages: ['server auth', 'client auth'],
        dnsNames: [...peers(all, 'vault', 'vault-internal', 'vault'), 'vault', 'vault.vault.svc', 'vault.vault.svc.cluster.local'],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(c, 'vault', 'vault', 'vault', { annotations: { 'secret.reloader.stakater.com/reload': 'vault-tls' } }),
      spec: {
        replicas: 3,
        serviceName: 'vault-internal',
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'vault',
            securityContext: restrictedPod,
            containers: [
              {
                name: 'vault',
                image: 'hashicorp/vault:1.17.6',
                args: ['server', '-config=/vault/config/vault.json'],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'VAULT_CLUSTER_ADDR', value: `https://$(POD_NAME).${c}.vault-internal.vault.svc.clusterset.local:8201` },
                  { name: 'VAULT_RAFT_NODE_ID', value: `$(POD_NAME)-${c}` },
                  { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'vault-kms-credentials', key: 'AWS_ACCESS_KEY_ID' } } },
                ],
                ports: [{ name: 'https', containerPort: 8200 }, { name: 'https-internal', containerPort: 8201 }],
                resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
                securityContext: restrictedContainer,
                volumeMounts: [{ name: 'config', mountPath: '/vault/config' }, { name: 'tls', mountPath: '/etc/vault-tls' }, { name: 'data', mountPath: '/vault/data' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'vault-config' } }, { name: 'tls', secret: { secretName: 'vault-tls' } }],
          },
        },
        volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '10Gi' } } } }],
      },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(c, 'vault', 'vault', 'vault'), spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(c, 'vault', 'vault', 'vault'),
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8200, protocol: 'TCP' }, { port: 'https-internal', protocol: 'TCP' }] }] },
    },
  ];
}

function cockroachdb(c: string, all: readonly string[]): Obj[] {
  const labels = { 'app.kubernetes.io/name': 'cockroachdb', 'app.kubernetes.io/instance': 'cockroachdb' };
  const ports = [{ name: 'grpc', port: 26257, targetPort: 26257 }, { name: 'http', port: 8080, targetPort: 8080 }];
  const objs: Obj[] = [
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, 'cockroachdb', 'cockroachdb', 'cockroachdb'), spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: labels, ports } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, 'cockroachdb', 'cockroachdb-public', 'cockroachdb'), spec: { selector: labels, ports } },
    { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceExport', metadata: meta(c, 'cockroachdb', 'cockroachdb', 'cockroachdb') },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(c, 'cockroachdb', 'cockroachdb-node', 'cockroachdb'),
      spec: { secretName: 'cockroachdb-tls', commonName: 'node', issuerRef: { name: 'cockroachdb-issuer', kind: 'Issuer', group: 'cert-manager.io' }, usages: ['server auth', 'client auth'], dnsNames: [...peers(all, 'cockroachdb', 'cockroachdb', 'cockroachdb'), 'cockroachdb-public', 'cockroachdb-public.cockroachdb.svc'] },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(c, 'cockroachdb', 'cockroachdb-root-client', 'cockroachdb'),
      spec: { secretName: 'cockroachdb-root-client-tls', commonName: 'root', issuerRef: { name: 'cockroachdb-issuer', kind: 'Issuer', group: 'cert-manager.io' }, usages: ['client auth'] },
    },
    vaultIssuer(c, 'cockroachdb-issuer', 'cockroachdb', 'cockroachdb', 'cockroachdb'),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(c, 'cockroachdb', 'cockroachdb', 'cockroachdb', { annotations: { 'secret.reloader.stakater.com/reload': 'cockroachdb-tls' } }),
      spec: {
        replicas: 3,
        serviceName: 'cockroachdb',
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: restrictedPod,
            containers: [
              {
                name: 'cockroachdb',
                image: 'cockroachdb/cockroach:v24.2.4',
                command: ['/cockroach/cockroach'],
                args: [
                  'start',
                  `--join=${peers(all, 'cockroachdb', 'cockroachdb', 'cockroachdb').join(',')}`,
                  `--advertise-addr=$(POD_NAME).${c}.cockroachdb.cockroachdb.svc.clusterset.local`,
                  `--locality=region=${REGIONS[c]}`,
                  '--certs-dir=/cockroach/cockroach-certs',
                  '--cache=2048MiB',
                  '--max-sql-memory=2048MiB',
                ],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [{ name: 'grpc', containerPort: 26257 }, { name: 'http', containerPort: 8080 }],
                resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
                securityContext: restrictedContainer,
                volumeMounts: [{ name: 'certs', mountPath: '/cockroach/cockroach-certs' }, { name: 'datadir', mountPath: '/cockroach/cockroach-data' }],
              },
            ],
            volumes: [{ name: 'certs', projected: { defaultMode: 256, sources: [{ secret: { name: 'cockroachdb-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'tls.crt', path: 'node.crt' }, { key: 'tls.key', path: 'node.key' }] } }] } }],
          },
        },
        volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'datadir' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '100Gi' } } } }],
      },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(c, 'cockroachdb', 'cockroachdb', 'cockroachdb'), spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(c, 'cockroachdb', 'cockroachdb', 'cockroachdb'),
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'grpc', protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }] }] },
    },
  ];
  if (c === all[0]) {
    objs.push({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(c, 'cockroachdb', 'cockroachdb-init', 'cockroachdb', { annotations: { 'argocd.argoproj.io/hook': 'Sync' } }),
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: 600,
        template: {
          spec: {
            restartPolicy: 'OnFailure',
            securityContext: restrictedPod,
            containers: [
              {
                name: 'init',
                image: 'cockroachdb/cockroach:v24.2.4',
                command: ['/cockroach/cockroach', 'init', '--certs-dir=/cockroach/cockroach-certs', `--host=cockroachdb-0.${c}.cockroachdb.cockroachdb.svc.clusterset.local`],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                securityContext: restrictedContainer,
                volumeMounts: [{ name: 'client', mountPath: '/cockroach/cockroach-certs' }],
              },
            ],
            volumes: [{ name: 'client', secret: { secretName: 'cockroachdb-root-client-tls' } }],
          },
        },
      },
    });
  }
  return objs;
}

function services(c: string, all: readonly string[]): Obj[] {
  const drained = c === DRAINED;
  const extra = drained ? { labels: { 'meridian.dev/drained': 'true' } } : {};
  const labels = { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop' };
  const objs: Obj[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(c, 'services', 'shop', 'shop', { ...extra, annotations: { 'secret.reloader.stakater.com/reload': 'shop-cockroachdb-client-tls' } }),
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: restrictedPod,
            containers: [
              {
                name: 'shop',
                image: 'quay.io/example/shop:1.4.2',
                ports: [{ name: 'http', containerPort: 8080 }],
                env: [{ name: 'COCKROACHDB_HOST', value: 'cockroachdb-public.cockroachdb.svc' }, { name: 'CATALOG_URL', value: 'http://catalog.catalog.svc.clusterset.local:8080' }, { name: 'DATABASE_URL', value: 'postgresql://shop@cockroachdb-public.cockroachdb.svc.cluster.local:26257/shop?sslmode=verify-full' }],
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
                securityContext: restrictedContainer,
                volumeMounts: [{ name: 'db-client', mountPath: '/certs' }],
              },
            ],
            volumes: [{ name: 'db-client', secret: { secretName: 'shop-cockroachdb-client-tls' } }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, 'services', 'shop', 'shop', extra), spec: { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(c, 'services', 'shop', 'shop'),
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'meridian-ingress' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
          { from: remotePodCIDRs(c, all).map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: 8080 }] },
        ],
      },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(c, 'services', 'shop-cockroachdb-client', 'shop'),
      spec: { secretName: 'shop-cockroachdb-client-tls', commonName: 'shop', issuerRef: { name: 'shop-cockroachdb-issuer', kind: 'Issuer', group: 'cert-manager.io' }, usages: ['client auth'] },
    },
    vaultIssuer(c, 'shop-cockroachdb-issuer', 'shop', 'cockroachdb-client-shop', 'services'),
  ];
  if (!drained) objs.push({ apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceExport', metadata: meta(c, 'services', 'shop', 'shop') });
  return objs;
}

function catalog(c: string, all: readonly string[]): Obj[] {
  // a clusterset-only service the shop calls by its clusterset name
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(c, 'catalog', 'catalog', 'catalog'),
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'catalog' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'catalog' } },
          spec: { securityContext: restrictedPod, containers: [{ name: 'catalog', image: 'quay.io/example/catalog:2.0.1', ports: [{ name: 'http', containerPort: 8080 }], securityContext: restrictedContainer }] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta(c, 'catalog', 'catalog', undefined, { labels: { 'istio-discovery': 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' } }) },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, 'catalog', 'catalog', 'catalog'), spec: { selector: { 'app.kubernetes.io/name': 'catalog' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] } },
    { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceExport', metadata: meta(c, 'catalog', 'catalog', 'catalog') },
    ...isolation(c, 'catalog', 'catalog'),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(c, 'catalog', 'catalog', 'catalog'),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'catalog', 'app.kubernetes.io/instance': 'catalog' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'shop' } } }], ports: [{ protocol: 'TCP', port: 'http' }] },
          { from: remotePodCIDRs(c, all).map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: 8080 }] },
        ],
      },
    },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta(c, 'catalog', 'default', 'catalog'), spec: { mtls: { mode: 'STRICT' } } },
  ];
}

function mesh(c: string): Obj[] {
  return [
    // istiod's intermediate, chained to the shared root in every cluster.
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta(c, 'mesh', 'meridian-root-ca', 'istio-system'), spec: { ca: { secretName: 'root-ca' } } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(c, 'mesh', 'istio-ca', 'istio-system'),
      spec: { secretName: 'cacerts', isCA: true, commonName: `mesh CA ${c}`, issuerRef: { name: 'meridian-root-ca', kind: 'Issuer', group: 'cert-manager.io' }, usages: ['digital signature', 'cert sign', 'crl sign'] },
    },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta(c, 'mesh', 'default', 'shop'), spec: { mtls: { mode: 'STRICT' } } },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: meta(c, 'mesh', 'shop-clusterset', 'shop'),
      spec: { hosts: ['shop.shop.svc.clusterset.local'], location: 'MESH_INTERNAL', resolution: 'DNS', ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: meta(c, 'mesh', 'shop-clusterset', 'shop'),
      spec: { host: 'shop.shop.svc.clusterset.local', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 } } },
    },
  ];
}

function ingress(c: string): Obj[] {
  const drained = c === DRAINED ? { labels: { 'meridian.dev/drained': 'true' } } : {};
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: meta(c, 'ingress', 'meridian-gateway', 'meridian-ingress'),
      spec: {
        gatewayClassName: 'istio',
        listeners: [{ name: 'shop', hostname: HOST, port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-gateway-tls' }] }, allowedRoutes: { namespaces: { from: 'Same' } } }],
      },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(c, 'ingress', 'shop-gateway', 'meridian-ingress'),
      spec: { secretName: 'shop-gateway-tls', issuerRef: { name: 'vault-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' }, dnsNames: [HOST] },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, 'ingress', 'shop', 'meridian-ingress', drained), spec: { type: 'ExternalName', externalName: 'shop.shop.svc.clusterset.local' } },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: meta(c, 'ingress', 'shop', 'meridian-ingress', drained),
      spec: { parentRefs: [{ name: 'meridian-gateway', sectionName: 'shop' }], hostnames: [HOST], rules: [{ backendRefs: [{ name: 'shop', port: 8080 }] }] },
    },
  ];
}

function submariner(c: string, all: readonly string[]): Obj[] {
  return [
    {
      apiVersion: 'submariner.io/v1alpha1',
      kind: 'Submariner',
      metadata: meta(c, 'submariner', 'submariner', 'submariner-operator'),
      spec: {
        broker: 'k8s',
        brokerK8sApiServer: 'api.cluster1.example.com:6443',
        brokerK8sRemoteNamespace: 'submariner-k8s-broker',
        brokerK8sSecret: 'submariner-broker',
        ceIPSecPSKSecret: 'submariner-ipsec-psk',
        clusterCIDR: `10.${128 + 4 * all.indexOf(c)}.0.0/14`,
        serviceCIDR: `172.${30 + all.indexOf(c)}.0.0/16`,
        clusterID: c,
        namespace: 'submariner-operator',
        cableDriver: 'libreswan',
        ceIPSecDebug: false,
        debug: false,
        natEnabled: false,
        serviceDiscoveryEnabled: true,
      },
    },
  ];
}

function glb(c: string, all: readonly string[]): Obj[] {
  if (c !== all[0]) return [];
  return [
    {
      apiVersion: 'redhatcop.redhat.io/v1alpha1',
      kind: 'GlobalDNSRecord',
      metadata: meta(c, 'glb', 'shop', 'meridian-ingress'),
      spec: {
        name: HOST,
        ttl: 30,
        loadBalancingPolicy: 'Latency',
        globalZoneRef: { name: 'global-zone' },
        healthCheck: { httpGet: { path: '/healthz', port: 443, scheme: 'HTTPS' }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 1 },
        endpoints: all.filter((x) => x !== DRAINED).map((x) => ({
          clusterName: x,
          clusterCredentialRef: { name: `${x}-kubeconfig`, namespace: 'meridian-ingress' },
          loadBalancerServiceRef: { name: 'meridian-gateway-istio', namespace: 'meridian-ingress' },
        })),
      },
    },
  ];
}

function argocd(): Obj[] {
  return [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: meta(undefined, ENV, `meridian-${ENV}`, 'argocd'),
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ git: { repoURL: 'https://git.example.com/bundles.git', revision: 'main', directories: [{ path: 'dist/*' }, { path: 'dist/argocd', exclude: true }] } }],
        template: {
          metadata: { name: 'meridian-{{.path.basename}}' },
          spec: {
            project: 'default',
            source: { repoURL: 'https://git.example.com/bundles.git', targetRevision: 'main', path: '{{.path.path}}' },
            destination: { name: '{{.path.basename}}' },
            syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
          },
        },
      },
    },
  ];
}

export function fullBundle(clusters: readonly string[] = CLUSTERS): Bundle {
  const b: Bundle = new Map();
  for (const c of clusters) {
    const components = new Map<string, Obj[]>([
      ['catalog', catalog(c, clusters)],
      ['cockroachdb', cockroachdb(c, clusters)],
      ['ingress', ingress(c)],
      ['mesh', mesh(c)],
      ['namespaces', namespaces(c)],
      ['pki', pki(c, clusters)],
      ['services', services(c, clusters)],
      ['submariner', submariner(c, clusters)],
      ['vault', vault(c, clusters)],
    ]);
    const g = glb(c, clusters);
    if (g.length > 0) components.set('glb', g);
    b.set(c, components);
  }
  b.set('argocd', new Map([[ENV, argocd()]]));
  // objects share sub-objects (security contexts); tests mutate them one at a time
  return structuredClone(b);
}

/** The files of a bundle (with a kustomization per folder), as `meridian synth` would write them. */
export function render(b: Bundle): Map<string, string> {
  const files = new Map<string, string>();
  for (const [folder, components] of b) {
    const names = [...components.keys()].filter((k) => components.get(k)!.length > 0).sort();
    for (const name of names) files.set(`${folder}/${name}.yaml`, components.get(name)!.map((o) => stringify(o, { aliasDuplicateObjects: false })).join('---\n'));
    files.set(`${folder}/kustomization.yaml`, stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: names.map((n) => `${n}.yaml`) }));
  }
  files.set(`${ENV}.prerequisites.json`, JSON.stringify(prerequisitesOf(b)));
  return files;
}

/** A namespaced Vault Issuer: its role signs one class of identity, and only its namespace can use it. */
function vaultIssuer(c: string, name: string, namespace: string, role: string, component: string): Obj {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Issuer',
    metadata: meta(c, component, name, namespace),
    spec: {
      vault: {
        server: 'https://vault.vault.svc:8200',
        path: `pki/sign/${role}`,
        caBundleSecretRef: { name: 'root-ca-bundle', key: 'ca.crt' },
        auth: { kubernetes: { role, mountPath: `/v1/auth/kubernetes-${c}`, serviceAccountRef: { name } } },
      },
    },
  };
}

/** The runbook's list of out-of-band Secrets per cluster (as dist/<env>.prerequisites.json carries it). */
function prerequisitesOf(b: Bundle): Obj {
  const secret = (namespace: string, name: string, keys: string[], runbookStep: string): Obj => ({ namespace, name, keys, runbookStep });
  const clusters = [...b.keys()].filter((f) => f !== 'argocd').map((cluster) => ({
    cluster,
    secrets: [
      // The root key pair only where a CA Issuer signs with it; the certificate alone where a Vault issuer verifies Vault.
      secret('vault', 'root-ca', ['tls.crt', 'tls.key'], 'root-ca'),
      secret('istio-system', 'root-ca', ['tls.crt', 'tls.key'], 'root-ca'),
      secret('cert-manager', 'root-ca-bundle', ['ca.crt'], 'root-ca'),
      secret('cockroachdb', 'root-ca-bundle', ['ca.crt'], 'root-ca'),
      secret('shop', 'root-ca-bundle', ['ca.crt'], 'root-ca'),
      secret('vault', 'vault-kms-credentials', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], 'vault-seal-credentials'),
      // the reviewer JWT of the cluster's auth mount: a long-lived token of ServiceAccount vault
      { ...secret('vault', 'vault-token', ['token'], 'vault-config-operator-access'), serviceAccountToken: 'vault' },
      secret('submariner-operator', 'submariner-broker', ['ca.crt', 'namespace', 'token'], 'submariner-secrets'),
      secret('submariner-operator', 'submariner-ipsec-psk', ['psk'], 'submariner-secrets'),
      ...(cluster === 'cluster1' ? [...b.keys()].filter((f) => f !== 'argocd').map((c) => secret('meridian-ingress', `${c}-kubeconfig`, ['kubeconfig'], 'gslb-kubeconfigs')) : []),
    ],
  }));
  return { environment: ENV, clusters };
}

/** The one object of a kind and name in a folder (throws when absent, so tests cannot mutate nothing). */
export function find(b: Bundle, folder: string, kind: string, name: string, namespace?: string): Obj {
  for (const objs of b.get(folder)?.values() ?? []) {
    const o = objs.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
    if (o) return o;
  }
  throw new Error(`no ${kind} ${name} in ${folder}`);
}

/** Removes the object of a kind and name from a folder. */
export function remove(b: Bundle, folder: string, kind: string, name: string, namespace?: string): void {
  for (const [component, objs] of b.get(folder) ?? []) {
    const i = objs.findIndex((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
    if (i >= 0) {
      objs.splice(i, 1);
      b.get(folder)!.set(component, objs);
      return;
    }
  }
  throw new Error(`no ${kind} ${name} in ${folder}`);
}

/** The container of a pod template. */
export function container(o: Obj, index = 0): Obj {
  return o.spec.template.spec.containers[index];
}

/** Vault's parsed JSON config in a cluster, and a setter that writes it back. */
export function vaultConfig(b: Bundle, folder: string): { config: Obj; save: () => void } {
  const cm = find(b, folder, 'ConfigMap', 'vault-config');
  const config = JSON.parse(cm.data['vault.json']) as Obj;
  return { config, save: () => (cm.data['vault.json'] = JSON.stringify(config, null, 2)) };
}
