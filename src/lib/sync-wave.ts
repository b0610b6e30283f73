import { LABEL, templateSelector } from './labels';
// Argo CD applies a wave, waits until it is synced and Healthy, then moves on (REFERENCE §5.2).
// Every object of a cluster folder gets a wave from its kind (DESIGN §3: namespaces -> RBAC -> issuers
// -> certificates -> services and exports -> workloads -> routes -> global DNS), unless a construct
// sets one explicitly.
//
// Vault is the exception that would deadlock a first sync. Its pods are Ready only once a human has
// run `vault operator init` (the runbook), and a Vault-backed issuer is Ready only once Vault is
// initialized and configured. With kinds alone, the Vault issuer (wave -1) would wait for a Vault
// that is only applied in wave 2: the first sync never finishes. So the folder is planned in two tiers:
//   base tier (waves -3..4)   everything that does not need an initialized Vault, in kind order;
//   Vault (wave 5)            the workloads behind the Service a Vault client (issuer) talks to;
//   Vault tier (waves 6..12)  what needs an initialized Vault, again in kind order: Vault-backed
//                             issuers and Vault configuration, the certificates they sign, the
//                             workloads that mount those Secrets, the gateways serving them, the
//                             routes and HPAs in front of those, the global DNS for those hostnames.
// The first sync therefore completes every unrelated wave, stops at Vault until the runbook's init,
// then finishes by itself. Which objects need Vault is found by reference (issuerRef, Secret
// mounts, certificateRefs, parentRefs, backends, scale targets, hostnames), never by name.
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export enum Wave {
  /** Namespaces and cluster-wide definitions: everything else lives in or uses them. */
  NAMESPACES = -3,
  /** ServiceAccounts, RBAC, Argo CD projects, Vault configuration, cluster connectivity: prerequisites of issuers and exports. */
  RBAC = -2,
  /** Issuers and ClusterIssuers (Argo CD waits for Ready). */
  ISSUERS = -1,
  /** Certificates: workloads mount their Secrets. */
  CERTIFICATES = 0,
  /** Services, exports, config, policies: peers need clusterset DNS before the pods start. */
  SERVICES = 1,
  /** StatefulSets, Deployments, the init Job and HPAs (same wave: a later one would deadlock). */
  WORKLOADS = 2,
  /** Gateways, routes and mesh entries: only once backends exist. */
  ROUTES = 3,
  /** Global DNS records: only once the routes they point at exist. */
  GLOBAL_DNS = 4,
  /** Vault itself: Healthy only after `vault operator init`, so after every wave that does not need it. */
  VAULT = 5,
}

/** Objects that need an initialized Vault take their kind's wave plus this: waves 6 (Vault configuration) to 12. */
export const VAULT_TIER_OFFSET = 8;

const BY_KIND: Readonly<Record<string, Wave>> = {
  Namespace: Wave.NAMESPACES,
  CustomResourceDefinition: Wave.NAMESPACES,
  StorageClass: Wave.NAMESPACES,
  PriorityClass: Wave.NAMESPACES,
  ServiceAccount: Wave.RBAC,
  Role: Wave.RBAC,
  RoleBinding: Wave.RBAC,
  ClusterRole: Wave.RBAC,
  ClusterRoleBinding: Wave.RBAC,
  AppProject: Wave.RBAC,
  Broker: Wave.RBAC,
  Submariner: Wave.RBAC,
  Issuer: Wave.ISSUERS,
  ClusterIssuer: Wave.ISSUERS,
  Certificate: Wave.CERTIFICATES,
  Service: Wave.SERVICES,
  ServiceExport: Wave.SERVICES,
  ConfigMap: Wave.SERVICES,
  NetworkPolicy: Wave.SERVICES,
  PodDisruptionBudget: Wave.SERVICES,
  PeerAuthentication: Wave.SERVICES,
  ReferenceGrant: Wave.SERVICES,
  StatefulSet: Wave.WORKLOADS,
  Deployment: Wave.WORKLOADS,
  DaemonSet: Wave.WORKLOADS,
  Job: Wave.WORKLOADS,
  CronJob: Wave.WORKLOADS,
  HorizontalPodAutoscaler: Wave.WORKLOADS,
  GlobalDNSZone: Wave.GLOBAL_DNS,
  GlobalDNSRecord: Wave.GLOBAL_DNS,
  GlobalRouteDiscovery: Wave.GLOBAL_DNS,
  Gslb: Wave.GLOBAL_DNS,
  DNSEndpoint: Wave.GLOBAL_DNS,
};

/** Kinds of the global-load-balancer-operator, which shares its API group with the Vault configuration operator. */
const GLB_OPERATOR_KINDS: readonly string[] = ['GlobalDNSZone', 'GlobalDNSRecord', 'GlobalRouteDiscovery'];

/** The wave of a kind in the base tier; kinds not listed (routes, mesh, other custom resources) go with the routes. */
export function waveOf(kind: string): Wave {
  return BY_KIND[kind] ?? Wave.ROUTES;
}

/** A manifest as JSON: only the fields the planner reads. */
export type ManifestJson = Record<string, any>;

/**
 * The wave of every object of one cluster folder, in input order. Objects that already carry a
 * sync-wave annotation keep it.
 */
export function planWaves(objects: readonly ManifestJson[]): number[] {
  const refs = new References(objects);
  const vault = refs.vaultWorkloads();
  const needsVault = refs.needsVault(vault);
  return objects.map((o, i) => {
    const explicit = o.metadata?.annotations?.[SYNC_WAVE_ANNOTATION];
    if (explicit !== undefined) return Number(explicit);
    if (vault.has(i)) return Wave.VAULT;
    // Vault configuration (mounts, roles, policies) is what a Vault-backed issuer authenticates against.
    const base = isVaultConfig(o) ? Wave.RBAC : waveOf(o.kind);
    return base + (needsVault.has(i) ? VAULT_TIER_OFFSET : 0);
  });
}

/** Does an object need an initialized Vault by itself: a Vault-backed issuer or Vault configuration. */
export function isVaultRoot(o: ManifestJson): boolean {
  if ((o.kind === 'Issuer' || o.kind === 'ClusterIssuer') && group(o) === 'cert-manager.io') return o.spec?.vault !== undefined;
  return isVaultConfig(o);
}

/** A vault-config-operator resource: it shares its API group with the global-load-balancer-operator. */
function isVaultConfig(o: ManifestJson): boolean {
  return group(o) === 'redhatcop.redhat.io' && !GLB_OPERATOR_KINDS.includes(o.kind);
}

/**
 * The Argo CD Applications of one cluster (issue #15): each tier is a sub-folder of the cluster folder
 * with its own kustomization and its own Application, applied by the runbook step after which it can
 * converge by itself, so that no wave ever waits for a human and no tier holds another's waves:
 *   platform      dist/<cluster>/               everything that needs no initialized Vault: Vault itself
 *                                               (Ready while uninitialized), connectivity, the local CA
 *                                               and Vault's TLS, policies. Converges with no human step, so
 *                                               a progressive rollout reaches every cluster;
 *   vault-config  dist/<cluster>/vault-config/  what needs an initialized Vault the operators can log in
 *                                               to: the Vault configuration and the Vault-backed issuers;
 *   vault-pki     dist/<cluster>/vault-pki/     what needs a certificate the Vault PKI signs (the stores, the
 *                                               gateway), once the PKI mount has its signed intermediate: a
 *                                               Certificate requested earlier is refused by Vault ("no default
 *                                               issuer") and cert-manager backs off for an hour (REFERENCE
 *                                               §9.6), and no health check can see the intermediate
 *                                               (cert-manager's Vault issuer is Ready as soon as it can log in);
 *   services      dist/<cluster>/services/      the services (objects of the services component), what depends
 *                                               on them and the certificates only they mount, once their SQL
 *                                               users exist: a broken service never holds a platform wave.
 * Decided by reference (issuerRef, Secret mounts, backends, hostnames, Vault addresses), never by name.
 */
export enum Tier {
  PLATFORM = 'platform',
  VAULT_CONFIG = 'vault-config',
  VAULT_PKI = 'vault-pki',
  SERVICES = 'services',
}

/** Tiers in the order the runbook applies them. */
export const TIERS: readonly Tier[] = [Tier.PLATFORM, Tier.VAULT_CONFIG, Tier.VAULT_PKI, Tier.SERVICES];

/** The sub-folder of a cluster folder that holds a tier ('' for the platform, the cluster folder itself). */
export function tierFolder(tier: Tier): string {
  return tier === Tier.PLATFORM ? '' : tier;
}

/** Application label the rollout steps select on: the cluster folder's name (every tier's Application of a cluster carries it). */
export const ROLLOUT_LABEL = 'meridian.dev/cluster';

/** Application label naming the tier an Application deploys, for `argocd app wait -l`. */
export const TIER_LABEL = 'meridian.dev/tier';

/** The ApplicationSet of an environment's tier. */
export function applicationSetName(environment: string, tier: Tier): string {
  return tier === Tier.PLATFORM ? `meridian-${environment}` : `meridian-${environment}-${tier}`;
}

/** The Application of a cluster's tier. */
export function applicationName(cluster: string, tier: Tier): string {
  return tier === Tier.PLATFORM ? `meridian-${cluster}` : `meridian-${cluster}-${tier}`;
}

/** Value of the component label that marks the objects of a service (the services chart's id). */
export const SERVICES_COMPONENT = 'services';

/** The tier of every object of one cluster folder, in input order. */
export function planTiers(objects: readonly ManifestJson[]): Tier[] {
  const refs = new References(objects);
  const { dependencies, dependents } = refs.graph();
  const closure = (roots: Iterable<number>): Set<number> => refs.dependentClosure(roots);
  const vaultIssuers = new Set<number>();
  objects.forEach((o, i) => {
    if ((o.kind === 'Issuer' || o.kind === 'ClusterIssuer') && isVaultRoot(o)) vaultIssuers.add(i);
  });
  const vaultSigned = objects.flatMap((o, i) => (o.kind === 'Certificate' && dependencies[i]!.some((d) => vaultIssuers.has(d)) ? [i] : []));
  const needsPki = closure(vaultSigned);
  const needsVault = refs.needsVault(refs.vaultWorkloads());
  const services = closure(objects.flatMap((o, i) => (o.metadata?.labels?.[LABEL.component] === SERVICES_COMPONENT ? [i] : [])));
  // The certificates whose every consumer is a service go with the services (a service's client
  // certificates); one the platform also mounts stays where the platform can reach it.
  objects.forEach((o, i) => {
    if (o.kind !== 'Certificate' || services.has(i) || dependents[i]!.length === 0) return;
    if (dependents[i]!.every((d) => services.has(d))) services.add(i);
  });
  return objects.map((_, i) => (services.has(i) ? Tier.SERVICES : needsPki.has(i) ? Tier.VAULT_PKI : needsVault.has(i) ? Tier.VAULT_CONFIG : Tier.PLATFORM));
}

const ROUTE_KINDS: readonly string[] = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];
const MESH_KINDS: readonly string[] = ['ServiceEntry', 'DestinationRule', 'VirtualService'];
const GLOBAL_DNS_KINDS: readonly string[] = ['GlobalDNSRecord', 'Gslb', 'DNSEndpoint'];

/** The references between the objects of one folder that decide ordering. Lookups go through
 *  indexes built once per folder, so planning stays linear in the number of objects and references. */
class References {
  private readonly byKey = new Map<string, number[]>();
  /** Certificates by JSON `[namespace, secretName]`. */
  private readonly certificates = new Map<string, number[]>();
  /** Pod-template workloads by JSON `[namespace]`, with their pod labels. */
  private readonly workloads = new Map<string, { index: number; labels: Record<string, string> }[]>();
  private readonly gateways: number[] = [];
  private readonly routes: number[] = [];

  public constructor(private readonly objects: readonly ManifestJson[]) {
    const push = <K>(m: Map<K, number[]>, k: K, i: number): void => {
      const list = m.get(k);
      if (list) list.push(i);
      else m.set(k, [i]);
    };
    objects.forEach((o, i) => {
      const ns: string | undefined = o.metadata?.namespace;
      push(this.byKey, key(o.kind, ns, o.metadata?.name), i);
      if (o.kind === 'Certificate') push(this.certificates, JSON.stringify([ns, o.spec?.secretName]), i);
      if (o.kind === 'Gateway') this.gateways.push(i);
      if (ROUTE_KINDS.includes(o.kind)) this.routes.push(i);
      const labels = podLabelsOf(o);
      if (labels !== undefined) {
        const list = this.workloads.get(JSON.stringify([ns])) ?? [];
        list.push({ index: i, labels });
        this.workloads.set(JSON.stringify([ns]), list);
      }
    });
  }

  /** Workloads behind the Services that Vault clients (Vault-backed issuers, Vault configuration) address. */
  public vaultWorkloads(): Set<number> {
    const out = new Set<number>();
    this.objects.forEach((o) => {
      if (!isVaultRoot(o)) return;
      const address: unknown = o.spec?.vault?.server ?? o.spec?.connection?.address;
      if (typeof address !== 'string') return;
      const svc = serviceOfHost(hostOf(address));
      if (svc) for (const w of this.workloadsOfService(svc.namespace, svc.name)) out.add(w);
    });
    return out;
  }

  private dependencyIndex?: { readonly dependencies: number[][]; readonly dependents: number[][] };

  /** Each object's dependencies and dependents, its references resolved once per folder. */
  public graph(): { readonly dependencies: number[][]; readonly dependents: number[][] } {
    if (!this.dependencyIndex) {
      const dependencies = this.objects.map((o) => this.dependsOn(o));
      const dependents = this.objects.map((): number[] => []);
      dependencies.forEach((deps, i) => {
        for (const d of deps) dependents[d]!.push(i);
      });
      this.dependencyIndex = { dependencies, dependents };
    }
    return this.dependencyIndex;
  }

  /** The roots and everything that depends on them, transitively. */
  public dependentClosure(roots: Iterable<number>): Set<number> {
    const { dependents } = this.graph();
    const set = new Set<number>(roots);
    const queue = [...set];
    while (queue.length > 0) {
      for (const i of dependents[queue.pop()!]!) {
        if (set.has(i)) continue;
        set.add(i);
        queue.push(i);
      }
    }
    return set;
  }

  /** Everything that needs an initialized Vault, as the closure of the roots and Vault itself over references. */
  public needsVault(vault: ReadonlySet<number>): Set<number> {
    const set = this.dependentClosure([...vault, ...this.objects.flatMap((o, i) => (isVaultRoot(o) ? [i] : []))]);
    for (const v of vault) set.delete(v);
    return set;
  }

  /** Objects of this folder that `o` cannot become Healthy (or useful) without. */
  public dependsOn(o: ManifestJson): number[] {
    const ns: string | undefined = o.metadata?.namespace;
    const out: number[] = [];
    if (o.kind === 'Certificate') {
      const ref = o.spec?.issuerRef ?? {};
      const kind = ref.kind ?? 'Issuer';
      out.push(...this.find(kind, kind === 'ClusterIssuer' ? undefined : ns, ref.name));
    }
    const pod = podSpecOf(o);
    if (pod) for (const secret of secretRefsOf(pod)) out.push(...this.certificatesOf(ns, secret));
    // A pod that talks to a Service of this folder through a URL in its environment (VAULT_ADDR, say)
    // needs the workloads behind it: a Vault client is useless, and fails, before Vault is initialized.
    if (pod) {
      for (const url of urlEnvValuesOf(pod)) {
        const svc = serviceOfHost(hostOf(url));
        if (svc) out.push(...this.workloadsOfService(svc.namespace, svc.name));
      }
    }
    if (o.kind === 'Gateway') {
      for (const l of o.spec?.listeners ?? []) {
        for (const ref of l.tls?.certificateRefs ?? []) {
          if ((ref.kind ?? 'Secret') === 'Secret') out.push(...this.certificatesOf(ref.namespace ?? ns, ref.name));
        }
      }
    }
    if (ROUTE_KINDS.includes(o.kind)) {
      for (const p of o.spec?.parentRefs ?? []) if ((p.kind ?? 'Gateway') === 'Gateway') out.push(...this.find('Gateway', p.namespace ?? ns, p.name));
      for (const r of o.spec?.rules ?? []) {
        for (const b of r.backendRefs ?? []) if ((b.kind ?? 'Service') === 'Service') out.push(...this.workloadsOfService(b.namespace ?? ns, b.name));
      }
    }
    if (MESH_KINDS.includes(o.kind)) {
      const hosts: unknown[] = [...(o.spec?.hosts ?? []), ...(o.spec?.host ? [o.spec.host] : [])];
      for (const h of hosts) {
        const svc = typeof h === 'string' ? serviceOfHost(h) : undefined;
        if (svc) out.push(...this.workloadsOfService(svc.namespace, svc.name));
      }
    }
    if (o.kind === 'HorizontalPodAutoscaler') {
      const t = o.spec?.scaleTargetRef ?? {};
      out.push(...this.find(t.kind, ns, t.name));
    }
    if (GLOBAL_DNS_KINDS.includes(o.kind)) {
      for (const svc of loadBalancerServicesOf(o)) out.push(...this.gatewaysProvisioning(svc.namespace ?? ns, svc.name));
      for (const host of hostnamesOf(o)) out.push(...this.servingHostname(host));
    }
    return out;
  }

  private find(kind: string | undefined, namespace: string | undefined, name: string | undefined): number[] {
    if (!kind || !name) return [];
    return this.byKey.get(key(kind, namespace, name)) ?? [];
  }

  /** Certificates of this folder that write Secret `name` in `namespace`. */
  private certificatesOf(namespace: string | undefined, name: string | undefined): number[] {
    return this.certificates.get(JSON.stringify([namespace, name])) ?? [];
  }

  /** Pod-template workloads selected by Service `name` in `namespace`. */
  private workloadsOfService(namespace: string | undefined, name: string | undefined): number[] {
    const services = this.find('Service', namespace, name);
    const selectors = services.map((i) => this.objects[i]!.spec?.selector).filter((s): s is Record<string, string> => s && Object.keys(s).length > 0);
    if (selectors.length === 0) return [];
    return (this.workloads.get(JSON.stringify([namespace])) ?? []).filter(({ labels }) => selectors.some((sel) => Object.entries(templateSelector(sel)).every(([k, v]) => labels[k] === v))).map((w) => w.index);
  }

  /** Gateways whose provisioned LoadBalancer Service is `<gateway>-<gatewayClassName>` (Istio's naming, REFERENCE §3.1). */
  private gatewaysProvisioning(namespace: string | undefined, service: string | undefined): number[] {
    return this.gateways.filter((i) => {
      const o = this.objects[i]!;
      return o.metadata?.namespace === namespace && `${o.metadata?.name}-${o.spec?.gatewayClassName}` === service;
    });
  }

  /** Gateways with a listener for `host` and routes naming it. */
  private servingHostname(host: string): number[] {
    const gateways = this.gateways.filter((i) => (this.objects[i]!.spec?.listeners ?? []).some((l: any) => hostnameMatches(l.hostname, host)));
    const routes = this.routes.filter((i) => (this.objects[i]!.spec?.hostnames ?? []).some((h: string) => hostnameMatches(h, host)));
    return [...gateways, ...routes].sort((a, b) => a - b);
  }
}

function key(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}|${namespace ?? ''}|${name ?? ''}`;
}

function group(o: ManifestJson): string {
  const v = String(o.apiVersion ?? '');
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

/** The pod spec of a workload (Pod, controllers with a pod template, CronJob). */
export function podSpecOf(o: ManifestJson): ManifestJson | undefined {
  if (o.kind === 'Pod') return o.spec;
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  return o.spec?.template?.spec && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind) ? o.spec.template.spec : undefined;
}

function podLabelsOf(o: ManifestJson): Record<string, string> | undefined {
  if (o.kind === 'Pod') return o.metadata?.labels ?? {};
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.metadata?.labels;
  return podSpecOf(o) ? (o.spec?.template?.metadata?.labels ?? {}) : undefined;
}

/** Names of the Secrets a pod needs: volumes (projected included), env and envFrom of every container. */
export function secretRefsOf(pod: ManifestJson): string[] {
  const out: string[] = [];
  for (const v of pod.volumes ?? []) {
    if (v.secret?.secretName) out.push(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) if (s.secret?.name) out.push(s.secret.name);
  }
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) out.push(e.valueFrom.secretKeyRef.name);
    for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.push(e.secretRef.name);
  }
  return out;
}

/** Values of the environment variables of a pod's containers that are http(s) URLs. */
function urlEnvValuesOf(pod: ManifestJson): string[] {
  const out: string[] = [];
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.env ?? []) if (typeof e.value === 'string' && /^https?:\/\//.test(e.value)) out.push(e.value);
  }
  return out;
}

function hostOf(address: string): string {
  return address.replace(/^[a-z]+:\/\//, '').replace(/[:/].*$/, '');
}

/** `<svc>.<ns>[.svc[.<zone>]]`, also inside longer Lighthouse names `<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local`. */
export function serviceOfHost(host: string): { name: string; namespace: string } | undefined {
  const labels = host.split('.');
  const svc = labels.indexOf('svc');
  if (svc >= 2) return { name: labels[svc - 2]!, namespace: labels[svc - 1]! };
  return labels.length === 2 ? { name: labels[0]!, namespace: labels[1]! } : undefined;
}

function loadBalancerServicesOf(o: ManifestJson): { name?: string; namespace?: string }[] {
  if (o.kind === 'GlobalDNSRecord') return (o.spec?.endpoints ?? []).map((e: any) => e.loadBalancerServiceRef ?? {});
  if (o.kind === 'Gslb' && o.spec?.resourceRef?.kind === 'Service') return [o.spec.resourceRef];
  return [];
}

/** Hostnames a global DNS object publishes. */
export function hostnamesOf(o: ManifestJson): string[] {
  if (o.kind === 'GlobalDNSRecord') return o.spec?.name ? [o.spec.name] : [];
  if (o.kind === 'DNSEndpoint') return (o.spec?.endpoints ?? []).map((e: any) => e.dnsName).filter(Boolean);
  if (o.kind === 'Gslb') {
    const annotated = o.metadata?.annotations?.['k8gb.io/hostname'];
    return [...(annotated ? [annotated] : []), ...(o.spec?.ingress?.rules ?? []).map((r: any) => r.host).filter(Boolean)];
  }
  return [];
}

/** Gateway API hostname matching: exact, or a `*.` wildcard covering one or more leading labels. */
function hostnameMatches(pattern: unknown, host: string): boolean {
  if (typeof pattern !== 'string') return false;
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : pattern === host;
}

/** The objects of one cluster folder that are Vault's workloads: behind the Service Vault clients (issuers, Vault configuration) address. */
export function vaultWorkloads(objects: readonly ManifestJson[]): Set<number> {
  return new References(objects).vaultWorkloads();
}

/** For every object of one cluster folder, the objects of the folder it cannot become Healthy (or useful) without. */
export function dependencies(objects: readonly ManifestJson[]): number[][] {
  return new References(objects).graph().dependencies;
}
