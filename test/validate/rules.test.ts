// Each rule has a failing fixture: the complete bundle of full-bundle.ts with one fact broken.
// The bundle itself must be clean, so every case proves that its rule (and only the rules about
// that fact) fires.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES, treeFromFiles, validateTree, type Violation } from '../../src/validate';
import { findStores } from '../../src/validate/stores';
import { CLUSTERS, container, find, fullBundle, remove, render, vaultConfig, type Bundle } from './full-bundle';

function violationsOf(b: Bundle, edit?: (files: Map<string, string>) => void): Violation[] {
  const files = render(b);
  edit?.(files);
  return validateTree(treeFromFiles(files));
}

interface Case {
  readonly rules: readonly string[];
  readonly title: string;
  readonly mutate: (b: Bundle) => void;
  readonly edit?: (files: Map<string, string>) => void;
  /** A fragment of one message, and where it points. */
  readonly message: RegExp;
  readonly at?: { readonly file: string; readonly path?: string };
}

const join = (b: Bundle, folder: string): string[] => container(find(b, folder, 'StatefulSet', 'cockroachdb')).args;

/** Give the ApplicationSet a progressive rollout whose steps select these groups of cluster folders. */
function rollout(b: Bundle, steps: readonly (readonly string[])[], maxUpdate?: number | string): void {
  const set = find(b, 'argocd', 'ApplicationSet', 'meridian-demo');
  set.spec.template.metadata.labels = { 'meridian.dev/cluster': '{{.path.basename}}' };
  set.spec.strategy = {
    type: 'RollingSync',
    rollingSync: { steps: steps.map((values) => ({ matchExpressions: [{ key: 'meridian.dev/cluster', operator: 'In', values: [...values] }], ...(maxUpdate === undefined ? {} : { maxUpdate }) })) },
  };
}

/** Scrape Vault's API port in cluster1 with a PodMonitor, and optionally admit the Prometheus namespace to it. */
function scrapeVault(b: Bundle, port: string, admit: boolean): void {
  const sts = find(b, 'cluster1', 'StatefulSet', 'vault');
  const labels = sts.spec.template.metadata.labels;
  const meta = (name: string): Record<string, any> => ({ name, namespace: 'vault', labels: structuredClone(sts.metadata.labels) });
  const objects = b.get('cluster1')!.get('vault')!;
  // Vault's own policy admits its peers only (as synthesized bundles do), not every namespace
  find(b, 'cluster1', 'NetworkPolicy', 'vault', 'vault').spec.ingress[0].from = [{ podSelector: { matchLabels: labels } }];
  objects.push({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: meta('vault'), spec: { selector: { matchLabels: labels }, podMetricsEndpoints: [{ port, path: '/v1/sys/metrics' }] } });
  if (admit) {
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('vault-metrics'),
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 8200 }] }] },
    });
  }
}

/**
 * Make cluster1's shop a Vault client as `uses: [vault]` writes one: VAULT_ADDR and the VAULT_K8S_*
 * variables, its own ServiceAccount, a projected token of audience `vault`, and (unless `role` is
 * false) the KubernetesAuthEngineRole of cluster1's mount bound to it, accepting `audience`.
 */
function vaultClient(b: Bundle, options: { role?: boolean; audience?: string } = {}): void {
  const deployment = find(b, 'cluster1', 'Deployment', 'shop', 'shop');
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0];
  c.env.push(
    { name: 'VAULT_ADDR', value: 'https://vault.vault.svc:8200' },
    { name: 'VAULT_K8S_AUTH_MOUNT', value: 'kubernetes-cluster1' },
    { name: 'VAULT_K8S_ROLE', value: 'service-shop' },
    { name: 'VAULT_K8S_TOKEN_PATH', value: '/var/run/secrets/vault/token' },
  );
  c.volumeMounts = [...(c.volumeMounts ?? []), { name: 'vault-token', mountPath: '/var/run/secrets/vault', readOnly: true }];
  pod.volumes.push({ name: 'vault-token', projected: { defaultMode: 0o440, sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }] } });
  pod.serviceAccountName = 'shop';
  const labels = structuredClone(deployment.metadata.labels);
  b.get('cluster1')!.get('services')!.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'shop', namespace: 'shop', labels }, automountServiceAccountToken: false });
  if (options.role === false) return;
  const mount = find(b, 'cluster1', 'AuthEngineMount', 'kubernetes-auth', 'vault');
  b.get('cluster1')!.get('pki')!.push({
    apiVersion: 'redhatcop.redhat.io/v1alpha1',
    kind: 'KubernetesAuthEngineRole',
    metadata: { name: 'service-shop', namespace: 'vault', labels: structuredClone(mount.metadata.labels) },
    spec: {
      authentication: structuredClone(mount.spec.authentication),
      connection: structuredClone(mount.spec.connection),
      path: 'kubernetes-cluster1',
      name: 'service-shop',
      targetServiceAccounts: ['shop'],
      targetNamespaces: { targetNamespaces: ['shop'] },
      policies: ['service-shop'],
      audience: options.audience ?? 'vault',
      tokenTTL: 3600,
    },
  });
}

const CASES: Case[] = [
  {
    rules: ['MER001'],
    title: 'an unknown field',
    mutate: (b) => (find(b, 'cluster2', 'Service', 'vault').spec.clusterIp = 'None'),
    message: /unknown field "clusterIp"/,
    at: { file: 'dist/cluster2/vault.yaml', path: 'spec.clusterIp' },
  },
  {
    rules: ['MER001'],
    title: 'invalid YAML',
    mutate: () => undefined,
    edit: (files) => files.set('cluster2/namespaces.yaml', `${files.get('cluster2/namespaces.yaml')!}---\nkind: [unclosed\n`),
    message: /not valid YAML/,
  },
  {
    rules: ['MER002'],
    title: 'the same object twice in a folder',
    mutate: (b) => b.get('cluster1')!.get('mesh')!.push(structuredClone(find(b, 'cluster1', 'Namespace', 'shop'))),
    message: /Namespace shop is defined twice in cluster1/,
  },
  {
    rules: ['MER003'],
    title: 'a namespaced object without namespace',
    mutate: (b) => delete find(b, 'cluster2', 'Service', 'vault').metadata.namespace,
    message: /Service is namespaced but has no metadata.namespace/,
  },
  {
    rules: ['MER003'],
    title: 'a cluster-scoped object with a namespace',
    mutate: (b) => (find(b, 'cluster2', 'ClusterIssuer', 'vault-issuer').metadata.namespace = 'cert-manager'),
    message: /ClusterIssuer is cluster-scoped/,
  },
  {
    rules: ['MER004'],
    title: 'an object labelled for another cluster',
    mutate: (b) => (find(b, 'cluster2', 'Service', 'vault').metadata.labels['meridian.dev/cluster'] = 'cluster1'),
    message: /label meridian.dev\/cluster is "cluster1" but the object is in folder cluster2/,
  },
  {
    rules: ['MER010'],
    title: 'a ServiceExport in another namespace than its Service',
    mutate: (b) => (find(b, 'cluster1', 'ServiceExport', 'catalog').metadata.namespace = 'shop'),
    message: /ServiceExport shop\/catalog in cluster1 has no Service catalog in namespace shop \(there is one in catalog\)/,
  },
  {
    rules: ['MER011'],
    title: 'a store headless Service without publishNotReadyAddresses',
    mutate: (b) => delete find(b, 'cluster2', 'Service', 'vault-internal').spec.publishNotReadyAddresses,
    message: /must set publishNotReadyAddresses: true/,
    at: { file: 'dist/cluster2/vault.yaml' },
  },
  {
    rules: ['MER011', 'MER013'],
    title: 'a store member whose cluster does not export its headless Service',
    mutate: (b) => remove(b, 'cluster3', 'ServiceExport', 'cockroachdb'),
    message: /cluster3 does not export cockroachdb\/cockroachdb; peers in other clusters cannot resolve cockroachdb-0.cluster3/,
  },
  {
    rules: ['MER012'],
    title: 'a drained service still exported',
    mutate: (b) => {
      const e = structuredClone(find(b, 'cluster1', 'ServiceExport', 'shop'));
      e.metadata.labels['meridian.dev/cluster'] = 'cluster3';
      b.get('cluster3')!.get('services')!.push(e);
    },
    message: /shop\/shop is drained in cluster3 but still exported/,
  },
  {
    rules: ['MER013'],
    title: 'a clusterset name nobody exports',
    mutate: (b) => {
      for (const c of ['cluster1', 'cluster2', 'cluster3']) remove(b, c, 'ServiceExport', 'catalog');
    },
    message: /uses catalog.catalog.svc.clusterset.local, but no cluster of environment demo exports catalog\/catalog/,
  },
  {
    rules: ['MER013'],
    title: 'a per-cluster name of a cluster outside the environment',
    mutate: (b) => (container(find(b, 'cluster1', 'Deployment', 'shop')).env[1].value = 'http://cluster9.catalog.catalog.svc.clusterset.local:8080'),
    message: /cluster9 is not a cluster of environment demo/,
  },
  {
    rules: ['MER014'],
    title: 'a clusterset host without ServiceEntry',
    mutate: (b) => remove(b, 'cluster2', 'ServiceEntry', 'shop-clusterset'),
    message: /routes to shop.shop.svc.clusterset.local, which no ServiceEntry in cluster2 declares/,
  },
  {
    rules: ['MER014'],
    title: 'a ServiceEntry that is MESH_EXTERNAL',
    mutate: (b) => (find(b, 'cluster1', 'ServiceEntry', 'shop-clusterset').spec.location = 'MESH_EXTERNAL'),
    message: /must be location: MESH_INTERNAL/,
  },
  {
    rules: ['MER015'],
    title: 'an HTTPRoute attached to a listener that does not exist',
    mutate: (b) => (find(b, 'cluster2', 'HTTPRoute', 'shop').spec.parentRefs[0].sectionName = 'web'),
    message: /Gateway meridian-ingress\/meridian-gateway has no listener named web/,
  },
  {
    rules: ['MER015'],
    title: 'an HTTPRoute hostname that no attached listener serves',
    mutate: (b) => find(b, 'cluster3', 'HTTPRoute', 'shop').spec.hostnames.push('shop.elsewhere.example.org'),
    message: /no listener of Gateway meridian-ingress\/meridian-gateway that the route attaches to serves shop\.elsewhere\.example\.org/,
  },
  {
    rules: ['MER015'],
    title: 'an HTTPRoute backend that does not exist',
    mutate: (b) => (find(b, 'cluster1', 'HTTPRoute', 'shop').spec.rules[0].backendRefs[0].name = 'shop-clusterset'),
    message: /backend Service meridian-ingress\/shop-clusterset does not exist in cluster1/,
  },
  {
    rules: ['MER020'],
    title: 'a CockroachDB join list that misses a peer',
    mutate: (b) => {
      const args = join(b, 'cluster2');
      args[1] = args[1].replace('cockroachdb-2.cluster3.cockroachdb.cockroachdb.svc.clusterset.local,', '').replace(/,cockroachdb-2\.cluster3[^,]*$/, '');
    },
    message: /the --join list of cockroachdb cockroachdb\/cockroachdb in cluster2 misses 1 of 9 peers: cockroachdb-2.cluster3.cockroachdb.cockroachdb.svc.clusterset.local/,
    at: { file: 'dist/cluster2/cockroachdb.yaml', path: 'spec.template.spec.containers[0].args[1]' },
  },
  {
    rules: ['MER020'],
    title: 'a Vault retry_join that misses a peer',
    mutate: (b) => {
      const { config, save } = vaultConfig(b, 'cluster3');
      config.storage.raft.retry_join.pop();
      save();
    },
    message: /the retry_join list of vault vault\/vault in cluster3 misses 1 of 9 peers: vault-2.cluster3.vault-internal.vault.svc.clusterset.local/,
    at: { file: 'dist/cluster3/vault.yaml', path: 'data["vault.json"] -> storage.raft.retry_join' },
  },
  {
    rules: ['MER020'],
    title: 'a join list naming a pod that does not exist',
    mutate: (b) => (join(b, 'cluster1')[1] += ',cockroachdb-3.cluster1.cockroachdb.cockroachdb.svc.clusterset.local'),
    message: /lists 1 address\(es\) that are not members: cockroachdb-3.cluster1/,
  },
  {
    rules: ['MER021'],
    title: 'a store certificate that misses a pod name',
    mutate: (b) => {
      const cert = find(b, 'cluster2', 'Certificate', 'vault');
      cert.spec.dnsNames = cert.spec.dnsNames.filter((n: string) => n !== 'vault-1.cluster2.vault-internal.vault.svc.clusterset.local');
    },
    message: /do not cover vault-1.cluster2.vault-internal.vault.svc.clusterset.local/,
  },
  {
    rules: ['MER021'],
    title: 'a Vault issuer reaching Vault by a name its certificate lacks',
    mutate: (b) => (find(b, 'cluster1', 'ClusterIssuer', 'vault-issuer').spec.vault.server = 'https://vault-active.vault.svc:8200'),
    message: /reaches Vault at vault-active.vault.svc/,
  },
  {
    rules: ['MER022'],
    title: 'a CockroachDB node advertising another cluster',
    mutate: (b) => (join(b, 'cluster2')[2] = '--advertise-addr=$(POD_NAME).cluster1.cockroachdb.cockroachdb.svc.clusterset.local'),
    message: /--advertise-addr=\$\(POD_NAME\).cluster1.cockroachdb.cockroachdb.svc.clusterset.local in cluster2 must be the pod's own clusterset name/,
  },
  {
    rules: ['MER022'],
    title: 'a Vault issuer logging in at another cluster\'s auth mount',
    mutate: (b) => (find(b, 'cluster3', 'ClusterIssuer', 'vault-issuer').spec.vault.auth.kubernetes.mountPath = '/v1/auth/kubernetes-cluster1'),
    message: /in cluster3 logs in at \/v1\/auth\/kubernetes-cluster1/,
  },
  {
    rules: ['MER022'],
    title: 'Vault node IDs without the cluster',
    mutate: (b) => (container(find(b, 'cluster2', 'StatefulSet', 'vault')).env[2].value = '$(POD_NAME)'),
    message: /VAULT_RAFT_NODE_ID "\$\(POD_NAME\)" in cluster2 does not carry the cluster/,
  },
  {
    rules: ['MER022'],
    title: 'a Submariner clusterID that is not the folder',
    mutate: (b) => (find(b, 'cluster2', 'Submariner', 'submariner').spec.clusterID = 'cluster-2'),
    message: /Submariner clusterID is "cluster-2" in folder cluster2/,
  },
  {
    // A Secret no Certificate issues and no runbook step creates: both rules are about it.
    rules: ['MER023', 'MER110'],
    title: 'a pod mounting a TLS Secret no Certificate issues',
    mutate: (b) => (find(b, 'cluster1', 'Deployment', 'shop').spec.template.spec.volumes[0].secret.secretName = 'shop-vault-client-tls'),
    message: /mounts Secret shop-vault-client-tls, which no Certificate in namespace shop of cluster1 issues/,
  },
  {
    rules: ['MER024'],
    title: 'a Certificate whose issuer does not exist',
    mutate: (b) => (find(b, 'cluster2', 'Certificate', 'shop-gateway').spec.issuerRef.name = 'vault'),
    message: /is issued by ClusterIssuer vault, which cluster2 does not define/,
  },
  {
    rules: ['MER025'],
    title: 'a workload mounting a certificate without the Reloader annotation',
    mutate: (b) => delete find(b, 'cluster1', 'StatefulSet', 'cockroachdb').metadata.annotations,
    message: /mounts certificate Secret\(s\) cockroachdb-tls without listing them in secret.reloader.stakater.com\/reload/,
  },
  {
    rules: ['MER030'],
    title: 'a secret inline in Vault\'s configuration',
    mutate: (b) => {
      const { config, save } = vaultConfig(b, 'cluster1');
      config.seal.awskms.secret_key = 'wJalrXUtnFEMI';
      save();
    },
    message: /secret_key is set inline/,
    at: { file: 'dist/cluster1/vault.yaml', path: 'data["vault.json"] -> seal.awskms.secret_key' },
  },
  {
    rules: ['MER030'],
    title: 'a Secret object',
    mutate: (b) => b.get('cluster1')!.get('pki')!.push({ apiVersion: 'v1', kind: 'Secret', metadata: { ...find(b, 'cluster1', 'Service', 'vault').metadata, name: 'root-ca' }, type: 'kubernetes.io/tls', data: { 'tls.key': 'cGVt' } }),
    message: /Secret vault\/root-ca is committed to git/,
  },
  {
    rules: ['MER030'],
    title: 'a literal value for a secret-named variable',
    mutate: (b) => container(find(b, 'cluster2', 'Deployment', 'shop')).env.push({ name: 'DB_PASSWORD', value: 'hunter2' }),
    message: /environment variable DB_PASSWORD has a literal value/,
  },
  {
    rules: ['MER030'],
    title: 'a password inside the repository URL of an ApplicationSet',
    mutate: (b) => {
      const set = find(b, 'argocd', 'ApplicationSet', 'meridian-demo');
      const url = 'https://deploy:hunter2hunter2@git.example.com/bundles.git';
      set.spec.generators[0].git.repoURL = url;
      set.spec.template.spec.source.repoURL = url;
    },
    message: /^holds a password in a URL; reference a Secret instead$/,
  },
  {
    rules: ['MER030'],
    title: 'a GitHub token in a value of Vault\'s configuration',
    mutate: (b) => {
      const { config, save } = vaultConfig(b, 'cluster2');
      config.ui_banner = 'ghp_A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0uVwXyZ';
      save();
    },
    message: /^holds a GitHub token; reference a Secret instead$/,
  },
  {
    rules: ['MER031'],
    title: 'a credential in the environment report beside the folders',
    mutate: () => undefined,
    edit: (files) => files.set('demo.report.md', '# demo\n\n| repository | https://deploy:hunter2hunter2@git.example.com/bundles.git |\n'),
    message: /^holds a password in a URL; a committed file must not carry it$/,
    at: { file: 'dist/demo.report.md' },
  },
  {
    rules: ['MER040'],
    title: 'a container allowing privilege escalation',
    mutate: (b) => (container(find(b, 'cluster2', 'StatefulSet', 'vault')).securityContext.allowPrivilegeEscalation = true),
    message: /StatefulSet vault\/vault violates Pod Security "restricted": container vault must set allowPrivilegeEscalation: false/,
  },
  {
    rules: ['MER040'],
    title: 'a namespace that does not enforce restricted',
    mutate: (b) => (find(b, 'cluster1', 'Namespace', 'vault').metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline'),
    message: /namespace vault enforces Pod Security "baseline"/,
  },
  {
    rules: ['MER040'],
    title: 'a pod without seccomp profile',
    mutate: (b) => delete find(b, 'cluster3', 'Deployment', 'catalog').spec.template.spec.securityContext.seccompProfile,
    message: /container catalog needs seccompProfile RuntimeDefault/,
  },
  {
    rules: ['MER050', 'MER201'],
    title: 'a stateful namespace without default deny',
    mutate: (b) => remove(b, 'cluster1', 'NetworkPolicy', 'default-deny', 'cockroachdb'),
    message: /namespace cockroachdb runs StatefulSet cockroachdb in cluster1 without a default-deny ingress NetworkPolicy/,
  },
  {
    rules: ['MER050'],
    title: 'a store port no policy admits',
    mutate: (b) => find(b, 'cluster2', 'NetworkPolicy', 'vault').spec.ingress[0].ports.pop(),
    message: /no NetworkPolicy in cluster2 admits 8201 \(https-internal\) of StatefulSet vault\/vault/,
  },
  {
    rules: ['MER060'],
    title: 'a plain HTTP Gateway listener',
    mutate: (b) => {
      const l = find(b, 'cluster1', 'Gateway', 'meridian-gateway').spec.listeners[0];
      l.protocol = 'HTTP';
      l.port = 80;
      delete l.tls;
    },
    message: /listener shop speaks HTTP/,
  },
  {
    rules: ['MER060'],
    title: 'CockroachDB started --insecure',
    mutate: (b) => join(b, 'cluster3').push('--insecure'),
    message: /CockroachDB in cluster3 runs with --insecure/,
  },
  {
    rules: ['MER060'],
    title: 'Vault with TLS disabled',
    mutate: (b) => {
      const { config, save } = vaultConfig(b, 'cluster2');
      config.listener.tcp.tls_disable = true;
      save();
    },
    message: /Vault in cluster2 disables TLS/,
  },
  {
    rules: ['MER060'],
    title: 'a listener certificate that does not cover its hostname',
    mutate: (b) => (find(b, 'cluster2', 'Certificate', 'shop-gateway').spec.dnsNames = ['www.global.example.com']),
    message: /is served by listener shop for shop.global.example.com but its dnsNames \(www.global.example.com\) do not cover it/,
  },
  {
    rules: ['MER061'],
    title: 'a meshed namespace accepting plaintext',
    mutate: (b) => (find(b, 'cluster2', 'PeerAuthentication', 'default', 'shop').spec.mtls.mode = 'PERMISSIVE'),
    message: /sets mode PERMISSIVE for meshed workloads in cluster2/,
  },
  {
    rules: ['MER061'],
    title: 'a meshed namespace without PeerAuthentication',
    mutate: (b) => remove(b, 'cluster1', 'PeerAuthentication', 'default', 'catalog'),
    message: /namespace catalog joins the mesh in cluster1 but no PeerAuthentication with mtls.mode STRICT covers it/,
  },
  {
    rules: ['MER020', 'MER021', 'MER070'],
    title: 'voters concentrated in one cluster',
    mutate: (b) => (find(b, 'cluster1', 'StatefulSet', 'cockroachdb').spec.replicas = 7),
    message: /cockroachdb cockroachdb\/cockroachdb has 13 voters \(7 in cluster1, 3 in cluster2, 3 in cluster3\), quorum 7: losing cluster1 leaves 6 < 7/,
  },
  {
    rules: ['MER071'],
    title: 'a disruption budget that lets two voters go',
    mutate: (b) => (find(b, 'cluster2', 'PodDisruptionBudget', 'vault').spec.maxUnavailable = 2),
    message: /lets more than one of the 3 vault pods in cluster2 be evicted at once/,
  },
  {
    rules: ['MER072'],
    title: 'a CockroachDB node container without requests or limits',
    mutate: (b) => delete container(find(b, 'cluster2', 'StatefulSet', 'cockroachdb')).resources,
    message: /container cockroachdb of StatefulSet cockroachdb\/cockroachdb sets no requests.cpu, requests.memory, limits.memory/,
  },
  {
    rules: ['MER072'],
    title: 'the CockroachDB init Job without resources',
    mutate: (b) => delete find(b, 'cluster1', 'Job', 'cockroachdb-init').spec.template.spec.containers[0].resources,
    message: /container init of Job cockroachdb\/cockroachdb-init sets no requests.cpu/,
  },
  {
    rules: ['MER073'],
    title: 'a CockroachDB cache sized as a share of the node memory',
    mutate: (b) => {
      const args: string[] = container(find(b, 'cluster3', 'StatefulSet', 'cockroachdb')).args;
      args[args.findIndex((a) => a.startsWith('--cache='))] = '--cache=25%';
    },
    message: /cockroachdb in cluster3 sizes memory as "25%"/,
  },
  {
    rules: ['MER073'],
    title: 'CockroachDB memory flags above 80% of the limit',
    mutate: (b) => (container(find(b, 'cluster1', 'StatefulSet', 'cockroachdb')).resources.limits.memory = '4Gi'),
    message: /2 x --max-sql-memory \(2048MiB\) \+ --cache \(2048MiB\) exceeds 80% of the memory limit 4Gi/,
  },
  {
    rules: ['MER074'],
    title: "a SQL client pointed at another service's database",
    mutate: (b) => {
      const env: { name: string; value: string }[] = container(find(b, 'cluster2', 'Deployment', 'shop')).env;
      env.find((e) => e.name === 'DATABASE_URL')!.value = 'postgresql://shop@cockroachdb-public.cockroachdb.svc.cluster.local:26257/catalog?sslmode=verify-full';
    },
    message: /container shop connects as SQL user shop to database catalog; the runbook creates database shop for that user/,
  },
  {
    rules: ['MER075'],
    title: 'a zone tier on the nodes of one cluster only',
    mutate: (b) => {
      const args: string[] = container(find(b, 'cluster3', 'StatefulSet', 'cockroachdb')).args;
      args[args.findIndex((a) => a.startsWith('--locality='))] = '--locality=region=us-west-2,zone=us-west-2a';
    },
    message: /cockroachdb in cluster3 advertises locality tiers region,zone while cluster1 advertises region/,
  },
  {
    rules: ['MER211'],
    title: 'an AppProject that misses a kind of the bundle and admits one it does not contain',
    mutate: (b) => {
      const cluster = new Set<string>();
      const namespaced = new Set<string>();
      for (const [folder, components] of b) {
        if (folder === 'argocd') continue;
        for (const objs of components.values()) {
          for (const o of objs) (o.metadata.namespace === undefined ? cluster : namespaced).add(`${o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : ''}/${o.kind}`);
        }
      }
      const entries = (set: Set<string>, drop?: string): { group: string; kind: string }[] =>
        [...set].filter((k) => k !== drop).sort().map((k) => ({ group: k.slice(0, k.indexOf('/')), kind: k.slice(k.indexOf('/') + 1) }));
      const set = find(b, 'argocd', 'ApplicationSet', 'meridian-demo');
      b.get('argocd')!.get('demo')!.push({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { ...structuredClone(set.metadata), name: 'meridian-demo' },
        spec: {
          sourceRepos: ['https://git.example.com/bundles.git'],
          destinations: CLUSTERS.map((name) => ({ name, namespace: '' })),
          clusterResourceWhitelist: [...entries(cluster), { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBindingX' }],
          namespaceResourceWhitelist: entries(namespaced, 'cert-manager.io/Certificate'),
        },
      });
    },
    message: /does not admit cert-manager.io\/Certificate|admits rbac.authorization.k8s.io\/ClusterRoleBindingX/,
    at: { file: 'dist/argocd/demo.yaml' },
  },
  {
    rules: ['MER212'],
    title: 'an issuer in a later tier than the Certificates it signs',
    mutate: (b) => {
      const components = b.get('cluster1')!;
      const issuer = find(b, 'cluster1', 'Issuer', 'vault-bootstrap-ca', 'vault');
      for (const objs of components.values()) objs.splice(objs.indexOf(issuer), objs.includes(issuer) ? 1 : 0);
      components.set('vault-pki/issuers', [issuer]);
    },
    edit: (files) => {
      files.set('cluster1/kustomization.yaml', files.get('cluster1/kustomization.yaml')!.replace('  - vault-pki/issuers.yaml\n', ''));
      files.set('cluster1/vault-pki/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - issuers.yaml\n');
    },
    message: /is in tier platform but needs Issuer vault\/vault-bootstrap-ca of the later tier vault-pki/,
  },
  {
    rules: ['MER080'],
    title: 'a kustomization that misses a manifest',
    mutate: () => undefined,
    edit: (files) => files.set('cluster2/kustomization.yaml', files.get('cluster2/kustomization.yaml')!.replace('  - mesh.yaml\n', '')),
    message: /does not list mesh.yaml/,
    at: { file: 'dist/cluster2/kustomization.yaml', path: 'resources' },
  },
  {
    rules: ['MER080'],
    title: 'a stray file in a cluster folder',
    mutate: () => undefined,
    edit: (files) => files.set('cluster1/NOTES.md', 'hand-written\n'),
    message: /cluster1\/NOTES.md is not a manifest/,
  },
  {
    rules: ['MER081'],
    title: 'a file the record of owned files does not list',
    mutate: () => undefined,
    edit: (files) => files.set('meridian-owned.txt', `${[...files.keys()].filter((f) => f !== 'cluster3/vault.yaml').map((f) => `${f} ${f.startsWith('argocd/') ? '-' : 'prod'}`).join('\n')}\n`),
    message: /cluster3\/vault\.yaml is not in meridian-owned\.txt, so meridian did not write it/,
    at: { file: 'dist/cluster3/vault.yaml' },
  },
  {
    rules: ['MER090'],
    title: 'an ApplicationSet that deploys argocd/ as a cluster',
    mutate: (b) => find(b, 'argocd', 'ApplicationSet', 'meridian-demo').spec.generators[0].git.directories.pop(),
    message: /turns argocd\/ into an Application for a cluster named argocd/,
  },
  {
    rules: ['MER091'],
    title: 'a GSLB record still sending traffic to a drained cluster',
    mutate: (b) => {
      const record = find(b, 'cluster1', 'GlobalDNSRecord', 'shop');
      record.spec.endpoints.push({ ...structuredClone(record.spec.endpoints[0]), clusterName: 'cluster3' });
    },
    message: /shop.global.example.com is drained in cluster3 .* but cluster3 is still an endpoint/,
  },
  {
    rules: ['MER041'],
    title: 'fixed IDs on an OpenShift cluster without an SCC grant',
    mutate: (b) => (find(b, 'cluster2', 'Namespace', 'vault').metadata.labels['meridian.dev/platform'] = 'openshift'),
    message: /StatefulSet vault\/vault fixes runAsUser 1000, fsGroup 1000 on OpenShift cluster cluster2, but ServiceAccount vault is granted no SCC besides restricted-v2/,
    at: { file: 'dist/cluster2/vault.yaml', path: 'spec.template.spec.securityContext.runAsUser' },
  },
  {
    rules: ['MER051'],
    title: 'an egress policy without DNS',
    mutate: (b) => {
      remove(b, 'cluster2', 'NetworkPolicy', 'allow-egress', 'vault');
      b.get('cluster2')!.get('vault')!.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: structuredClone({ ...find(b, 'cluster2', 'Service', 'vault').metadata, name: 'vault-egress' }),
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 8200 }, { protocol: 'UDP', port: 53 }] }] },
      });
    },
    message: /StatefulSet vault\/vault has restricted egress on kubernetes cluster cluster2 and no NetworkPolicy admits DNS \(TCP 53 to kube-system\)/,
  },
  {
    rules: ['MER052'],
    title: 'a Vault client Service that selects uninitialized members',
    mutate: (b) => delete find(b, 'cluster2', 'Service', 'vault').spec.selector['vault-initialized'],
    message: /Service vault\/vault in cluster2 sends clients to vault StatefulSet vault without selecting vault-initialized: "true"/,
    at: { file: 'dist/cluster2/vault.yaml', path: 'spec.selector' },
  },
  {
    rules: ['MER052'],
    title: 'a CockroachDB client Service that publishes not-ready members',
    mutate: (b) => (find(b, 'cluster1', 'Service', 'cockroachdb-public').spec.publishNotReadyAddresses = true),
    message: /Service cockroachdb\/cockroachdb-public in cluster1 sends clients to cockroachdb StatefulSet cockroachdb including not-ready members/,
  },
  {
    rules: ['MER053'],
    title: 'an OpenShift gateway hostname that only the router answers',
    mutate: (b) => {
      // cluster2 becomes OpenShift (its pods drop their fixed IDs, as meridian emits them there), and
      // no global record points shop.global.example.com at the gateway any more.
      find(b, 'cluster2', 'Namespace', 'vault').metadata.labels['meridian.dev/platform'] = 'openshift';
      for (const objs of b.get('cluster2')!.values()) {
        for (const o of objs) {
          const ctx = o.spec?.template?.spec?.securityContext;
          if (ctx) o.spec.template.spec.securityContext = { runAsNonRoot: true, seccompProfile: ctx.seccompProfile };
        }
      }
      remove(b, 'cluster1', 'GlobalDNSRecord', 'shop');
    },
    message: /shop.global.example.com resolves to the OpenShift router of cluster2 .* and no passthrough Route hands it to meridian-ingress\/meridian-gateway-istio/,
  },
  {
    rules: ['MER110'],
    title: 'a Submariner CR naming a Secret that subctl would generate',
    mutate: (b) => (find(b, 'cluster3', 'Submariner', 'submariner').spec.brokerK8sSecret = 'submariner-broker-secret'),
    message: /Submariner submariner-operator\/submariner in cluster3 names Secret submariner-operator\/submariner-broker-secret, which no Certificate issues and demo.prerequisites.json does not list for cluster3/,
    at: { file: 'dist/cluster3/submariner.yaml', path: 'spec.brokerK8sSecret' },
  },
  {
    rules: ['MER110'],
    title: 'a seal credential key the runbook does not create',
    mutate: (b) => (container(find(b, 'cluster2', 'StatefulSet', 'vault')).env.find((e: any) => e.name === 'AWS_ACCESS_KEY_ID').valueFrom.secretKeyRef.key = 'aws_access_key_id'),
    message: /names Secret vault\/vault-kms-credentials and reads key aws_access_key_id, but runbook step vault-seal-credentials creates it with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY only/,
  },
  {
    rules: ['MER091'],
    title: 'a GSLB record that forgets a serving cluster',
    mutate: (b) => find(b, 'cluster1', 'GlobalDNSRecord', 'shop').spec.endpoints.pop(),
    message: /cluster2 serves shop.global.example.com but is not an endpoint of its GlobalDNSRecord/,
  },
  {
    rules: ['MER101'],
    title: 'a ConfigMap over 1 MiB',
    mutate: (b) => (find(b, 'cluster2', 'ConfigMap', 'vault-config').data['padding.txt'] = 'x'.repeat(1024 * 1024)),
    message: /holds \d+ bytes of values; the API server refuses a ConfigMap whose values exceed 1048576 bytes/,
    at: { file: 'dist/cluster2/vault.yaml', path: 'data' },
  },
  {
    rules: ['MER102'],
    title: 'an environment value holding NUL',
    mutate: (b) => (container(find(b, 'cluster1', 'Deployment', 'shop')).env[0].value += '\u0000'),
    message: /environment variable COCKROACHDB_HOST holds the control character U\+0000/,
  },
  {
    rules: ['MER103'],
    title: 'a container port the Istio sidecar reserves',
    mutate: (b) => container(find(b, 'cluster1', 'Deployment', 'shop')).ports.push({ name: 'admin', containerPort: 15000 }),
    message: /container shop listens on 15000, a port the Istio sidecar reserves/,
  },
  {
    rules: ['MER141'],
    title: 'a rollout step that syncs two clusters\' store members at once',
    mutate: (b) => rollout(b, [['cluster1', 'cluster2'], ['cluster3']]),
    message: /step 1 of ApplicationSet meridian-demo syncs cluster1, cluster2 at the same time: .* takes 6 of its 9 voters down together and leaves 3 < quorum 5/,
    at: { file: 'dist/argocd/demo.yaml', path: 'spec.strategy.rollingSync.steps[0]' },
  },
  {
    rules: ['MER141'],
    title: 'a rollout step whose maxUpdate lets two clusters sync together',
    mutate: (b) => rollout(b, [['cluster1', 'cluster2', 'cluster3']], '67%'),
    message: /syncs cluster1, cluster2 at the same time/,
  },
  {
    rules: ['MER142'],
    title: 'a rollout that never reaches a cluster',
    mutate: (b) => rollout(b, [['cluster1'], ['cluster2']], 1),
    message: /no rollout step of ApplicationSet meridian-demo selects the Application of cluster3/,
  },
  {
    rules: ['MER142'],
    title: 'a rollout step that stops at maxUpdate 0',
    mutate: (b) => rollout(b, [['cluster1'], ['cluster2'], ['cluster3']], 0),
    message: /step 1 of ApplicationSet meridian-demo has maxUpdate 0/,
  },
  {
    rules: ['MER143'],
    title: 'a PodMonitor on a store port that no NetworkPolicy admits',
    mutate: (b) => scrapeVault(b, 'https', false),
    message: /namespace vault in cluster1 denies ingress and no NetworkPolicy admits Prometheus from its namespace to port 8200 of StatefulSet vault/,
    at: { file: 'dist/cluster1/vault.yaml', path: 'spec.podMetricsEndpoints[0]' },
  },
  {
    rules: ['MER143'],
    title: 'a PodMonitor on a port the pods do not declare',
    mutate: (b) => scrapeVault(b, 'metrics', true),
    message: /PodMonitor vault\/vault scrapes port metrics, which StatefulSet vault does not declare/,
  },
  {
    rules: ['MER151'],
    title: 'a PKI mount that Argo CD may prune',
    mutate: (b) => delete find(b, 'cluster1', 'SecretEngineMount', 'pki').metadata.annotations,
    message: /SecretEngineMount vault\/pki lacks Prune=false and Delete=false in argocd.argoproj.io\/sync-options/,
    at: { file: 'dist/cluster1/pki.yaml', path: 'metadata.annotations' },
  },
  {
    rules: ['MER151'],
    title: 'an auth mount that Argo CD deletes with its Application',
    mutate: (b) => (find(b, 'cluster2', 'AuthEngineMount', 'kubernetes-auth').metadata.annotations['argocd.argoproj.io/sync-options'] = 'Prune=false'),
    message: /AuthEngineMount vault\/kubernetes-auth lacks Delete=false/,
  },
  {
    rules: ['MER152'],
    title: "Vault's policy admitting its own cluster's pod CIDR",
    mutate: (b) => find(b, 'cluster1', 'NetworkPolicy', 'vault', 'vault').spec.ingress.push({ from: [{ ipBlock: { cidr: '10.132.0.0/14' } }, { ipBlock: { cidr: '10.128.0.0/14' } }], ports: [{ port: 8201, protocol: 'TCP' }] }),
    message: /NetworkPolicy vault\/vault admits ipBlock 10.128.0.0\/14, which covers cluster1's own pod CIDR 10.128.0.0\/14/,
    at: { file: 'dist/cluster1/vault.yaml', path: 'spec.ingress[1].from[1].ipBlock.cidr' },
  },
  {
    rules: ['MER152'],
    title: "a store policy whose ipBlock is wider than the own pod CIDR",
    mutate: (b) => find(b, 'cluster2', 'NetworkPolicy', 'cockroachdb', 'cockroachdb').spec.ingress.push({ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.128.0.0/14'] } }], ports: [{ port: 26257, protocol: 'TCP' }] }),
    message: /NetworkPolicy cockroachdb\/cockroachdb admits ipBlock 10.0.0.0\/8, which covers cluster2's own pod CIDR 10.132.0.0\/14/,
  },
  {
    rules: ['MER153'],
    title: 'a multi-Region seal key used in another region than the cluster\'s',
    mutate: (b) => {
      const { config, save } = vaultConfig(b, 'cluster2');
      config.seal.awskms.region = 'us-east-1';
      save();
    },
    message: /the awskms seal of cluster2 \(region us-east-2\) uses multi-Region key mrk-1234abcd12ab34cd56ef1234567890ab in us-east-1: losing us-east-1 leaves cluster2's restarted pods sealed/,
    at: { file: 'dist/cluster2/vault.yaml', path: 'data["vault.json"] -> seal.awskms.region' },
  },
  {
    rules: ['MER153'],
    title: 'a multi-Region key ARN of another region',
    mutate: (b) => {
      const { config, save } = vaultConfig(b, 'cluster3');
      config.seal.awskms.kms_key_id = 'arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
      save();
    },
    message: /the awskms seal of cluster3 \(region us-west-2\) names the key ARN of region us-east-1/,
  },
  {
    rules: ['MER161'],
    title: 'a Sync hook Job without a deadline',
    mutate: (b) => {
      delete find(b, 'cluster1', 'Job', 'cockroachdb-init').spec.activeDeadlineSeconds;
    },
    message: /hook Job cockroachdb\/cockroachdb-init in cluster1 has no activeDeadlineSeconds; it runs on every sync and holds its wave: at most 900 s/,
    at: { file: 'dist/cluster1/cockroachdb.yaml', path: 'spec.activeDeadlineSeconds' },
  },
  {
    rules: ['MER161'],
    title: 'a Sync hook Job that retries many pods',
    mutate: (b) => {
      find(b, 'cluster1', 'Job', 'cockroachdb-init').spec.backoffLimit = 30;
    },
    message: /hook Job cockroachdb\/cockroachdb-init in cluster1 retries 30 pods; at most 2/,
  },
  {
    rules: ['MER171'],
    title: 'a Vault client whose Kubernetes auth role is removed',
    mutate: (b) => vaultClient(b, { role: false }),
    message: /VAULT_ADDR is set, and no KubernetesAuthEngineRole named service-shop on mount kubernetes-cluster1 in this cluster is bound to ServiceAccount shop in namespace shop/,
    at: { file: 'dist/cluster1/services.yaml', path: 'spec.template.spec.containers[0].env[3]' },
  },
  {
    rules: ['MER171'],
    title: 'a Vault client whose role verifies another audience than its token carries',
    mutate: (b) => vaultClient(b, { audience: 'https://kubernetes.default.svc' }),
    message: /the pods mount no projected ServiceAccount token of ServiceAccount shop with audience https:\/\/kubernetes.default.svc at \/var\/run\/secrets\/vault\/token/,
  },
  {
    rules: ['MER191'],
    title: "a cluster-wide Vault role that allows CockroachDB's root again",
    mutate: (b) => find(b, 'cluster1', 'PKISecretEngineRole', 'cert-manager').spec.allowedDomains.push('root'),
    message: /ClusterIssuer vault-issuer signs through Vault role cert-manager of pki, which allows store identities: root \(Certificate cockroachdb\/cockroachdb-root-client\)/,
    at: { file: 'dist/cluster1/pki.yaml', path: 'spec.vault.path' },
  },
  {
    rules: ['MER191'],
    title: 'a cluster-wide Vault role that allows the subdomains of svc.clusterset.local',
    mutate: (b) => Object.assign(find(b, 'cluster1', 'PKISecretEngineRole', 'cert-manager').spec, { allowedDomains: ['svc.clusterset.local'], allowSubdomains: true }),
    message: /which allows store identities: cockroachdb-0\.cluster1\.cockroachdb\.cockroachdb\.svc\.clusterset\.local/,
  },
  {
    rules: ['MER110', 'MER191'],
    title: 'a CA ClusterIssuer beside store identities',
    mutate: (b) => b.get('cluster2')!.get('pki')!.push({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { ...structuredClone(find(b, 'cluster2', 'ClusterIssuer', 'vault-issuer').metadata), name: 'meridian-root-ca' }, spec: { ca: { secretName: 'root-ca' } } }),
    message: /ClusterIssuer meridian-root-ca is a CA issuer: it signs any name a Certificate of any namespace asks for, store identities included/,
  },
  {
    rules: ['MER192'],
    title: 'the root key pair loaded into a namespace where no CA issuer signs with it',
    mutate: () => undefined,
    edit: (files) => {
      const doc = JSON.parse(files.get('demo.prerequisites.json')!);
      doc.clusters[0].secrets.push({ namespace: 'cert-manager', name: 'root-ca', keys: ['tls.crt', 'tls.key'], runbookStep: 'root-ca' });
      files.set('demo.prerequisites.json', JSON.stringify(doc));
    },
    message: /demo\.prerequisites\.json loads the key pair of Issuer \S+ \(Secret root-ca with tls\.key\) into namespace cert-manager of cluster1, where no CA issuer signs with it \(only istio-system, vault\)/,
    at: { file: 'dist/cluster1/mesh.yaml', path: 'spec.ca.secretName' },
  },
  {
    rules: ['MER110', 'MER192'],
    title: 'a Vault issuer that verifies Vault with the root key pair',
    mutate: (b) => (find(b, 'cluster2', 'ClusterIssuer', 'vault-issuer').spec.vault.caBundleSecretRef.name = 'root-ca'),
    message: /ClusterIssuer vault-issuer verifies Vault with Secret cert-manager\/root-ca, the key pair a CA issuer signs with/,
  },
  {
    rules: ['MER193'],
    title: "a cluster whose istiod keeps its self-signed root",
    mutate: (b) => remove(b, 'cluster2', 'Certificate', 'istio-ca'),
    message: /cluster2 enforces mutual TLS \(PeerAuthentication catalog\/default\) and no Certificate issues istiod's cacerts there: its istiod signs with a self-signed root/,
    at: { file: 'dist/cluster2/catalog.yaml', path: 'spec' },
  },
  {
    rules: ['MER110', 'MER192', 'MER193'],
    title: "a cluster whose istiod intermediate chains to another root (and the root key left where nothing signs with it)",
    mutate: (b) => (find(b, 'cluster3', 'Issuer', 'meridian-root-ca', 'istio-system').spec.ca.secretName = 'other-root'),
    message: /istiod's intermediates chain to different roots \(root-ca in cluster1, cluster2; other-root in cluster3\): workloads of cluster3 reject/,
  },
  {
    rules: ['MER193'],
    title: 'a cacerts Certificate that is not a CA',
    mutate: (b) => delete find(b, 'cluster1', 'Certificate', 'istio-ca').spec.isCA,
    message: /Certificate istio-system\/istio-ca writes istiod's cacerts without isCA: true/,
  },
  {
    rules: ['MER194'],
    title: 'an auth mount configured by the vault-config-operator with its one-year TokenRequest token',
    mutate: (b) =>
      b.get('cluster2')!.get('pki')!.push({
        apiVersion: 'redhatcop.redhat.io/v1alpha1',
        kind: 'KubernetesAuthEngineConfig',
        metadata: { ...structuredClone(find(b, 'cluster2', 'AuthEngineMount', 'kubernetes-auth').metadata), annotations: undefined },
        spec: { ...structuredClone(find(b, 'cluster2', 'AuthEngineMount', 'kubernetes-auth').spec), type: undefined, description: undefined, kubernetesHost: 'https://api.cluster2.example.com:6443', tokenReviewerServiceAccount: { name: 'vault' } },
      }),
    message: /KubernetesAuthEngineConfig vault\/kubernetes-auth makes the vault-config-operator write a TokenRequest token of ServiceAccount vault valid one year as the reviewer JWT of auth\/kubernetes-cluster2/,
    at: { file: 'dist/cluster2/pki.yaml', path: 'spec.tokenReviewerServiceAccount' },
  },
  {
    rules: ['MER194'],
    title: 'an auth mount without a long-lived reviewer token',
    mutate: () => undefined,
    edit: (files) => {
      const doc = JSON.parse(files.get('demo.prerequisites.json')!);
      doc.clusters[2].secrets = doc.clusters[2].secrets.filter((s: { name: string }) => s.name !== 'vault-token');
      files.set('demo.prerequisites.json', JSON.stringify(doc));
    },
    message: /auth\/kubernetes-cluster3 in cluster3 has no long-lived reviewer token: demo\.prerequisites\.json lists no service-account-token Secret in namespace vault of cluster3/,
    at: { file: 'dist/cluster3/pki.yaml', path: 'spec' },
  },
  {
    rules: ['MER194'],
    title: 'a reviewer token whose ServiceAccount may not review tokens',
    mutate: (b) => remove(b, 'cluster1', 'ClusterRoleBinding', 'meridian-vault-vault-auth-delegator'),
    message: /the reviewer token of auth\/kubernetes-cluster1 in cluster1 \(Secret vault\/vault-token of ServiceAccount vault\) belongs to no ServiceAccount bound to system:auth-delegator/,
  },
  {
    rules: ['MER201'],
    title: 'a namespace without default deny',
    mutate: (b) => remove(b, 'cluster1', 'NetworkPolicy', 'default-deny', 'shop'),
    message: /namespace shop in cluster1 has no NetworkPolicy default-deny: its pods accept and open any connection/,
    at: { file: 'dist/cluster1/namespaces.yaml', path: 'metadata.name' },
  },
  {
    rules: ['MER201'],
    title: 'a default deny that leaves egress open',
    mutate: (b) => (find(b, 'cluster2', 'NetworkPolicy', 'default-deny', 'meridian-ingress').spec.policyTypes = ['Ingress']),
    message: /NetworkPolicy meridian-ingress\/default-deny in cluster2 does not deny everything/,
    at: { file: 'dist/cluster2/namespaces.yaml', path: 'spec' },
  },
  {
    rules: ['MER202'],
    title: "an egress ipBlock that covers the own cluster's pod CIDR",
    mutate: (b) => find(b, 'cluster1', 'NetworkPolicy', 'allow-egress', 'shop').spec.egress.push({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 8080 }] }),
    message: /NetworkPolicy shop\/allow-egress lets its pods reach ipBlock 10.0.0.0\/8, which covers cluster1's own pod CIDR 10.128.0.0\/14/,
    at: { file: 'dist/cluster1/namespaces.yaml', path: 'spec.egress[1].to[0].ipBlock.cidr' },
  },
  {
    rules: ['MER202'],
    title: "a service's ingress admitting its own cluster's pod CIDR",
    mutate: (b) => find(b, 'cluster2', 'NetworkPolicy', 'shop', 'shop').spec.ingress[1].from.push({ ipBlock: { cidr: '10.132.0.0/14' } }),
    message: /NetworkPolicy shop\/shop admits traffic from ipBlock 10.132.0.0\/14, which covers cluster2's own pod CIDR 10.132.0.0\/14/,
  },
  {
    rules: ['MER203'],
    title: 'a callee that does not admit its consumer',
    mutate: (b) => find(b, 'cluster1', 'NetworkPolicy', 'catalog', 'catalog').spec.ingress.shift(),
    message: /CATALOG_URL names catalog.catalog:8080, and no NetworkPolicy of namespace catalog in cluster1 admits Deployment shop\/shop to Deployment catalog\/catalog on port 8080/,
    at: { file: 'dist/cluster1/services.yaml', path: 'spec.template.spec.containers[0].env[1].value' },
  },
  {
    rules: ['MER203'],
    title: 'a consumer whose egress admits only DNS',
    mutate: (b) => (find(b, 'cluster1', 'NetworkPolicy', 'allow-egress', 'shop').spec.egress = [dnsEgress]),
    message: /DATABASE_URL names cockroachdb-public.cockroachdb:26257, and no NetworkPolicy of namespace shop in cluster1 lets Deployment shop\/shop reach StatefulSet cockroachdb\/cockroachdb on port 26257/,
  },
  {
    rules: ['MER203'],
    title: "a consumer of a clusterset name that cannot reach the other clusters' services",
    mutate: (b) =>
      (find(b, 'cluster1', 'NetworkPolicy', 'allow-egress', 'shop').spec.egress = [
        dnsEgress,
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'catalog' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cockroachdb' } } }] },
      ]),
    message: /CATALOG_URL names catalog.catalog:8080, and no NetworkPolicy of namespace shop in cluster1 lets Deployment shop\/shop reach the other clusters' Service network 172.31.0.0\/16 on port 8080/,
  },
  {
    rules: ['MER203'],
    title: "an exported service that does not admit the other clusters' pods",
    mutate: (b) => find(b, 'cluster2', 'NetworkPolicy', 'catalog', 'catalog').spec.ingress.pop(),
    message: /Service catalog\/catalog is exported from cluster2, and no NetworkPolicy of namespace catalog admits the other cluster network 10.128.0.0\/14 to Deployment catalog\/catalog on port 8080/,
  },
  {
    rules: ['MER203'],
    title: "a gateway that cannot reach the other clusters' services",
    mutate: (b) => (find(b, 'cluster2', 'NetworkPolicy', 'allow-egress', 'meridian-ingress').spec.egress = [dnsEgress, { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }] }]),
    message: /HTTPRoute meridian-ingress\/shop sends the gateway's requests to shop.shop:8080, and no NetworkPolicy of namespace meridian-ingress in cluster2 lets the gateway reach the other clusters' Service network 172.30.0.0\/16 on port 8080/,
  },
  {
    rules: ['MER203'],
    title: 'a routed service that does not admit the gateway',
    mutate: (b) => find(b, 'cluster1', 'NetworkPolicy', 'shop', 'shop').spec.ingress.shift(),
    message: /HTTPRoute meridian-ingress\/shop sends the gateway's requests to shop.shop:8080, and no NetworkPolicy of namespace shop in cluster1 admits the gateway in namespace meridian-ingress to Deployment shop\/shop on port 8080/,
    at: { file: 'dist/cluster1/ingress.yaml', path: 'spec.rules[0].backendRefs[0]' },
  },
];

describe('MER193 with ISTIO_MUTUAL only', () => {
  it('asks for cacerts in a cluster whose DestinationRule for a clusterset host uses ISTIO_MUTUAL', () => {
    const b = fullBundle();
    for (const c of CLUSTERS) {
      for (const [name, ns] of [['default', 'shop'], ['default', 'catalog']] as const) remove(b, c, 'PeerAuthentication', name, ns);
    }
    find(b, 'cluster1', 'DestinationRule', 'shop-clusterset').spec.trafficPolicy.tls = { mode: 'ISTIO_MUTUAL' };
    remove(b, 'cluster1', 'Certificate', 'istio-ca');
    const v = violationsOf(b).filter((x) => x.rule === 'MER193');
    expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/^cluster1 enforces mutual TLS \(DestinationRule shop\/shop-clusterset\)/)]);
  });
});

/** DNS as MER051 expects it on the fixture's Kubernetes clusters. */
const dnsEgress = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};
/**
 * cluster3's vault-config-operator reaches Vault by the clusterset name of its client Service, as a
 * cluster outside vault.clusters does; cluster1 exports the Service.
 */
function remoteVaultIssuer(b: Bundle, covered: boolean): void {
  const host = 'vault.vault.svc.clusterset.local';
  find(b, 'cluster3', 'AuthEngineMount', 'kubernetes-auth', 'vault').spec.connection.address = `https://${host}:8200`;
  const exported = find(b, 'cluster1', 'ServiceExport', 'vault-internal', 'vault');
  b.get('cluster1')!.get('vault')!.push({ ...structuredClone(exported), metadata: { ...structuredClone(exported.metadata), name: 'vault' } });
  if (covered) {
    for (const c of CLUSTERS) {
      const sts = find(b, c, 'StatefulSet', 'vault', 'vault');
      const secret = sts.spec.template.spec.volumes.find((v: { secret?: { secretName: string } }) => v.secret)?.secret.secretName;
      for (const objs of b.get(c)!.values()) for (const o of objs) if (o.kind === 'Certificate' && o.spec.secretName === secret) o.spec.dnsNames.push(host);
    }
  }
}

CASES.push({
  rules: ['MER181'],
  title: "a cluster that dials Vault's clusterset name, which Vault's certificates do not carry",
  mutate: (b) => remoteVaultIssuer(b, false),
  message: /AuthEngineMount vault\/kubernetes-auth in cluster3 dials vault\.vault\.svc\.clusterset\.local, which Lighthouse may answer with cluster1, whose vault certificates \(.*\) do not cover it/,
  at: { file: 'dist/cluster3/pki.yaml', path: 'spec.connection.address' },
});

/** cluster3's shop dials CockroachDB by the clusterset name of its public Service, exported and covered everywhere; cluster1 admits only cluster2's network. */
function remoteSqlClient(b: Bundle, admitted: boolean, egress = true): void {
  const host = 'cockroachdb-public.cockroachdb.svc.clusterset.local';
  const env = container(find(b, 'cluster3', 'Deployment', 'shop')).env as { name: string; value: string }[];
  env.find((e) => e.name === 'DATABASE_URL')!.value = `postgresql://shop@${host}:26257/shop?sslmode=verify-full`;
  for (const c of CLUSTERS) {
    const exported = find(b, c, 'ServiceExport', 'cockroachdb', 'cockroachdb');
    b.get(c)!.get('cockroachdb')!.push({ ...structuredClone(exported), metadata: { ...structuredClone(exported.metadata), name: 'cockroachdb-public' } });
    find(b, c, 'Certificate', 'cockroachdb-node', 'cockroachdb').spec.dnsNames.push(host);
  }
  const cluster2 = find(b, 'cluster2', 'Submariner', 'submariner').spec.clusterCIDR;
  const cluster3 = find(b, 'cluster3', 'Submariner', 'submariner').spec.clusterCIDR;
  const rule = find(b, 'cluster1', 'NetworkPolicy', 'cockroachdb', 'cockroachdb').spec.ingress[0];
  // the local clients stay admitted by namespace (MER203's side); the remote networks by ipBlock
  rule.from = [{ namespaceSelector: {} }, { ipBlock: { cidr: cluster2 } }, ...(admitted ? [{ ipBlock: { cidr: cluster3 } }] : [])];
  // the client's own egress reaches the other clusters' Service networks on 26257 (MER203's side)
  const services = ['cluster1', 'cluster2'].map((c) => find(b, c, 'Submariner', 'submariner').spec.serviceCIDR as string);
  const policy = find(b, 'cluster3', 'NetworkPolicy', 'allow-egress', 'shop').spec;
  if (egress) policy.egress.push({ to: services.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: 26257 }] });
  // without it: local namespaces and the other clusters' catalog only, as meridian wrote before placement
  else policy.egress = [dnsEgress, { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'catalog' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cockroachdb' } } }] }, { to: services.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: 8080 }] }];
}

CASES.push({
  // A client in a cluster outside the store's placement whose egress admits only the (absent) local store pods.
  rules: ['MER203'],
  title: "a client of CockroachDB's clusterset name whose egress does not reach the members' Service networks",
  mutate: (b) => remoteSqlClient(b, true, false),
  message: /DATABASE_URL names cockroachdb-public\.cockroachdb:26257, and no NetworkPolicy of namespace shop in cluster3 lets Deployment shop\/shop reach the other clusters' Service network 172\.30\.0\.0\/16 on port 26257/,
  at: { file: 'dist/cluster3/services.yaml' },
});

CASES.push({
  rules: ['MER182'],
  title: "a cluster that dials CockroachDB's clusterset name from a network a member's policy does not admit",
  mutate: (b) => remoteSqlClient(b, false),
  message: /Deployment shop\/shop in cluster3 dials cockroachdb-public\.cockroachdb\.svc\.clusterset\.local:26257, which Lighthouse may answer with cluster1, whose NetworkPolicies \(.*\) do not admit cluster3's pod CIDR 10\.136\.0\.0\/14 on port 26257/,
  at: { file: 'dist/cluster3/services.yaml' },
});

describe('MER182 with the client network admitted', () => {
  it('accepts the remote SQL client once every member admits its network', () => {
    const b = fullBundle();
    remoteSqlClient(b, true);
    expect(violationsOf(b).filter((v) => v.rule === 'MER182')).toEqual([]);
  });
});

describe('MER181 with the clusterset name in every member\'s certificate', () => {
  it('accepts a remote issuer once every member covers the name', () => {
    const b = fullBundle();
    remoteVaultIssuer(b, true);
    expect(violationsOf(b).filter((v) => v.rule === 'MER181')).toEqual([]);
  });
});

describe('MER171 with a complete Vault client', () => {
  it('accepts a role bound to the ServiceAccount and namespace with the projected token\'s audience', () => {
    const b = fullBundle();
    vaultClient(b);
    expect(violationsOf(b)).toEqual([]);
  });
});

describe('MER153 with single-Region keys', () => {
  it('leaves a single-Region key or an alias to the environment warning', () => {
    const b = fullBundle();
    for (const c of CLUSTERS) {
      const { config, save } = vaultConfig(b, c);
      config.seal.awskms = { region: 'us-east-1', kms_key_id: 'alias/meridian-vault' };
      save();
    }
    expect(violationsOf(b)).toEqual([]);
  });
});

describe('MER152 with the other clusters\' networks', () => {
  it('accepts ipBlocks of the other clusters, and a wide block whose except removes the own pod CIDR', () => {
    const b = fullBundle();
    find(b, 'cluster1', 'NetworkPolicy', 'vault', 'vault').spec.ingress.push({ from: [{ ipBlock: { cidr: '10.132.0.0/14' } }, { ipBlock: { cidr: '10.136.0.0/14' } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.128.0.0/14'] } }], ports: [{ port: 8201, protocol: 'TCP' }] });
    expect(violationsOf(b)).toEqual([]);
  });
});

describe('scraped store ports', () => {
  it('pass MER143 when a NetworkPolicy admits the Prometheus namespace to the port', () => {
    const b = fullBundle();
    scrapeVault(b, 'https', true);
    expect(violationsOf(b)).toEqual([]);
  });
});

describe('progressive rollouts that keep quorum', () => {
  it.each([
    ['one cluster per step', [['cluster1'], ['cluster2'], ['cluster3']], undefined],
    ['one step for every cluster, one Application at a time', [['cluster1', 'cluster2', 'cluster3']], 1],
    ['one step for every cluster, a third at a time', [['cluster1', 'cluster2', 'cluster3']], '34%'],
  ] as const)('pass with %s', (_title, steps, maxUpdate) => {
    const b = fullBundle();
    rollout(b, steps, maxUpdate);
    expect(violationsOf(b)).toEqual([]);
  });
});

describe('the complete bundle', () => {
  it('passes every rule', () => {
    expect(violationsOf(fullBundle())).toEqual([]);
  });

  it('has the stores the rules look for', () => {
    const stores = findStores(treeFromFiles(render(fullBundle())));
    expect(stores.map((s) => `${s.kind} ${s.namespace}/${s.name}: ${s.members.map((m) => `${m.folder}=${m.replicas}`).join(' ')} listing ${s.members[0]!.listed.length}`)).toEqual([
      'cockroachdb cockroachdb/cockroachdb: cluster1=3 cluster2=3 cluster3=3 listing 9',
      'vault vault/vault: cluster1=3 cluster2=3 cluster3=3 listing 9',
    ]);
  });
});

describe.each(CASES)('$rules fires on $title', (c) => {
  it('and only the rules about that fact', () => {
    // GIVEN the complete bundle with one fact broken
    const b = fullBundle();
    c.mutate(b);
    // WHEN it is validated
    const v = violationsOf(b, c.edit);
    // THEN exactly the expected rules fire, with a message that says what to fix, located
    expect([...new Set(v.map((x) => x.rule))].sort()).toEqual([...c.rules].sort());
    const hit = v.find((x) => c.message.test(x.message));
    expect(hit, v.map((x) => `${x.rule} ${x.message}`).join('\n')).toBeDefined();
    if (c.at) expect(hit!.location).toMatchObject(c.at);
    expect(hit!.location.line).toBeGreaterThan(0);
  });
});

describe('MER015 with one listener per hostname', () => {
  it('accepts a route whose hostnames are each served by one of the listeners it attaches to', () => {
    const b = fullBundle();
    const gateway = find(b, 'cluster1', 'Gateway', 'meridian-gateway');
    const local = 'shop.apps.cluster1.example.com';
    gateway.spec.listeners.push({ ...gateway.spec.listeners[0], name: 'shop-cluster', hostname: local });
    find(b, 'cluster1', 'Certificate', 'shop-gateway').spec.dnsNames.push(local);
    const route = find(b, 'cluster1', 'HTTPRoute', 'shop');
    route.spec.parentRefs = [
      { name: 'meridian-gateway', sectionName: 'shop' },
      { name: 'meridian-gateway', sectionName: 'shop-cluster' },
    ];
    route.spec.hostnames.push(local);
    expect(violationsOf(b).filter((v) => v.rule === 'MER015')).toEqual([]);
  });
});

describe('rule catalogue', () => {
  it('has a failing fixture for every rule', () => {
    const covered = new Set(CASES.flatMap((c) => (c.rules.length === 1 ? c.rules : c.rules.filter((r) => r === 'MER070' || r === 'MER023'))));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('is documented in README.md, rule by rule', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    for (const r of RULES) expect(readme).toContain(`| ${r.id} | \`${r.name}\` |`);
  });

  it('has unique ids and names, a description and a fix for every rule', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^MER\d{3}$/);
      expect(r.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.description.length).toBeGreaterThan(20);
      expect(r.fix.length).toBeGreaterThan(10);
    }
  });
});
