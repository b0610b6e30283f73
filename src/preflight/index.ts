// `meridian preflight`: read-only checks of what each cluster must already have (the prerequisites
// document, src/topology/prerequisites.ts) against live clusters. Pure: each check is a kubectl
// argument list and a judgement of its result; the CLI (src/cli/preflight.ts) runs kubectl. Nothing
// here ever prints a Secret's values: only the names of its keys are compared.
import type { PrerequisitesDocument } from '../topology/prerequisites';

/** What kubectl answered. */
export interface KubectlResult {
  readonly status: number;
  readonly stdout: string;
}

export interface Check {
  readonly cluster: string;
  /** What is checked, e.g. `secret submariner-operator/submariner-broker`. */
  readonly subject: string;
  /** kubectl arguments, `--context` included; only get, never a write. */
  readonly args: readonly string[];
  /** undefined when the prerequisite is met, else what is missing and how to provide it. */
  readonly judge: (result: KubectlResult) => string | undefined;
}

export interface Finding {
  readonly cluster: string;
  readonly subject: string;
  readonly ok: boolean;
  readonly message: string;
}

function json(stdout: string): Record<string, any> | undefined {
  try {
    const v: unknown = JSON.parse(stdout);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
  } catch {
    return undefined;
  }
}

/** Every check of every cluster of the document, in cluster then document order. */
export function preflightChecks(doc: PrerequisitesDocument, contextOf: (cluster: string) => string): Check[] {
  const checks: Check[] = [];
  for (const c of doc.clusters) {
    const ctx = ['--context', contextOf(c.cluster)];
    for (const api of c.apis) {
      // /apis/<group>/<version> lists the resources the API server serves at that version, CRDs and
      // aggregated APIs (OpenShift's Route) alike.
      checks.push({
        cluster: c.cluster,
        subject: `API ${api.groupVersion} (${api.kinds.join(', ')})`,
        args: [...ctx, 'get', '--raw', `/apis/${api.groupVersion}`],
        judge: (r) => {
          if (r.status !== 0) return `${api.groupVersion} is not served; install the operator or CRDs that provide ${api.kinds.join(', ')}`;
          const served = new Set(((json(r.stdout)?.resources ?? []) as { kind?: string }[]).map((x) => x.kind));
          const missing = api.kinds.filter((k) => !served.has(k));
          return missing.length > 0 ? `${api.groupVersion} does not serve ${missing.join(', ')}; install a version of its CRDs that does` : undefined;
        },
      });
    }
    for (const op of c.operators.filter((o) => o.deployment !== undefined)) {
      checks.push({
        cluster: c.cluster,
        subject: `operator ${op.name} (deployment ${op.namespace}/${op.deployment!})`,
        args: [...ctx, '-n', op.namespace, 'get', 'deployment', op.deployment!, '-o', 'json'],
        judge: (r) => {
          if (r.status !== 0) return `no deployment ${op.namespace}/${op.deployment!}; install ${op.name} ${op.version} there`;
          const available = Number(json(r.stdout)?.status?.availableReplicas ?? 0);
          return available >= 1 ? undefined : `deployment ${op.namespace}/${op.deployment!} has no available replica`;
        },
      });
    }
    for (const s of c.secrets) {
      checks.push({
        cluster: c.cluster,
        subject: `secret ${s.namespace}/${s.name}`,
        // Only the key names are read back (go-template over .data keys): values never reach meridian.
        args: [...ctx, '-n', s.namespace, 'get', 'secret', s.name, '-o', 'go-template={{range $k, $v := .data}}{{$k}}{{"\\n"}}{{end}}'],
        judge: (r) => {
          if (r.status !== 0) return `no Secret ${s.namespace}/${s.name}; run runbook step ${s.runbookStep}`;
          const keys = new Set(r.stdout.split('\n').map((k) => k.trim()).filter((k) => k !== ''));
          const missing = s.keys.filter((k) => !keys.has(k));
          return missing.length > 0 ? `Secret ${s.namespace}/${s.name} lacks key(s) ${missing.join(', ')}; recreate it with runbook step ${s.runbookStep}` : undefined;
        },
      });
    }
    for (const scc of c.sccs) {
      checks.push({
        cluster: c.cluster,
        subject: `SCC ${scc.scc} (for ${scc.namespace}/${scc.serviceAccount})`,
        args: [...ctx, 'get', 'securitycontextconstraints.security.openshift.io', scc.scc, '-o', 'name'],
        judge: (r) => (r.status === 0 ? undefined : `SCC ${scc.scc} does not exist; the bundle grants it to ${scc.namespace}/${scc.serviceAccount}, whose pods would not be admitted`),
      });
    }
    checks.push({
      cluster: c.cluster,
      subject: `DNS ${c.dns.namespace}/${c.dns.service} on pod port(s) ${c.dns.podPorts.join(', ')}`,
      // The EndpointSlices carry the pods' ports, which is what NetworkPolicy is evaluated on.
      args: [...ctx, '-n', c.dns.namespace, 'get', 'endpointslices', '-l', `kubernetes.io/service-name=${c.dns.service}`, '-o', 'json'],
      judge: (r) => {
        if (r.status !== 0) return `cannot read the EndpointSlices of ${c.dns.namespace}/${c.dns.service}`;
        const ports = new Set<number>();
        for (const slice of (json(r.stdout)?.items ?? []) as { ports?: { port?: number }[] }[]) for (const p of slice.ports ?? []) if (typeof p.port === 'number') ports.add(p.port);
        const missing = c.dns.podPorts.filter((p) => !ports.has(p));
        return missing.length > 0
          ? `${c.dns.namespace}/${c.dns.service} answers on ${[...ports].sort((a, b) => a - b).join(', ') || 'no port'}, not ${missing.join(', ')}: the egress policies admit DNS for platform ${c.platform}; set clusters[].platform to what this cluster runs`
          : undefined;
      },
    });
  }
  return checks;
}

export function judge(check: Check, result: KubectlResult): Finding {
  const problem = check.judge(result);
  return { cluster: check.cluster, subject: check.subject, ok: problem === undefined, message: problem ?? 'present' };
}
