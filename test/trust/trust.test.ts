// Invariants of the trust components (pki, vault) over synthesized bundles: the Raft group spans every
// cluster, node IDs and addresses are unique and covered by the server certificate, the ClusterIssuer
// differs only by its auth mount, nothing secret is written, and nothing deadlocks the Argo CD sync.
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { synthesize, type Bundle } from '../../src/synth/synthesize';
import { treeFromObjects, validateTree } from '../../src/validate';
import { docs, objectsOf, readTree, synthFixture } from '../helpers';

const prod = synthesize(loadTopology('environments'));
const fleet = synthFixture('globalnet');
const minimal = synthFixture('minimal');

interface Pod {
  cluster: string;
  pod: string;
}

/** Expected pods of a bundle, computed from the StatefulSets themselves (replicas x clusters). */
function podsOf(bundle: Bundle): Pod[] {
  return bundle.folders
    .filter((f) => f !== 'argocd')
    .flatMap((cluster) => {
      const sts = objectsOf(bundle, cluster, 'StatefulSet').find((s) => s.metadata.name === 'vault');
      return sts ? Array.from({ length: sts.spec.replicas }, (_, i) => ({ cluster, pod: `vault-${i}` })) : [];
    });
}

function vaultConfigOf(bundle: Bundle, cluster: string): any {
  const cm = objectsOf(bundle, cluster, 'ConfigMap').find((c) => c.metadata.name === 'vault-config');
  return JSON.parse(cm.data['vault.json']);
}

function envOf(bundle: Bundle, cluster: string): Record<string, string> {
  const sts = objectsOf(bundle, cluster, 'StatefulSet').find((s) => s.metadata.name === 'vault');
  const env = sts.spec.template.spec.containers[0].env as { name: string; value?: string }[];
  return Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
}

/** Kubernetes' $(VAR) expansion for the one variable the pod defines from its name. */
function expand(template: string, pod: string): string {
  return template.replace(/\$\(HOSTNAME\)/g, pod);
}

const clusterFolders = (bundle: Bundle): string[] => bundle.folders.filter((f) => f !== 'argocd');

describe.each([
  ['prod', prod],
  ['globalnet', fleet],
])('vault of %s', (_name, bundle) => {
  const pods = podsOf(bundle);
  const clusters = clusterFolders(bundle);

  it('has one Vault per cluster', () => {
    expect(new Set(pods.map((p) => p.cluster))).toEqual(new Set(clusters));
  });

  it('joins, in every cluster, exactly all Vault pods of all clusters through retry_join', () => {
    const expected = pods.map((p) => `https://${p.pod}.${p.cluster}.vault-internal.vault.svc.clusterset.local:8200`).sort();
    for (const cluster of clusters) {
      const joins = vaultConfigOf(bundle, cluster).storage.raft.retry_join as { leader_api_addr: string; leader_ca_cert_file: string }[];
      expect(joins.map((j) => j.leader_api_addr).sort(), cluster).toEqual(expected);
      expect(new Set(joins.map((j) => j.leader_ca_cert_file))).toEqual(new Set(['/vault/tls/ca.crt']));
    }
  });

  it('gives every pod of every cluster a unique Raft node ID', () => {
    const ids = pods.map((p) => expand(envOf(bundle, p.cluster).VAULT_RAFT_NODE_ID!, p.pod));
    expect(new Set(ids).size).toBe(pods.length);
    expect(ids).toContain(`vault-0-${clusters[0]}`);
  });

  it('covers every cluster_addr, api_addr and leader_api_addr host with the server certificate of every cluster', () => {
    const hosts = new Set<string>();
    for (const p of pods) {
      const env = envOf(bundle, p.cluster);
      for (const key of ['VAULT_CLUSTER_ADDR', 'VAULT_API_ADDR', 'VAULT_ADDR']) hosts.add(new URL(expand(env[key]!, p.pod)).hostname);
    }
    for (const cluster of clusters) {
      for (const j of vaultConfigOf(bundle, cluster).storage.raft.retry_join) hosts.add(new URL(j.leader_api_addr).hostname);
    }
    for (const cluster of clusters) {
      const cert = objectsOf(bundle, cluster, 'Certificate').find((c) => c.metadata.name === 'vault-tls');
      const sans = new Set(cert.spec.dnsNames);
      for (const host of hosts) expect(sans.has(host), `${cluster}: ${host} is not a SAN of vault-tls`).toBe(true);
      // and the client Service cert-manager and the operator talk to
      const issuer = objectsOf(bundle, cluster, 'ClusterIssuer').find((i) => i.metadata.name === 'vault-issuer');
      expect(sans.has(new URL(issuer.spec.vault.server).hostname)).toBe(true);
    }
  });

  it('advertises each pod on its own clusterset name and cluster', () => {
    for (const cluster of clusters) {
      expect(envOf(bundle, cluster).VAULT_CLUSTER_ADDR).toBe(`https://$(HOSTNAME).${cluster}.vault-internal.vault.svc.clusterset.local:8201`);
    }
  });

  it('has a vault-issuer whose only difference between clusters is the auth mount path', () => {
    const issuers = clusters.map((cluster) => objectsOf(bundle, cluster, 'ClusterIssuer').find((i) => i.metadata.name === 'vault-issuer'));
    const mountPaths = issuers.map((i) => i.spec.vault.auth.kubernetes.mountPath);
    expect(new Set(mountPaths).size).toBe(clusters.length);
    const normalized = issuers.map((i, k) => JSON.stringify({ ...i, metadata: { ...i.metadata, labels: { ...i.metadata.labels, 'meridian.dev/cluster': '' } } }).replace(mountPaths[k], 'MOUNT'));
    expect(new Set(normalized).size).toBe(1);
    for (const [k, cluster] of clusters.entries()) expect(mountPaths[k]).toMatch(new RegExp(`^/v1/auth/[a-z0-9_-]*${cluster}$`));
    expect(issuers[0].spec.vault.caBundleSecretRef).toBeDefined();
    expect(issuers[0].spec.vault.caBundle).toBeUndefined();
  });

  it('exports the headless Service with not-ready addresses published', () => {
    for (const cluster of clusters) {
      const headless = objectsOf(bundle, cluster, 'Service').find((s) => s.metadata.name === 'vault-internal');
      expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      expect(headless.spec.ports.map((p: any) => [p.name, p.port])).toEqual([
        ['https', 8200],
        ['https-internal', 8201],
      ]);
      expect(objectsOf(bundle, cluster, 'ServiceExport').map((e) => e.metadata.name)).toContain('vault-internal');
    }
  });

  it("lets Vault peers of every cluster reach 8201 (local ones by pod selector, remote ones by their cluster's network), and nothing else does", () => {
    const topology = bundle === prod ? loadTopology('environments').environments[0]! : null;
    for (const cluster of clusters) {
      const policy = objectsOf(bundle, cluster, 'NetworkPolicy').find((n) => n.metadata.name === 'vault');
      const rules = policy.spec.ingress.filter((r: any) => r.ports.some((p: any) => p.port === 8201));
      expect(rules).toHaveLength(1);
      expect(rules[0].from.filter((f: any) => f.podSelector)).toHaveLength(1);
      const cidrs = rules[0].from.filter((f: any) => f.ipBlock).map((f: any) => f.ipBlock.cidr);
      expect(cidrs).toHaveLength(clusters.length - 1);
      if (topology) expect(cidrs).toEqual(topology.clusters.filter((c) => c.name !== cluster).map((c) => c.podCIDR));
      else for (const cidr of cidrs) expect(cidr).toMatch(/^242\.0\./);
      const deny = objectsOf(bundle, cluster, 'NetworkPolicy').find((n) => n.metadata.name === 'default-deny' && n.metadata.namespace === policy.metadata.namespace);
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
  });
});

describe('vault pods', () => {
  const sts = objectsOf(prod, 'cluster1', 'StatefulSet').find((s) => s.metadata.name === 'vault');
  const pod = sts.spec.template.spec;
  const container = pod.containers[0];

  it('meet Pod Security "restricted"', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.securityContext.capabilities.add).toBeUndefined();
    expect(vaultConfigOf(prod, 'cluster1').disable_mlock).toBe(true);
  });

  it('are Ready while uninitialized, so the first sync reaches them before `vault operator init`', () => {
    const probe = container.readinessProbe.httpGet;
    expect(probe.scheme).toBe('HTTPS');
    const query = new URLSearchParams(probe.path.split('?')[1]);
    expect(query.get('uninitcode')).toBe('200');
    expect(query.get('standbyok')).toBe('true');
    expect(query.get('sealedcode')).toBeNull();
    expect(pod.containers.every((c: any) => c.livenessProbe === undefined)).toBe(true);
  });

  it('start in parallel and spread over zones', () => {
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('topology.kubernetes.io/zone');
  });

  it('carry apiVersion and kind in the claim templates (no endless OutOfSync)', () => {
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { resources: { requests: { storage: '10Gi' } } } });
  });

  it('take seal credentials from the referenced Secret only', () => {
    const fromSecrets = container.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name]);
    expect(fromSecrets).toEqual([
      ['AWS_ACCESS_KEY_ID', 'vault-kms-credentials'],
      ['AWS_SECRET_ACCESS_KEY', 'vault-kms-credentials'],
    ]);
    // a multi-Region key: each cluster unseals with the replica in its own region (same key ID)
    expect(vaultConfigOf(prod, 'cluster1').seal).toEqual({ awskms: { region: 'us-east-1', kms_key_id: 'mrk-1234abcd12ab34cd56ef1234567890ab' } });
    expect(vaultConfigOf(prod, 'cluster3').seal).toEqual({ awskms: { region: 'us-west-2', kms_key_id: 'mrk-1234abcd12ab34cd56ef1234567890ab' } });
  });
});

/** vault-config-operator resources; the global-load-balancer-operator shares their API group. */
const isVaultConfig = (o: any): boolean => o.apiVersion.startsWith('redhatcop.redhat.io/') && !['GlobalDNSZone', 'GlobalDNSRecord', 'GlobalRouteDiscovery'].includes(o.kind);

describe('sync waves', () => {
  const wave = (o: any): number => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);

  it('never make anything that needs an initialized Vault precede the Vault StatefulSet', () => {
    for (const cluster of clusterFolders(prod)) {
      const objects = prod.objects.filter((o) => o.folder === cluster).map((o) => o.manifest as any);
      const vaultWave = wave(objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'vault'));
      const needsVault = objects.filter(
        (o) => (o.kind === 'ClusterIssuer' && o.metadata.name === 'vault-issuer') || (o.kind === 'Certificate' && o.spec.issuerRef.name === 'vault-issuer') || isVaultConfig(o),
      );
      expect(needsVault.length).toBeGreaterThan(0);
      for (const o of needsVault) expect(wave(o), `${cluster} ${o.kind}/${o.metadata.name}`).toBeGreaterThanOrEqual(vaultWave);
      // Vault's own TLS comes from the bootstrap CA, before Vault.
      expect(wave(objects.find((o) => o.kind === 'Certificate' && o.metadata.name === 'vault-tls'))).toBeLessThan(vaultWave);
    }
  });
});

describe('configuration of Vault through the vault-config-operator', () => {
  it('mounts each cluster\'s auth method in that cluster and the shared PKI engine once', () => {
    const kinds = (cluster: string): string[] => prod.objects.filter((o) => o.folder === cluster && isVaultConfig(o.manifest)).map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`);
    const perCluster = ['KubernetesAuthEngineRole/cert-manager', 'KubernetesAuthEngineRole/service-shop', 'KubernetesAuthEngineRole/cockroachdb-issuer', 'KubernetesAuthEngineRole/cockroachdb-client-shop'];
    expect(kinds('cluster1')).toEqual([
      'AuthEngineMount/kubernetes-auth',
      ...perCluster,
      'Policy/service-shop',
      'SecretEngineMount/pki',
      'PKISecretEngineRole/cert-manager',
      'PKISecretEngineRole/cockroachdb',
      'PKISecretEngineRole/cockroachdb-client-shop',
      'Policy/cert-manager',
      'Policy/cockroachdb-issuer',
      'Policy/cockroachdb-client-shop',
      'KubernetesAuthEngineRole/vault-snapshot',
      'Policy/vault-snapshot',
    ]);
    // the issuers' and the backup roles on every cluster's own mount; their policies and the PKI roles once
    expect(kinds('cluster2')).toEqual(['AuthEngineMount/kubernetes-auth', ...perCluster, 'KubernetesAuthEngineRole/vault-snapshot']);
    const mounts = clusterFolders(prod).map((c) => objectsOf(prod, c, 'AuthEngineMount')[0].spec.name);
    expect(mounts).toEqual(['kubernetes-cluster1', 'kubernetes-cluster2', 'kubernetes-cluster3']);
    // the mount's config is the runbook's (a reviewer token that does not expire), never the operator's
    expect(objectsOf(prod, 'cluster2', 'KubernetesAuthEngineConfig')).toEqual([]);
  });

  it('binds the cert-manager role to the vault-issuer ServiceAccount and the audience cert-manager requests', () => {
    const role = objectsOf(prod, 'cluster3', 'KubernetesAuthEngineRole')[0];
    const sa = objectsOf(prod, 'cluster3', 'ServiceAccount').find((s) => s.metadata.name === 'vault-issuer');
    expect(role.spec).toMatchObject({ path: 'kubernetes-cluster3', targetServiceAccounts: [sa.metadata.name], targetNamespaces: { targetNamespaces: [sa.metadata.namespace] }, audience: 'vault://vault-issuer' });
    const rbac = objectsOf(prod, 'cluster3', 'Role').find((r) => r.metadata.namespace === 'cert-manager');
    expect(rbac.rules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['vault-issuer'], verbs: ['create'] }]);
  });

  it('lets a service that uses Vault log in as its own ServiceAccount, with the audience of its projected token, to read its own secrets only', () => {
    for (const cluster of clusterFolders(prod)) {
      const role = objectsOf(prod, cluster, 'KubernetesAuthEngineRole').find((r) => r.metadata.name === 'service-shop');
      const deployment = objectsOf(prod, cluster, 'Deployment').find((d) => d.metadata.name === 'shop');
      const pod = deployment.spec.template.spec;
      const env = Object.fromEntries(pod.containers[0].env.map((v: { name: string; value?: string }) => [v.name, v.value]));
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(role.spec).toMatchObject({ path: `kubernetes-${cluster}`, name: env.VAULT_K8S_ROLE, targetServiceAccounts: [pod.serviceAccountName], targetNamespaces: { targetNamespaces: [deployment.metadata.namespace] }, policies: ['service-shop'] });
      expect(env.VAULT_K8S_AUTH_MOUNT).toBe(role.spec.path);
      const token = pod.volumes.find((v: { name: string }) => v.name === 'vault-token').projected.sources[0].serviceAccountToken;
      expect(token).toEqual({ audience: role.spec.audience, expirationSeconds: 600, path: 'token' });
      const mount = pod.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'vault-token');
      expect(`${mount.mountPath}/${token.path}`).toBe(env.VAULT_K8S_TOKEN_PATH);
      expect(objectsOf(prod, cluster, 'ServiceAccount').find((a) => a.metadata.name === 'shop' && a.metadata.namespace === 'shop').automountServiceAccountToken).toBe(false);
    }
    const policy = objectsOf(prod, 'cluster1', 'Policy').find((p) => p.metadata.name === 'service-shop');
    expect(JSON.parse(policy.spec.policy)).toEqual({ path: { 'secret/data/prod/shop/*': { capabilities: ['read'] }, 'secret/metadata/prod/shop/*': { capabilities: ['list', 'read'] } } });
  });

  it('allows each Vault issuer\'s PKI role exactly the names the bundle requests from it', () => {
    const roles = objectsOf(prod, 'cluster1', 'PKISecretEngineRole');
    const requested = new Map<string, Set<string>>();
    for (const cluster of clusterFolders(prod)) {
      const issuers = [...objectsOf(prod, cluster, 'ClusterIssuer'), ...objectsOf(prod, cluster, 'Issuer')].filter((i) => i.spec.vault);
      for (const cert of objectsOf(prod, cluster, 'Certificate')) {
        const issuer = issuers.find((i) => i.kind === cert.spec.issuerRef.kind && i.metadata.name === cert.spec.issuerRef.name && (i.kind === 'ClusterIssuer' || i.metadata.namespace === cert.metadata.namespace));
        if (!issuer) continue;
        const role = issuer.spec.vault.path.split('/sign/')[1];
        const names = requested.get(role) ?? new Set<string>();
        for (const name of [...(cert.spec.commonName ? [cert.spec.commonName] : []), ...(cert.spec.dnsNames ?? [])]) names.add(name);
        requested.set(role, names);
      }
    }
    expect([...requested.keys()].sort()).toEqual(roles.map((r) => r.spec.name).sort());
    for (const role of roles) {
      // bare domains only: every name requested is listed as itself (localhost through allowLocalhost), and nothing else is
      expect(role.spec).toMatchObject({ allowBareDomains: true, allowSubdomains: false, allowGlobDomains: false, allowAnyName: false, allowIPSans: false });
      const names = [...requested.get(role.spec.name)!].filter((n) => !(n === 'localhost' && role.spec.allowLocalhost));
      expect([...role.spec.allowedDomains].sort(), role.spec.name).toEqual(expect.arrayContaining([...new Set(names)].sort()));
    }
    const shared = roles.find((r) => r.spec.name === 'cert-manager');
    for (const identity of ['node', 'root', 'shop', 'svc', 'svc.clusterset.local', 'localhost']) expect(shared.spec.allowedDomains).not.toContain(identity);
    expect(shared.spec).toMatchObject({ enforceHostnames: true, allowLocalhost: false });
  });
});

describe('certificates of TLS endpoints', () => {
  it('issue one Gateway certificate per global service, with this cluster\'s ingress name', () => {
    const certs = objectsOf(prod, 'cluster2', 'Certificate').filter((c) => c.metadata.namespace === 'meridian-ingress');
    expect(certs.map((c) => [c.spec.secretName, c.spec.dnsNames])).toEqual([['shop-gateway-tls', ['shop.apps.cluster2.example.com', 'shop.global.example.com']]]);
    expect(certs[0].spec.issuerRef).toEqual({ name: 'vault-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(certs[0].spec.usages).toContain('server auth');
  });

  it('issue a Vault client certificate per service that uses Vault, in its namespace, where it runs', () => {
    // Client certificates for Vault: every client-auth certificate outside the stores' own namespaces that is not a CockroachDB SQL identity.
    const names = (cluster: string) =>
      objectsOf(fleet, cluster, 'Certificate')
        .filter((c) => c.spec.usages.includes('client auth') && !['vault', 'cockroachdb'].includes(c.metadata.namespace) && !c.spec.secretName.endsWith('-cockroachdb-client-tls'))
        .map((c) => `${c.metadata.namespace}/${c.spec.secretName}`);
    expect(names('ams1')).toEqual(['storefront/web-vault-client-tls']);
    expect(names('par1')).toEqual(['storefront/web-vault-client-tls']);
    const gateway = objectsOf(fleet, 'ams1', 'Certificate').find((c) => c.spec.secretName === 'web-gateway-tls');
    expect(gateway.spec.dnsNames).toEqual(['www.fleet.example.net']);
  });

  it('let Vault accept the API port from those services, cert-manager and the operator', () => {
    const policy = objectsOf(fleet, 'ams1', 'NetworkPolicy').find((n) => n.metadata.name === 'vault');
    const clients = policy.spec.ingress[0];
    expect(clients.ports).toEqual([{ protocol: 'TCP', port: 8200 }]);
    expect(clients.from[0].namespaceSelector.matchExpressions[0].values).toEqual(['cert-manager', 'storefront', 'vault-config-operator']);
  });
});

describe('an environment without vault', () => {
  it('gets the bootstrap CA ClusterIssuer and no Vault objects', () => {
    for (const cluster of clusterFolders(minimal)) {
      const issuers = objectsOf(minimal, cluster, 'ClusterIssuer');
      expect(issuers.map((i) => [i.metadata.name, i.spec])).toEqual([['meridian-root-ca', { ca: { secretName: 'root-ca' } }]]);
      const objects = minimal.objects.filter((o) => o.folder === cluster);
      expect(objects.filter((o) => o.component === 'vault')).toEqual([]);
      expect(objects.filter((o) => JSON.stringify(o.manifest).includes('vault'))).toEqual([]);
    }
    expect([...minimal.files.keys()].filter((f) => f.endsWith('/vault.yaml'))).toEqual([]);
  });

  it('issues Gateway certificates from the bootstrap CA', () => {
    const dr = synthFixture('active-passive');
    const cert = objectsOf(dr, 'standby', 'Certificate')[0];
    expect(cert.spec.issuerRef.name).toBe('meridian-root-ca');
    expect(cert.spec.dnsNames).toEqual(['portal.apps.standby.example.com', 'portal.dr.example.com']);
    expect(cert.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
  });
});

describe('an environment with CockroachDB and no vault', () => {
  // prod without its Vault: a CA issuer signs any name, so none may be cluster-wide beside CockroachDB's identities
  const topology = loadTopology('environments');
  const env = topology.environments[0]!;
  const noVault = { ...env, vault: undefined, backup: undefined, services: env.services.map((s) => ({ ...s, usesStores: s.usesStores.filter((u) => u !== 'vault') })) };
  const bundle = synthesize({ ...topology, environments: [noVault] });

  it('has no ClusterIssuer, and issues every certificate from the root CA Issuer of its own namespace', () => {
    for (const cluster of clusterFolders(bundle)) {
      expect(objectsOf(bundle, cluster, 'ClusterIssuer')).toEqual([]);
      for (const cert of objectsOf(bundle, cluster, 'Certificate')) {
        expect(cert.spec.issuerRef).toEqual({ name: 'meridian-root-ca', kind: 'Issuer', group: 'cert-manager.io' });
        const issuer = objectsOf(bundle, cluster, 'Issuer').find((i) => i.metadata.name === 'meridian-root-ca' && i.metadata.namespace === cert.metadata.namespace);
        expect(issuer?.spec, `${cluster} ${cert.metadata.namespace}/${cert.metadata.name}`).toEqual({ ca: { secretName: 'meridian-root-ca' } });
      }
    }
  });

  it('passes every rule, the PKI rules included', () => {
    const violations = validateTree(treeFromObjects(bundle.files, bundle.objects), { skip: ['MER001'] });
    expect(violations.map((v) => `${v.rule} ${v.message}`)).toEqual([]);
  });
});

describe('committed dist/', () => {
  const tree = readTree('dist');

  it('holds no Secret objects and no secret material', () => {
    expect(tree.size).toBeGreaterThan(0);
    for (const [file, text] of tree) {
      expect(text, file).not.toMatch(/^kind: Secret$/m);
      // Manifests are YAML; the report beside the cluster folders is Markdown (still scanned for material below).
      for (const doc of file.endsWith('.yaml') ? docs(text) : []) {
        if ('data' in doc || 'stringData' in doc || 'binaryData' in doc) expect(`${doc.kind}/${doc.metadata?.name}`, file).toMatch(/^(ConfigMap|Kustomization)\//);
      }
      expect(text, file).not.toMatch(/-----BEGIN [A-Z ]*-----/);
      expect(text, file).not.toMatch(/\bAKIA[0-9A-Z]{16}\b/);
      expect(text, file).not.toMatch(/\bhv[sbr]\.[A-Za-z0-9_-]{20,}/);
      expect(text, file).not.toMatch(/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
      expect(text, file).not.toMatch(/(caBundle|token|password|ceIPSecPSK|brokerK8sApiServerToken):\s*\S{20,}/i);
    }
    const kinds = prod.objects.map((o) => o.manifest.kind);
    expect(kinds).not.toContain('Secret');
    // ConfigMaps carry configuration only: Vault's server config and the services' non-secret settings.
    for (const o of prod.objects.filter((x) => x.manifest.kind === 'ConfigMap')) {
      for (const [key, value] of Object.entries((o.manifest as any).data as Record<string, string>)) {
        expect(key, `${o.file} ${key}`).not.toMatch(/(PASSWORD|SECRET|TOKEN|PRIVATE_?KEY|PSK)/i);
        expect(value, `${o.file} ${key}`).not.toMatch(/-----BEGIN|\bAKIA[0-9A-Z]{16}\b|\bhv[sbr]\./);
      }
    }
  });

  it('is the 9-voter Vault that survives the loss of any one cluster', () => {
    const env = loadTopology('environments').environments[0]!;
    expect(env.vault!.quorum).toMatchObject({ voters: 9, quorum: 5, clustersItCanLose: 1 });
    expect(podsOf(prod)).toHaveLength(9);
  });
});
