// One cluster folder with everything DESIGN §3 puts in it (Vault sealed by KMS with its TLS from the
// bootstrap CA, a Vault-backed ClusterIssuer and Vault configuration, CockroachDB with Vault-signed
// certificates and its init Job, a service using both stores, one using neither, the shared gateway,
// routes, mesh entries and the global DNS record), as the components will write it. The sync-wave
// tests plan it and check the ordering rules before the components exist in the bundle.
const m = (apiVersion: string, kind: string, name: string, namespace: string | undefined, spec: object = {}, extra: object = {}): any => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...(kind === 'ConfigMap' ? {} : { spec }),
  ...extra,
});

const podTemplate = (labels: Record<string, string>, spec: object): object => ({ selector: { matchLabels: labels }, template: { metadata: { labels }, spec } });

export function fullStackFolder(): any[] {
  return [
    m('v1', 'Namespace', 'vault', undefined),
    m('v1', 'Namespace', 'cockroachdb', undefined),
    m('v1', 'Namespace', 'shop', undefined),
    m('v1', 'Namespace', 'catalog', undefined),
    m('v1', 'Namespace', 'meridian-ingress', undefined),
    // Vault
    m('v1', 'ServiceAccount', 'vault', 'vault'),
    m('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'vault-auth-delegator', undefined, {}, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' } }),
    m('cert-manager.io/v1', 'ClusterIssuer', 'meridian-root-ca', undefined, { ca: { secretName: 'meridian-root-ca' } }),
    m('cert-manager.io/v1', 'Certificate', 'vault-tls', 'vault', { secretName: 'vault-tls', issuerRef: { kind: 'ClusterIssuer', name: 'meridian-root-ca' } }),
    m('v1', 'ConfigMap', 'vault-config', 'vault'),
    m('v1', 'Service', 'vault', 'vault', { selector: { app: 'vault' } }),
    m('v1', 'Service', 'vault-internal', 'vault', { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'vault' } }),
    m('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', 'vault-internal', 'vault'),
    m('policy/v1', 'PodDisruptionBudget', 'vault', 'vault', { selector: { matchLabels: { app: 'vault' } } }),
    m('apps/v1', 'StatefulSet', 'vault', 'vault', {
      serviceName: 'vault-internal',
      ...podTemplate({ app: 'vault' }, { containers: [{ name: 'vault' }], volumes: [{ name: 'tls', secret: { secretName: 'vault-tls' } }] }),
    }),
    // cert-manager's way into Vault, and the Vault configuration it needs
    m('v1', 'ServiceAccount', 'vault-issuer', 'cert-manager'),
    m('rbac.authorization.k8s.io/v1', 'Role', 'vault-issuer-token', 'cert-manager'),
    m('rbac.authorization.k8s.io/v1', 'RoleBinding', 'vault-issuer-token', 'cert-manager'),
    m('cert-manager.io/v1', 'ClusterIssuer', 'vault-issuer', undefined, {
      vault: {
        server: 'https://vault.vault.svc:8200',
        path: 'pki/sign/cert-manager',
        auth: { kubernetes: { mountPath: '/v1/auth/kubernetes-cluster1', role: 'cert-manager', serviceAccountRef: { name: 'vault-issuer' } } },
      },
    }),
    m('redhatcop.redhat.io/v1alpha1', 'KubernetesAuthEngineRole', 'cert-manager', 'vault', { connection: { address: 'https://vault.vault.svc:8200' } }),
    // CockroachDB, certificates from Vault
    m('cert-manager.io/v1', 'Certificate', 'cockroachdb-node', 'cockroachdb', { secretName: 'cockroachdb-node-tls', issuerRef: { kind: 'ClusterIssuer', name: 'vault-issuer' } }),
    m('cert-manager.io/v1', 'Certificate', 'cockroachdb-root', 'cockroachdb', { secretName: 'cockroachdb-root-tls', issuerRef: { kind: 'ClusterIssuer', name: 'vault-issuer' } }),
    m('v1', 'Service', 'cockroachdb', 'cockroachdb', { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'cockroachdb' } }),
    m('v1', 'Service', 'cockroachdb-public', 'cockroachdb', { selector: { app: 'cockroachdb' } }),
    m('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', 'cockroachdb', 'cockroachdb'),
    m('networking.k8s.io/v1', 'NetworkPolicy', 'cockroachdb', 'cockroachdb'),
    m('apps/v1', 'StatefulSet', 'cockroachdb', 'cockroachdb', {
      serviceName: 'cockroachdb',
      ...podTemplate({ app: 'cockroachdb' }, { containers: [{ name: 'cockroachdb' }], volumes: [{ name: 'certs', projected: { sources: [{ secret: { name: 'cockroachdb-node-tls' } }] } }] }),
    }),
    m('batch/v1', 'Job', 'cockroachdb-init', 'cockroachdb', {
      template: { metadata: { labels: { job: 'cockroachdb-init' } }, spec: { containers: [{ name: 'init' }], volumes: [{ name: 'client', projected: { sources: [{ secret: { name: 'cockroachdb-root-tls' } }] } }] } },
    }),
    // shop uses both stores; catalog uses neither
    m('cert-manager.io/v1', 'Certificate', 'shop-vault-client', 'shop', { secretName: 'shop-vault-client-tls', issuerRef: { kind: 'ClusterIssuer', name: 'vault-issuer' } }),
    m('cert-manager.io/v1', 'Certificate', 'shop-cockroachdb-client', 'shop', { secretName: 'shop-cockroachdb-client-tls', issuerRef: { kind: 'ClusterIssuer', name: 'vault-issuer' } }),
    m('v1', 'Service', 'shop', 'shop', { selector: { app: 'shop' } }),
    m('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', 'shop', 'shop'),
    m('v1', 'ConfigMap', 'shop', 'shop'),
    m('apps/v1', 'Deployment', 'shop', 'shop', {
      ...podTemplate(
        { app: 'shop' },
        {
          containers: [
            {
              name: 'shop',
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
              env: [{ name: 'DB_CERT', valueFrom: { secretKeyRef: { name: 'shop-cockroachdb-client-tls', key: 'tls.crt' } } }],
            },
          ],
          volumes: [{ name: 'vault', secret: { secretName: 'shop-vault-client-tls' } }],
        },
      ),
    }),
    m('autoscaling/v2', 'HorizontalPodAutoscaler', 'shop', 'shop', { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop' } }),
    m('v1', 'Service', 'catalog', 'catalog', { selector: { app: 'catalog' } }),
    m('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', 'catalog', 'catalog'),
    m('apps/v1', 'Deployment', 'catalog', 'catalog', podTemplate({ app: 'catalog' }, { containers: [{ name: 'catalog' }] })),
    m('security.istio.io/v1', 'PeerAuthentication', 'default', 'shop'),
    // ingress, mesh and global DNS
    m('cert-manager.io/v1', 'Certificate', 'shop-gateway', 'meridian-ingress', { secretName: 'shop-gateway-tls', issuerRef: { kind: 'ClusterIssuer', name: 'vault-issuer' } }),
    m('gateway.networking.k8s.io/v1', 'Gateway', 'meridian-gateway', 'meridian-ingress', {
      gatewayClassName: 'istio',
      listeners: [{ name: 'shop', hostname: 'shop.global.example.com', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'shop-gateway-tls' }] } }],
    }),
    m('v1', 'Service', 'shop-clusterset', 'shop', { type: 'ExternalName', externalName: 'shop.shop.svc.clusterset.local' }),
    m('gateway.networking.k8s.io/v1', 'HTTPRoute', 'shop', 'shop', {
      parentRefs: [{ name: 'meridian-gateway', namespace: 'meridian-ingress' }],
      hostnames: ['shop.global.example.com'],
      rules: [{ backendRefs: [{ name: 'shop-clusterset', port: 8080 }] }],
    }),
    m('networking.istio.io/v1', 'ServiceEntry', 'shop-clusterset', 'shop', { hosts: ['shop.shop.svc.clusterset.local'] }),
    m('networking.istio.io/v1', 'DestinationRule', 'shop-clusterset', 'shop', { host: 'shop.shop.svc.clusterset.local' }),
    m('networking.istio.io/v1', 'ServiceEntry', 'catalog-clusterset', 'shop', { hosts: ['catalog.catalog.svc.clusterset.local'] }),
    m('redhatcop.redhat.io/v1alpha1', 'GlobalDNSZone', 'global-zone', undefined, { domain: 'global.example.com' }),
    m('redhatcop.redhat.io/v1alpha1', 'GlobalDNSRecord', 'shop', 'global-load-balancer-operator', {
      name: 'shop.global.example.com',
      endpoints: [{ clusterName: 'cluster1', loadBalancerServiceRef: { name: 'meridian-gateway-istio', namespace: 'meridian-ingress' } }],
    }),
  ];
}
