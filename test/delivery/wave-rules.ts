// The ordering rules of a cluster folder's sync waves (DESIGN §3, REFERENCE §5.2), checked by kind and
// by reference over manifests, never by wave numbers. Written independently of src/lib/sync-wave.ts:
// it states what a correct plan looks like, whoever computed it.
//
//   namespaces    a Namespace comes before every object in it
//   rbac          ServiceAccounts, RBAC and Vault configuration come before the issuers using them
//   issuers       an issuer comes before the Certificates it signs
//   mounts        a Certificate comes before every workload that mounts or reads its Secret
//   exports       a ServiceExport comes no later than the StatefulSet behind its Service
//   routes        a Gateway comes after the Certificates of its listeners; a route comes no earlier
//                 than its parent Gateway and after the workloads behind its backends and hosts; an
//                 HPA comes no earlier than what it scales
//   global-dns    a global DNS object comes after the Gateways and routes serving its hostname and
//                 after every other object of its tier: it is the last thing published
//   vault         what needs an initialized Vault comes after Vault (else the first sync deadlocks:
//                 it cannot become Healthy before Vault, which would be applied after it), and nothing
//                 else waits for Vault
import { templateSelector } from '../../src/lib/labels';

export interface Placed {
  readonly wave: number;
  readonly manifest: any;
}

const RBAC = ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];
const ISSUERS = ['Issuer', 'ClusterIssuer'];
const ROUTES = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];
const MESH = ['ServiceEntry', 'DestinationRule', 'VirtualService'];
const GLOBAL_DNS = ['GlobalDNSZone', 'GlobalDNSRecord', 'Gslb', 'DNSEndpoint'];
const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet'];

/** Every violated rule of one folder's objects, as readable lines. */
export function waveViolations(objects: readonly Placed[]): string[] {
  const out: string[] = [];
  const id = (p: Placed): string => `${p.manifest.kind}/${p.manifest.metadata.namespace ? `${p.manifest.metadata.namespace}/` : ''}${p.manifest.metadata.name} (wave ${p.wave})`;
  const before = (rule: string, a: Placed, b: Placed, strict = true): void => {
    if (strict ? a.wave >= b.wave : a.wave > b.wave) out.push(`${rule}: ${id(a)} must come ${strict ? 'before' : 'no later than'} ${id(b)}`);
  };
  const ns = (p: Placed): string | undefined => p.manifest.metadata.namespace;
  const of = (kinds: readonly string[]): Placed[] => objects.filter((p) => kinds.includes(p.manifest.kind));

  const certificatesWriting = (namespace: string | undefined, secret: string): Placed[] =>
    of(['Certificate']).filter((c) => ns(c) === namespace && c.manifest.spec?.secretName === secret);
  const workloadsOf = (namespace: string | undefined, service: string): Placed[] => {
    const selectors = objects
      .filter((p) => p.manifest.kind === 'Service' && ns(p) === namespace && p.manifest.metadata.name === service)
      // Labels a workload sets on its own pods at run time (Vault's service registration) are in no template.
      .map((p) => templateSelector(p.manifest.spec?.selector ?? {}))
      .filter((s) => Object.keys(s).length > 0);
    return of(WORKLOADS).filter((w) => ns(w) === namespace && selectors.some((s) => Object.entries(s).every(([k, v]) => templateLabels(w.manifest)[k] === v)));
  };
  const issuerOf = (cert: Placed): Placed[] => {
    const ref = cert.manifest.spec?.issuerRef ?? {};
    const kind = ref.kind ?? 'Issuer';
    return of([kind]).filter((i) => i.manifest.metadata.name === ref.name && (kind === 'ClusterIssuer' || ns(i) === ns(cert)));
  };
  const gatewaySecrets = (gw: Placed): Placed[] =>
    (gw.manifest.spec?.listeners ?? []).flatMap((l: any) => (l.tls?.certificateRefs ?? []).flatMap((r: any) => certificatesWriting(r.namespace ?? ns(gw), r.name)));
  const parentsOf = (route: Placed): Placed[] =>
    (route.manifest.spec?.parentRefs ?? []).flatMap((r: any) => of(['Gateway']).filter((g) => g.manifest.metadata.name === r.name && ns(g) === (r.namespace ?? ns(route))));
  const backendsOf = (p: Placed): Placed[] => {
    if (ROUTES.includes(p.manifest.kind)) {
      return (p.manifest.spec?.rules ?? []).flatMap((r: any) => (r.backendRefs ?? []).flatMap((b: any) => workloadsOf(b.namespace ?? ns(p), b.name)));
    }
    const hosts: string[] = [...(p.manifest.spec?.hosts ?? []), ...(p.manifest.spec?.host ? [p.manifest.spec.host] : [])];
    return hosts.flatMap((h) => {
      const labels = h.split('.');
      const svc = labels.indexOf('svc');
      return svc >= 2 ? workloadsOf(labels[svc - 1], labels[svc - 2]!) : [];
    });
  };
  const servingHostname = (host: string): Placed[] =>
    objects.filter(
      (p) =>
        (p.manifest.kind === 'Gateway' && (p.manifest.spec?.listeners ?? []).some((l: any) => l.hostname === host || (l.hostname?.startsWith('*.') && host.endsWith(l.hostname.slice(1))))) ||
        (ROUTES.includes(p.manifest.kind) && (p.manifest.spec?.hostnames ?? []).includes(host)),
    );
  const gatewaysBehind = (p: Placed): Placed[] => {
    const lbs: any[] =
      p.manifest.kind === 'GlobalDNSRecord'
        ? (p.manifest.spec?.endpoints ?? []).map((e: any) => e.loadBalancerServiceRef)
        : p.manifest.kind === 'Gslb' && p.manifest.spec?.resourceRef?.kind === 'Service'
          ? [{ ...p.manifest.spec.resourceRef, namespace: p.manifest.spec.resourceRef.namespace ?? ns(p) }]
          : [];
    return of(['Gateway']).filter((g) => lbs.some((lb) => lb && lb.namespace === ns(g) && lb.name === `${g.manifest.metadata.name}-${g.manifest.spec?.gatewayClassName}`));
  };
  const hostnames = (p: Placed): string[] => {
    const m = p.manifest;
    if (m.kind === 'GlobalDNSRecord') return [m.spec.name];
    if (m.kind === 'DNSEndpoint') return (m.spec?.endpoints ?? []).map((e: any) => e.dnsName);
    if (m.kind === 'Gslb') return [m.metadata.annotations?.['k8gb.io/hostname']].filter(Boolean);
    return [];
  };

  // namespaces
  for (const n of of(['Namespace'])) for (const p of objects.filter((o) => ns(o) === n.manifest.metadata.name)) before('namespaces', n, p);
  // rbac, and the Vault configuration a Vault-backed issuer authenticates against
  for (const r of of(RBAC)) for (const i of of(ISSUERS)) before('rbac', r, i);
  for (const c of objects.filter((p) => isVaultConfig(p.manifest))) for (const i of of(ISSUERS).filter((i) => i.manifest.spec?.vault)) before('rbac', c, i);
  // issuers, mounts
  for (const c of of(['Certificate'])) for (const i of issuerOf(c)) before('issuers', i, c);
  for (const w of of(WORKLOADS)) {
    for (const secret of secretsOf(w.manifest)) for (const c of certificatesWriting(ns(w), secret)) before('mounts', c, w);
  }
  // exports
  for (const e of of(['ServiceExport'])) {
    for (const s of of(['StatefulSet']).filter((s) => ns(s) === ns(e) && (s.manifest.spec?.serviceName === e.manifest.metadata.name || workloadsOf(ns(e), e.manifest.metadata.name).includes(s)))) {
      before('exports', e, s, false);
    }
  }
  // routes
  for (const g of of(['Gateway'])) for (const c of gatewaySecrets(g)) before('routes', c, g);
  for (const r of of([...ROUTES, ...MESH])) {
    for (const g of ROUTES.includes(r.manifest.kind) ? parentsOf(r) : []) before('routes', g, r, false);
    for (const w of backendsOf(r)) before('routes', w, r);
  }
  for (const h of of(['HorizontalPodAutoscaler'])) {
    const t = h.manifest.spec?.scaleTargetRef ?? {};
    for (const w of of([t.kind]).filter((w) => ns(w) === ns(h) && w.manifest.metadata.name === t.name)) before('routes', w, h, false);
  }

  // vault
  const vaultIssuers = of(ISSUERS).filter((i) => i.manifest.spec?.vault);
  const gate = vaultIssuers.flatMap((i) => {
    const host = String(i.manifest.spec.vault.server).replace(/^https?:\/\//, '').replace(/[:/].*$/, '').split('.');
    return host.length >= 2 ? workloadsOf(host[1], host[0]!) : [];
  });
  const needsVault = new Set<Placed>([...gate, ...vaultIssuers, ...objects.filter((p) => isVaultConfig(p.manifest))]);
  const dependencies = (p: Placed): Placed[] => [
    ...(p.manifest.kind === 'Certificate' ? issuerOf(p) : []),
    ...(WORKLOADS.includes(p.manifest.kind) ? secretsOf(p.manifest).flatMap((s) => certificatesWriting(ns(p), s)) : []),
    // a client that reaches a Service of the folder through a URL in its environment (VAULT_ADDR) needs what is behind it
    ...(WORKLOADS.includes(p.manifest.kind) ? urlHostsOf(p.manifest).flatMap((h) => (h.length >= 2 ? workloadsOf(h[1], h[0]!) : [])) : []),
    ...(p.manifest.kind === 'Gateway' ? gatewaySecrets(p) : []),
    ...(ROUTES.includes(p.manifest.kind) ? parentsOf(p) : []),
    ...([...ROUTES, ...MESH].includes(p.manifest.kind) ? backendsOf(p) : []),
    ...(p.manifest.kind === 'HorizontalPodAutoscaler'
      ? of([p.manifest.spec?.scaleTargetRef?.kind]).filter((w) => ns(w) === ns(p) && w.manifest.metadata.name === p.manifest.spec?.scaleTargetRef?.name)
      : []),
    ...(GLOBAL_DNS.includes(p.manifest.kind) ? [...gatewaysBehind(p), ...hostnames(p).flatMap(servingHostname)] : []),
  ];
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of objects) {
      if (!needsVault.has(p) && dependencies(p).some((d) => needsVault.has(d))) {
        needsVault.add(p);
        grew = true;
      }
    }
  }
  for (const v of gate) {
    for (const p of objects) {
      if (gate.includes(p)) continue;
      if (needsVault.has(p)) before('vault', v, p);
      else before('vault', p, v);
    }
  }

  // global-dns: after what serves the hostname, and last of its tier
  for (const d of of(GLOBAL_DNS)) {
    for (const s of [...gatewaysBehind(d), ...hostnames(d).flatMap(servingHostname)]) before('global-dns', s, d);
    const tier = objects.filter((p) => !GLOBAL_DNS.includes(p.manifest.kind) && needsVault.has(p) === needsVault.has(d) && !gate.includes(p));
    for (const p of tier) before('global-dns', p, d);
  }
  return [...new Set(out)];
}

function templateLabels(m: any): Record<string, string> {
  if (m.kind === 'Pod') return m.metadata?.labels ?? {};
  if (m.kind === 'CronJob') return m.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  return m.spec?.template?.metadata?.labels ?? {};
}

function podSpec(m: any): any {
  if (m.kind === 'Pod') return m.spec ?? {};
  if (m.kind === 'CronJob') return m.spec?.jobTemplate?.spec?.template?.spec ?? {};
  return m.spec?.template?.spec ?? {};
}

/** Host labels of the http(s) URLs in a workload's container environment. */
function urlHostsOf(m: any): string[][] {
  const spec = podSpec(m);
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])]
    .flatMap((c: any) => (c.env ?? []).map((e: any) => e.value))
    .filter((v: unknown): v is string => typeof v === 'string' && /^https?:\/\//.test(v))
    .map((v: string) => v.replace(/^https?:\/\//, '').replace(/[:/].*$/, '').split('.'));
}

/** Secrets a workload's pods need: volumes (projected included), env and envFrom of every container. */
export function secretsOf(m: any): string[] {
  const spec = podSpec(m);
  return [
    ...(spec.volumes ?? []).flatMap((v: any) => [v.secret?.secretName, ...(v.projected?.sources ?? []).map((s: any) => s.secret?.name)]),
    ...[...(spec.initContainers ?? []), ...(spec.containers ?? [])].flatMap((c: any) => [
      ...(c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef?.name),
      ...(c.envFrom ?? []).map((e: any) => e.secretRef?.name),
    ]),
  ].filter((s): s is string => typeof s === 'string');
}

/** vault-config-operator resources (same API group as the global-load-balancer-operator, other kinds). */
function isVaultConfig(m: any): boolean {
  return String(m.apiVersion).startsWith('redhatcop.redhat.io/') && !['GlobalDNSZone', 'GlobalDNSRecord', 'GlobalRouteDiscovery'].includes(m.kind);
}
