// An offline model of the first sync of an environment (issue #15): Argo CD syncing each Application
// wave by wave, the operators reconciling, and the runbook's steps as the events only a human causes.
// Pure: it reads the output objects and the runbook model, never a cluster. The tests run it over the
// default environment, every fixture and generated topologies (test/sync/), and `meridian report
// --timeline` prints what it saw.
//
// Objects are judged by kind and status semantics, never by name:
// - Argo CD (argo-cd docs/user-guide/sync-waves.md; gitops-engine pkg/sync/sync_context.go): an operation
//   runs the PreSync hooks, then the Sync phase wave by wave (argocd.argoproj.io/sync-wave, default 0,
//   hooks in their wave), then the PostSync hooks; it applies a wave, then waits until every resource of
//   it is Healthy before the next; a Degraded resource in the wave it waits on fails the operation (the
//   e2e test TestFixingDegradedApp), and the last wave is not waited for unless hooks follow
//   (TestDegradedDeploymentIsSucceededAndSynced). A failed operation is retried per the Application's
//   retry policy (limit, backoff duration x factor^n up to maxDuration). RollingSync syncs the
//   Applications of a step once every Application of the steps before is Healthy
//   (docs/operator-manual/applicationset/Progressive-Syncs.md).
// - Health per kind as Argo CD's built-in checks judge it: Deployment (Degraded once its progress
//   deadline passes, default 600 s), StatefulSet (Progressing until every replica is Ready), Job (Healthy
//   when complete, Degraded when failed), CronJob (Degraded when its last Job failed, v3.2), cert-manager
//   Certificate / Issuer / ClusterIssuer (resource_customizations/cert-manager.io/*/health.lua: Ready=False
//   is Degraded, Issuing=True Progressing), Gateway (a listener whose certificate Secret is missing has
//   ResolvedRefs=False: Degraded), routes (a missing backend Service: Degraded), PodDisruptionBudget
//   (InsufficientPods is Healthy); kinds without a check are Healthy at once. meridian's own Lua
//   (src/lib/argocd-health.ts) judges the vault-config-operator kinds and the issuers when the Argo CD
//   instance has it (the tests run the real Lua through fengari; `luaHealth` below is its TypeScript twin).
// - The world: Vault's pods are Ready while uninitialized; it serves clients once the runbook's `operator
//   init` ran; the vault-config-operator reconciles once it can log in; issuers are Ready when their
//   backend is (a CA Secret, or an initialized Vault with the login the operator configured); a
//   Certificate is issued when its issuer is Ready and, for a Vault issuer, the PKI mount has its signed
//   intermediate, else Vault refuses it and cert-manager backs off for an hour, then two, then four
//   (REFERENCE §9.6) until `cmctl renew`; a StatefulSet whose pods a hook Job addresses one by one is a
//   store that hook initializes (once, for all its members in every cluster); a pod starts once every
//   Secret it mounts exists, and is Ready once what its environment addresses serves: Vault (https URL)
//   initialized and configured, a store (postgresql URL) initialized with its SQL user created.
import { ISSUER_HEALTH_LUA, VAULT_CONFIG_HEALTH_KINDS, VAULT_CONFIG_HEALTH_LUA } from '../lib/argocd-health';
import { podSpecOf, serviceOfHost, SYNC_WAVE_ANNOTATION, Tier, tierFolder, TIERS, vaultWorkloads, type ManifestJson } from '../lib/sync-wave';
import type { Environment } from '../topology';
import { prerequisites } from '../topology/prerequisites';
import type { RunbookStep } from './runbook';

export type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing';

/** Runs an Argo CD Lua health script on an object (Argo CD hands it `obj`). */
export type LuaRunner = (script: string, obj: ManifestJson) => { status: string; message: string };

export interface SimulationInput {
  readonly env: Environment;
  /** The environment's objects as synthesize() returns them (folder: cluster or argocd; file relative to dist/). */
  readonly objects: readonly { readonly folder: string; readonly file: string; readonly manifest: ManifestJson }[];
  readonly runbook: readonly RunbookStep[];
  /** Whether argocd-cm carries meridian's health customizations (README "Argo CD health checks"). @default true */
  readonly customizations?: boolean;
  /** Runs meridian's Lua. @default luaHealth, its TypeScript twin */
  readonly lua?: LuaRunner;
}

export interface TimelineEntry {
  /** Simulated seconds since the first step. */
  readonly t: number;
  /** The runbook step (id) running when it happened. */
  readonly step: string;
  readonly text: string;
}

export interface SimulationResult {
  readonly timeline: readonly TimelineEntry[];
  /** Each resource seen Degraded, once: `<app> <Kind> <ns>/<name>: <message>`. */
  readonly degraded: readonly string[];
  /** Runbook steps that waited for something no earlier step provides (their wait timed out). */
  readonly stuck: readonly string[];
  /** Sync operations retried, summed over the Applications. */
  readonly retries: number;
  /** How often each hook Job ran (`<app> <ns>/<name>`): every sync operation, retries included, runs its hooks again. */
  readonly hookRuns: ReadonlyMap<string, number>;
  /** Certificates Vault refused (requested before the intermediate was set). */
  readonly refused: readonly string[];
  /** Per Application the runbook created, at the end: sync and health. */
  readonly applications: readonly { readonly name: string; readonly tier: string; readonly synced: boolean; readonly health: Health }[];
  /** Per runbook step (id), the Applications that became Synced and Healthy while it was the latest step. */
  readonly convergedAfter: ReadonlyMap<string, readonly string[]>;
}

const TICK = 10;
/** How long a step may wait for what it needs when its command names no timeout of its own. */
const DEFAULT_WAIT = 1800;
/** cert-manager's first back-off after a failed request (pkg/controller/certificates/trigger: 1 h, doubling). */
const CERT_BACKOFF = 3600;
const HOOK = 'argocd.argoproj.io/hook';

interface Res {
  readonly app: App;
  readonly cluster: string;
  readonly m: ManifestJson;
  readonly kind: string;
  readonly ns: string | undefined;
  readonly name: string;
  readonly wave: number;
  readonly hook: string | undefined;
  appliedAt?: number;
  // kind state
  reconciled?: boolean;
  issued?: boolean;
  failures?: number;
  backoffUntil?: number;
  jobState?: 'running' | 'complete' | 'failed';
  cronFailed?: boolean;
  seenDegraded?: boolean;
}

interface App {
  readonly name: string;
  readonly tier: string;
  readonly cluster: string;
  readonly set: string;
  readonly resources: Res[];
  readonly retry: { limit: number; duration: number; factor: number; max: number };
  state: 'absent' | 'waiting' | 'syncing' | 'backoff' | 'synced' | 'failed';
  waves: { phase: number; wave: number }[];
  current: number;
  retries: number;
  retryAt: number;
  healthySince?: number;
}

export function simulateFirstSync(input: SimulationInput): SimulationResult {
  return new Simulation(input).run();
}

class Simulation {
  private t = 0;
  private step = '';
  private readonly timeline: TimelineEntry[] = [];
  private readonly degraded: string[] = [];
  private readonly stuck: string[] = [];
  private readonly refused: string[] = [];
  private readonly convergedAfter = new Map<string, string[]>();
  private readonly hookRuns = new Map<string, number>();
  private readonly apps: App[] = [];
  /** ApplicationSet name -> its Applications in rollout order, and whether it rolls out step by step. */
  private readonly sets = new Map<string, { file: string; apps: App[][]; rolling: boolean; created: boolean }>();
  private readonly custom: boolean;
  private readonly lua: LuaRunner;
  // world
  private readonly done = new Set<string>();
  private vaultInitialized = false;
  private operatorAccess = false;
  private intermediate = false;
  private readonly sqlUsers = new Set<string>();
  private readonly initializedStores = new Set<string>();
  /** Out-of-band Secrets: `<cluster>/<ns>/<name>` -> the runbook step that creates them. */
  private readonly outOfBand = new Map<string, string>();
  /** Per cluster, the indices of Vault's workloads among its objects. */
  private readonly vaultRes = new Set<Res>();
  /** Stores a hook initializes: `<ns>/<statefulset>`. */
  private readonly hookStores = new Set<string>();

  public constructor(private readonly input: SimulationInput) {
    this.custom = input.customizations ?? true;
    this.lua = input.lua ?? luaHealth;
    for (const c of prerequisites(input.env)) for (const s of c.secrets) this.outOfBand.set(`${c.cluster}/${s.namespace}/${s.name}`, s.runbookStep);
    this.buildApplications();
  }


  private buildApplications(): void {
    const env = this.input.env;
    const byCluster = new Map<string, { file: string; manifest: ManifestJson }[]>();
    for (const o of this.input.objects) if (o.folder !== 'argocd') byCluster.set(o.folder, [...(byCluster.get(o.folder) ?? []), o]);
    for (const set of this.input.objects.filter((o) => o.folder === 'argocd' && o.manifest.kind === 'ApplicationSet' && o.manifest.metadata?.labels?.['meridian.dev/environment'] === env.name)) {
      const spec = set.manifest.spec ?? {};
      const tier = String(spec.template?.metadata?.labels?.['meridian.dev/tier'] ?? Tier.PLATFORM);
      const sub = TIERS.includes(tier as Tier) ? tierFolder(tier as Tier) : '';
      const r = spec.template?.spec?.syncPolicy?.retry ?? {};
      const retry = { limit: Number(r.limit ?? 0), duration: seconds(r.backoff?.duration ?? '5s'), factor: Number(r.backoff?.factor ?? 2), max: seconds(r.backoff?.maxDuration ?? '3m') };
      const appOf = (cluster: string): App => {
        const app: App = { name: sub ? `meridian-${cluster}-${sub}` : `meridian-${cluster}`, tier, cluster, set: set.manifest.metadata.name, resources: [], retry, state: 'absent', waves: [], current: 0, retries: 0, retryAt: 0 };
        const objects = (byCluster.get(cluster) ?? []).filter((o) => dirOf(o.file, cluster) === sub);
        const all = byCluster.get(cluster) ?? [];
        const vault = vaultWorkloads(all.map((o) => o.manifest));
        for (const o of objects) {
          const m = o.manifest;
          const res: Res = { app, cluster, m, kind: m.kind, ns: m.metadata?.namespace, name: m.metadata?.name, wave: Number(m.metadata?.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0), hook: m.metadata?.annotations?.[HOOK] };
          app.resources.push(res);
          if (vault.has(all.indexOf(o))) this.vaultRes.add(res);
        }
        return app;
      };
      const clusters = env.clusters.map((c) => c.name);
      const steps: string[][] = spec.strategy?.type === 'RollingSync' ? (spec.strategy.rollingSync?.steps ?? []).map((s: any) => (s.matchExpressions?.[0]?.values ?? []).filter((v: string) => clusters.includes(v))) : [clusters];
      const groups = steps.map((g) => g.map(appOf));
      this.apps.push(...groups.flat());
      this.sets.set(set.manifest.metadata.name, { file: set.file, apps: groups, rolling: spec.strategy?.type === 'RollingSync', created: false });
    }
    this.index();
    // Stores a hook Job initializes: the StatefulSets whose pods a hook addresses one by one.
    for (const r of this.resources()) {
      if (r.kind !== 'Job' || !r.hook) continue;
      for (const h of addressedHosts(r.m)) {
        const svc = serviceOfHost(h);
        const pod = h.split('.')[0]!;
        const sts = this.resources().find((s) => s.kind === 'StatefulSet' && s.ns === svc?.namespace && s.m.spec?.serviceName === svc?.name && new RegExp(`^${s.name}-\\d+$`).test(pod));
        if (sts) this.hookStores.add(`${sts.ns}/${sts.name}`);
      }
    }
  }

  private all: Res[] = [];
  private readonly byKey = new Map<string, Res[]>();
  private readonly writers = new Map<string, Res[]>();
  private readonly vaultConfigOf = new Map<string, Res[]>();
  private readonly behind = new Map<string, Res[]>();

  private resources(): Res[] {
    return this.all;
  }

  /** Indexes built once: every lookup in a tick is then constant time. */
  private index(): void {
    this.all = this.apps.flatMap((a) => a.resources);
    const push = (m: Map<string, Res[]>, k: string, r: Res): void => {
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    };
    for (const r of this.all) {
      push(this.byKey, `${r.cluster}|${r.kind}|${r.ns ?? ''}|${r.name}`, r);
      if (r.kind === 'Certificate') push(this.writers, `${r.cluster}|${r.ns ?? ''}|${r.m.spec?.secretName}`, r);
      if (isVaultConfig(r.m)) push(this.vaultConfigOf, r.cluster, r);
    }
  }

  public run(): SimulationResult {
    for (const s of this.input.runbook) {
      this.step = s.id;
      this.convergedAfter.set(s.id, []);
      this.log(`runbook: ${s.id}`);
      // Commands run in order: each waits for what it needs, then does its part.
      for (const c of s.commands) {
        for (const need of this.needsOf(c)) {
          const deadline = this.t + need.timeout;
          while (!need.holds() && this.t < deadline) this.tick();
          if (!need.holds()) {
            this.stuck.push(`${s.id}: ${need.what}`);
            this.log(`runbook: ${s.id} timed out waiting for ${need.what}`);
          }
        }
        this.provide(c);
      }
      this.done.add(s.id);
      this.tick();
    }
    // After the last step: let every operation finish (bounded).
    for (let i = 0; i < 360 && !this.settled(); i++) this.tick();
    for (const [name, set] of this.sets) {
      const count = set.apps.flat().reduce((n, a) => n + a.resources.length, 0);
      if (!set.created && count > 0) this.stuck.push(`no runbook step applies ApplicationSet ${name}: its ${count} object(s) are never deployed`);
    }
    return {
      timeline: this.timeline,
      degraded: this.degraded,
      stuck: this.stuck,
      retries: this.apps.reduce((n, a) => n + a.retries, 0),
      refused: this.refused,
      hookRuns: this.hookRuns,
      applications: this.apps.filter((a) => a.state !== 'absent').map((a) => ({ name: a.name, tier: a.tier, synced: a.state === 'synced', health: this.appHealth(a) })),
      convergedAfter: this.convergedAfter,
    };
  }

  private settled(): boolean {
    return this.apps.every((a) => a.state === 'absent' || a.state === 'failed' || (a.state === 'synced' && this.appHealth(a) === 'Healthy'));
  }

  private log(text: string): void {
    this.timeline.push({ t: this.t, step: this.step, text });
  }

  // ---- the runbook -------------------------------------------------------------------------------

  /** What a command waits for before it can do its part. */
  private needsOf(c: string): { what: string; timeout: number; holds: () => boolean }[] {
    const out: { what: string; timeout: number; holds: () => boolean }[] = [];
    {
      const timeout = Number(/--timeout[ =](\d+)(m?)/.exec(c)?.[1] ?? 0) * (/--timeout[ =]\d+m/.test(c) ? 60 : 1) || DEFAULT_WAIT;
      const wait = /argocd app wait -l (\S+)/.exec(c);
      if (wait) {
        const labels = Object.fromEntries(wait[1]!.split(',').map((kv) => kv.split('=') as [string, string]));
        out.push({ what: `every Application labelled ${wait[1]} Synced and Healthy`, timeout, holds: () => this.labelled(labels).length > 0 && this.labelled(labels).every((a) => a.state === 'synced' && this.appHealth(a) === 'Healthy') });
      }
      const rollout = /kubectl --context (\S+) -n (\S+) rollout status statefulset\/(\S+)/.exec(c);
      if (rollout) out.push({ what: `StatefulSet ${rollout[2]}/${rollout[3]} in ${rollout[1]} Ready`, timeout, holds: () => this.find(rollout[1]!, 'StatefulSet', rollout[2], rollout[3]!).some((r) => this.podsReady(r)) });
      const sa = /until kubectl --context (\S+) -n (\S+) get serviceaccount (\S+)/.exec(c);
      if (sa) out.push({ what: `ServiceAccount ${sa[2]}/${sa[3]} in ${sa[1]}`, timeout, holds: () => this.find(sa[1]!, 'ServiceAccount', sa[2], sa[3]!).some((r) => r.appliedAt !== undefined) });
      const mount = /until vault read sys\/mounts\/(\S+)/.exec(c);
      if (mount) out.push({ what: `the secret engine mount ${mount[1]} reconciled in Vault`, timeout, holds: () => this.resources().some((r) => r.kind === 'SecretEngineMount' && [r.m.spec?.path, r.name].filter(Boolean).join('/') === mount[1] && r.reconciled === true) });
      const issuer = /kubectl --context (\S+) wait clusterissuer\/(\S+) --for=condition=Ready --timeout=(\d+)m/.exec(c);
      if (issuer) out.push({ what: `ClusterIssuer ${issuer[2]} Ready in ${issuer[1]}`, timeout: Number(issuer[3]) * 60, holds: () => this.find(issuer[1]!, 'ClusterIssuer', undefined, issuer[2]!).some((r) => this.issuerReady(r)) });
      const exec = /kubectl --context (\S+) -n (\S+) exec (\S+)-(\d+) -- /.exec(c);
      if (exec) out.push({ what: `StatefulSet ${exec[2]}/${exec[3]} in ${exec[1]} Ready`, timeout, holds: () => this.find(exec[1]!, 'StatefulSet', exec[2], exec[3]!).some((r) => this.podsReady(r)) });
      if (/operator init/.test(c)) {
        // The Raft voters join through retry_join once every Vault pod of every cluster runs (the step waits for them).
        // (every cluster whose folder runs Vault: a store may run on some clusters only)
        out.push({ what: 'every Vault pod of every cluster running', timeout: 600, holds: () => [...this.vaultRes].every((r) => r.appliedAt !== undefined && this.podsStart(r)) });
        // They reach each other through the Submariner tunnels, which come up once each Submariner CR's Secrets exist.
        out.push({ what: 'the Submariner tunnels of every cluster connected', timeout: 600, holds: () => this.input.env.clusters.every((cl) => this.connected(cl.name)) });
      }
    }
    return out;
  }

  /** What a command changes in the world (out-of-band Secrets: once their step is done, from the prerequisites naming it). */
  private provide(c: string): void {
    {
      if (/operator init/.test(c)) this.vaultInitialized = true;
      if (/vault auth enable/.test(c)) this.operatorAccess = true;
      if (/intermediate\/set-signed/.test(c)) this.intermediate = true;
      for (const m of c.matchAll(/CREATE USER (?:IF NOT EXISTS )?"?([A-Za-z0-9_-]+)"?/g)) this.sqlUsers.add(m[1]!);
      if (/cmctl renew/.test(c)) {
        for (const r of this.resources()) if (r.kind === 'Certificate' && r.backoffUntil !== undefined && !r.issued) r.backoffUntil = this.t;
      }
      const apply = /apply -(k|f) (\S+)/.exec(c);
      if (apply && /argocd/.test(apply[2]!)) {
        for (const [name, set] of this.sets) {
          const file = set.file;
          const matches = apply[1] === 'f' ? c.includes(file) || apply[2]!.endsWith(file) : dirOf(file, 'argocd') === '';
          if (matches && !set.created) {
            set.created = true;
            this.log(`ApplicationSet ${name} applied: ${set.apps.flat().map((a) => a.name).join(', ')}`);
            for (const a of set.apps.flat()) a.state = 'waiting';
          }
        }
      }
    }
  }

  private labelled(labels: Record<string, string>): App[] {
    return this.apps.filter((a) => a.state !== 'absent' && (labels['meridian.dev/environment'] === undefined || labels['meridian.dev/environment'] === this.input.env.name) && (labels['meridian.dev/tier'] === undefined || labels['meridian.dev/tier'] === a.tier) && (labels['meridian.dev/cluster'] === undefined || labels['meridian.dev/cluster'] === a.cluster));
  }

  private find(cluster: string, kind: string, ns: string | undefined, name: string): Res[] {
    return this.byKey.get(`${cluster}|${kind}|${ns ?? ''}|${name}`) ?? [];
  }

  // ---- time ---------------------------------------------------------------------------------------

  private tick(): void {
    this.t += TICK;
    this.operators();
    for (const [, set] of this.sets) {
      if (!set.created) continue;
      // RollingSync: a step's Applications sync once every Application of the steps before is Healthy.
      let open = true;
      for (const group of set.apps) {
        for (const a of group) if (open && a.state === 'waiting') this.startOperation(a);
        if (!set.rolling) continue;
        if (!group.every((a) => a.state === 'synced' && this.appHealth(a) === 'Healthy')) open = false;
      }
    }
    for (const a of this.apps) this.advance(a);
    for (const r of this.resources()) {
      if (r.appliedAt === undefined || r.seenDegraded) continue;
      const h = this.health(r);
      if (h.status === 'Degraded') {
        r.seenDegraded = true;
        this.degraded.push(`${r.app.name} ${r.kind} ${r.ns ? `${r.ns}/` : ''}${r.name}: ${h.message}`);
        this.log(`${r.app.name}: ${r.kind} ${r.ns ? `${r.ns}/` : ''}${r.name} Degraded (${h.message})`);
      }
    }
    for (const a of this.apps) {
      if (a.healthySince === undefined && a.state === 'synced' && this.appHealth(a) === 'Healthy') {
        a.healthySince = this.t;
        this.convergedAfter.get(this.step)?.push(a.name);
        this.log(`${a.name}: Synced and Healthy`);
      }
    }
  }

  private startOperation(a: App): void {
    const keys = new Map<string, { phase: number; wave: number }>();
    for (const r of a.resources) {
      const phase = r.hook === 'PreSync' ? 0 : r.hook === 'PostSync' ? 2 : 1;
      if (r.hook === 'Skip' || r.hook === 'SyncFail' || r.hook === 'PreDelete' || r.hook === 'PostDelete') continue;
      keys.set(`${phase}|${r.wave}`, { phase, wave: r.wave });
    }
    a.waves = [...keys.values()].sort((x, y) => x.phase - y.phase || x.wave - y.wave);
    a.current = -1;
    a.state = 'syncing';
    this.applyNext(a);
  }

  private inWave(a: App, i: number): Res[] {
    const w = a.waves[i]!;
    return a.resources.filter((r) => (r.hook === 'PreSync' ? 0 : r.hook === 'PostSync' ? 2 : 1) === w.phase && r.wave === w.wave);
  }

  private applyNext(a: App): void {
    a.current++;
    if (a.current >= a.waves.length) {
      a.state = 'synced';
      this.log(`${a.name}: sync operation succeeded`);
      return;
    }
    for (const r of this.inWave(a, a.current)) {
      // Hooks are created anew by every operation (BeforeHookCreation, the default, deletes the old one first).
      if (r.hook) {
        r.jobState = undefined;
        r.appliedAt = this.t;
        const id = `${a.name} ${r.ns}/${r.name}`;
        this.hookRuns.set(id, (this.hookRuns.get(id) ?? 0) + 1);
      } else if (r.appliedAt === undefined) r.appliedAt = this.t;
    }
  }

  private advance(a: App): void {
    if (a.state === 'backoff' && this.t >= a.retryAt) this.startOperation(a);
    if (a.state !== 'syncing') return;
    for (let guard = 0; guard < 100 && a.state === 'syncing'; guard++) {
      const wave = this.inWave(a, a.current);
      const last = a.current === a.waves.length - 1;
      const healths = wave.map((r) => [r, this.health(r)] as const);
      const failed = healths.find(([r, h]) => h.status === 'Degraded' && (!last || r.hook));
      if (failed) {
        this.failOperation(a, `${failed[0].kind} ${failed[0].ns ? `${failed[0].ns}/` : ''}${failed[0].name} Degraded: ${failed[1].message}`);
        return;
      }
      // The last wave is not waited for, its hooks are (gitops-engine: an operation ends when its hooks have completed).
      const waiting = healths.filter(([r, h]) => h.status !== 'Healthy' && (!last || r.hook));
      if (waiting.length > 0) return;
      this.applyNext(a);
    }
  }

  private failOperation(a: App, why: string): void {
    this.log(`${a.name}: sync operation failed (${why})`);
    if (a.retries >= a.retry.limit) {
      a.state = 'failed';
      this.log(`${a.name}: retry limit reached; automated sync stops until a new revision`);
      return;
    }
    const wait = Math.min(a.retry.duration * a.retry.factor ** a.retries, a.retry.max);
    a.retries++;
    a.state = 'backoff';
    a.retryAt = this.t + wait;
  }

  // ---- the operators --------------------------------------------------------------------------------

  private operators(): void {
    for (const r of this.resources()) {
      if (r.appliedAt === undefined) continue;
      if (isVaultConfig(r.m)) r.reconciled = this.vaultInitialized && this.operatorAccess;
      if (r.kind === 'Certificate') this.certManager(r);
      if (r.kind === 'Job') this.job(r);
      if (r.kind === 'CronJob') this.cronJob(r);
    }
  }

  private certManager(r: Res): void {
    if (r.issued) return;
    if (r.backoffUntil !== undefined && this.t < r.backoffUntil) return;
    const issuer = this.issuerOf(r);
    if (!issuer || !this.issuerReady(issuer)) return;
    if (issuer.m.spec?.vault && !this.intermediate) {
      r.failures = (r.failures ?? 0) + 1;
      r.backoffUntil = this.t + CERT_BACKOFF * 2 ** (r.failures - 1);
      const id = `${r.cluster} Certificate ${r.ns}/${r.name}`;
      if (!this.refused.includes(id)) this.refused.push(id);
      this.log(`${r.app.name}: Vault refused Certificate ${r.ns}/${r.name} (no default issuer); cert-manager backs off ${(CERT_BACKOFF * 2 ** (r.failures - 1)) / 3600} h`);
      return;
    }
    r.issued = true;
    r.backoffUntil = undefined;
  }

  private job(r: Res): void {
    if (r.jobState === 'complete' || r.jobState === 'failed') return;
    r.jobState = 'running';
    if (this.podsStart(r) && this.addressesServe(r)) {
      r.jobState = 'complete';
      for (const store of this.storesAddressedByPod(r)) if (!this.initializedStores.has(store)) {
        this.initializedStores.add(store);
        this.log(`${r.app.name}: Job ${r.ns}/${r.name} initialized the store ${store}`);
      }
      return;
    }
    const deadline = Number(r.m.spec?.activeDeadlineSeconds ?? Infinity);
    if (this.t - r.appliedAt! >= deadline) r.jobState = 'failed';
  }

  private cronJob(r: Res): void {
    // The first run comes one schedule period after the CronJob exists (hourly unless it says otherwise).
    const period = r.m.spec?.schedule === '@daily' ? 86400 : 3600;
    if (!r.cronFailed && this.t - r.appliedAt! >= period && !(this.podsStart(r) && this.addressesServe(r))) r.cronFailed = true;
  }

  /** A cluster's Submariner gateway connects once its Submariner CR is applied and the Secrets it names exist. */
  private connected(cluster: string): boolean {
    const crs = this.resources().filter((r) => r.cluster === cluster && r.kind === 'Submariner');
    return crs.every((r) => r.appliedAt !== undefined && [r.m.spec?.brokerK8sSecret, r.m.spec?.ceIPSecPSKSecret].filter((x): x is string => typeof x === 'string').every((x) => this.secretExists(cluster, r.ns, x)));
  }

  // ---- health --------------------------------------------------------------------------------------

  private appHealth(a: App): Health {
    let worst: Health = 'Healthy';
    for (const r of a.resources) {
      if (r.hook) continue;
      const h = r.appliedAt === undefined ? 'Missing' : this.health(r).status;
      if (h === 'Degraded') return 'Degraded';
      if (h === 'Missing' || (h === 'Progressing' && worst === 'Healthy')) worst = h;
    }
    return worst;
  }

  private health(r: Res): { status: Health; message: string } {
    const m = r.m;
    if (isVaultConfig(m)) {
      if (!this.custom || !VAULT_CONFIG_HEALTH_KINDS.includes(r.kind as never)) return { status: 'Healthy', message: 'no health check' };
      const cond = r.reconciled
        ? [{ type: 'ReconcileSuccessful', status: 'True', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z', message: '' }]
        : this.vaultInitialized || this.operatorAccess
          ? [{ type: 'ReconcileFailed', status: 'False', lastTransitionTime: '2026-01-01T00:00:00Z', message: 'permission denied' }]
          : [{ type: 'ReconcileFailed', status: 'False', lastTransitionTime: '2026-01-01T00:00:00Z', message: 'Vault is sealed' }];
      return this.runLua(VAULT_CONFIG_HEALTH_LUA, { ...m, metadata: { ...m.metadata, generation: 1 }, status: { conditions: cond } });
    }
    switch (r.kind) {
      case 'Issuer':
      case 'ClusterIssuer': {
        const ready = this.issuerReady(r);
        const obj = { ...m, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', message: ready ? 'Vault verified' : 'Failed to initialize Vault client' }] } };
        if (this.custom) return this.runLua(ISSUER_HEALTH_LUA, obj);
        return ready ? { status: 'Healthy', message: 'Ready' } : { status: 'Degraded', message: 'Ready=False' };
      }
      case 'Certificate': {
        if (r.issued) return { status: 'Healthy', message: 'Certificate is up to date' };
        if (r.backoffUntil !== undefined) return { status: 'Degraded', message: 'the CertificateRequest failed; backing off' };
        return { status: 'Progressing', message: 'Issuing certificate as Secret does not exist' };
      }
      case 'Deployment': {
        if (this.podsReady(r)) return { status: 'Healthy', message: 'available' };
        const deadline = Number(m.spec?.progressDeadlineSeconds ?? 600);
        return this.t - r.appliedAt! > deadline ? { status: 'Degraded', message: `ProgressDeadlineExceeded: ${this.podBlocker(r)}` } : { status: 'Progressing', message: this.podBlocker(r) };
      }
      case 'StatefulSet':
      case 'DaemonSet':
        return this.podsReady(r) ? { status: 'Healthy', message: 'all replicas Ready' } : { status: 'Progressing', message: this.podBlocker(r) };
      case 'Job':
        return r.jobState === 'complete' ? { status: 'Healthy', message: 'complete' } : r.jobState === 'failed' ? { status: 'Degraded', message: `DeadlineExceeded: ${this.podBlocker(r)}` } : { status: 'Progressing', message: this.podBlocker(r) };
      case 'CronJob':
        return r.cronFailed ? { status: 'Degraded', message: `its last Job failed: ${this.podBlocker(r)}` } : { status: 'Healthy', message: 'scheduled' };
      case 'Gateway': {
        const missing = (m.spec?.listeners ?? []).flatMap((l: any) => (l.tls?.certificateRefs ?? []).map((c: any) => c.name)).filter((s: string) => !this.secretExists(r.cluster, r.ns, s));
        return missing.length === 0 ? { status: 'Healthy', message: 'Programmed' } : { status: 'Degraded', message: `Listener: ResolvedRefs=False, Secret ${missing.join(', ')} not found` };
      }
      case 'HTTPRoute':
      case 'GRPCRoute':
      case 'TLSRoute': {
        const missing = (m.spec?.rules ?? []).flatMap((x: any) => x.backendRefs ?? []).filter((b: any) => (b.kind ?? 'Service') === 'Service' && this.bundleHas(r.cluster, 'Service', b.namespace ?? r.ns, b.name) && !this.applied(r.cluster, 'Service', b.namespace ?? r.ns, b.name));
        return missing.length === 0 ? { status: 'Healthy', message: 'Accepted' } : { status: 'Degraded', message: `ResolvedRefs=False: Service ${missing.map((b: any) => b.name).join(', ')} not found` };
      }
      case 'Service':
      case 'Ingress':
        // gitops-engine pkg/health: a LoadBalancer Service (and an Ingress) is Progressing until the cloud gives it an address.
        if (r.kind === 'Service' && m.spec?.type !== 'LoadBalancer') return { status: 'Healthy', message: '' };
        return this.t - r.appliedAt! >= 30 ? { status: 'Healthy', message: 'address assigned' } : { status: 'Progressing', message: 'waiting for the load balancer address' };
      default:
        return { status: 'Healthy', message: 'no health check' };
    }
  }

  private runLua(script: string, obj: ManifestJson): { status: Health; message: string } {
    const hs = this.lua(script, obj);
    return { status: hs.status as Health, message: hs.message };
  }

  private issuerOf(cert: Res): Res | undefined {
    const ref = cert.m.spec?.issuerRef ?? {};
    const kind = ref.kind ?? 'Issuer';
    return this.find(cert.cluster, kind, kind === 'ClusterIssuer' ? undefined : cert.ns, ref.name).find((r) => r.appliedAt !== undefined);
  }

  private issuerReady(r: Res): boolean {
    if (r.appliedAt === undefined) return false;
    const spec = r.m.spec ?? {};
    if (spec.ca) return this.secretExists(r.cluster, r.kind === 'ClusterIssuer' ? 'cert-manager' : r.ns, spec.ca.secretName);
    if (spec.vault) {
      // The login works once Vault is initialized and the operator configured the auth mount and roles of this cluster.
      const config = this.vaultConfigOf.get(r.cluster) ?? [];
      return this.vaultInitialized && config.length > 0 && config.every((x) => x.reconciled === true);
    }
    return true;
  }

  private bundleHas(cluster: string, kind: string, ns: string | undefined, name: string): boolean {
    return this.find(cluster, kind, ns, name).length > 0;
  }

  private applied(cluster: string, kind: string, ns: string | undefined, name: string): boolean {
    return this.find(cluster, kind, ns, name).some((r) => r.appliedAt !== undefined);
  }

  /** A Secret exists once a Certificate writing it is issued, or the runbook step that creates it ran; others (tokens, the operators' own) are assumed. */
  private secretExists(cluster: string, ns: string | undefined, name: string): boolean {
    const writers = this.writers.get(`${cluster}|${ns ?? ''}|${name}`) ?? [];
    if (writers.length > 0) return writers.some((w) => w.issued === true);
    const step = this.outOfBand.get(`${cluster}/${ns}/${name}`);
    return step === undefined || this.done.has(step);
  }

  /** Why a workload's pods are not Ready, or '' when they are. */
  private podBlocker(r: Res): string {
    const pod = podSpecOf(r.m);
    if (!pod) return '';
    const missing = requiredSecrets(pod).filter((s) => !this.secretExists(r.cluster, r.ns, s));
    if (missing.length > 0) return `waiting for Secret ${missing.join(', ')}`;
    if (this.vaultRes.has(r)) return '';
    const store = `${r.ns}/${r.name}`;
    if (r.kind === 'StatefulSet' && this.hookStores.has(store) && !this.initializedStores.has(store)) return 'not initialized';
    if (!this.addressesServe(r)) return 'what it connects to does not serve yet';
    return '';
  }

  private podsStart(r: Res): boolean {
    const pod = podSpecOf(r.m);
    return !pod || requiredSecrets(pod).every((s) => this.secretExists(r.cluster, r.ns, s));
  }

  private podsReady(r: Res): boolean {
    return r.appliedAt !== undefined && this.podsStart(r) && this.podBlocker(r) === '';
  }

  /** Whether everything a pod's environment and arguments address serves: Vault, stores, their SQL users. */
  private addressesServe(r: Res): boolean {
    for (const url of envUrls(r.m)) {
      const svc = serviceOfHost(url.host);
      if (!svc) continue;
      const behind = this.workloadsBehind(r.cluster, svc.namespace, svc.name);
      if (behind.some((w) => this.vaultRes.has(w))) {
        const config = this.vaultConfigOf.get(r.cluster) ?? [];
        if (!this.vaultInitialized || !config.every((x) => x.reconciled === true)) return false;
      }
      for (const w of behind) {
        if (w.kind !== 'StatefulSet' || !this.hookStores.has(`${w.ns}/${w.name}`)) continue;
        if (!this.initializedStores.has(`${w.ns}/${w.name}`) || !this.podsStart(w)) return false;
        if (url.user && !this.sqlUsers.has(url.user)) return false;
      }
    }
    // A hook addressing a store through its Service (not pod by pod) needs it initialized.
    for (const h of addressedHosts(r.m)) {
      const svc = serviceOfHost(h.includes('.') ? h : `${h}.${r.ns}`);
      if (!svc) continue;
      const perPod = h.split('.').length > 4;
      for (const w of this.workloadsBehind(r.cluster, svc.namespace, svc.name)) {
        if (w.kind !== 'StatefulSet' || !this.hookStores.has(`${w.ns}/${w.name}`)) continue;
        if (perPod ? !this.podsStart(w) || w.appliedAt === undefined : !this.initializedStores.has(`${w.ns}/${w.name}`)) return false;
      }
    }
    return true;
  }

  /** Stores a pod addresses one pod at a time (what an init Job does). */
  private storesAddressedByPod(r: Res): string[] {
    const out: string[] = [];
    for (const h of addressedHosts(r.m)) {
      if (h.split('.').length <= 4) continue;
      const svc = serviceOfHost(h);
      if (!svc) continue;
      for (const w of this.workloadsBehind(r.cluster, svc.namespace, svc.name)) if (this.hookStores.has(`${w.ns}/${w.name}`)) out.push(`${w.ns}/${w.name}`);
    }
    return [...new Set(out)];
  }

  /** Pod-template workloads of a cluster behind a Service (by selector, any tier). */
  private workloadsBehind(cluster: string, ns: string, name: string): Res[] {
    const key = `${cluster}|${ns}|${name}`;
    const cached = this.behind.get(key);
    if (cached) return cached;
    const found = this.computeBehind(cluster, ns, name);
    this.behind.set(key, found);
    return found;
  }

  private computeBehind(cluster: string, ns: string, name: string): Res[] {
    const svc = this.find(cluster, 'Service', ns, name)[0];
    const selector: Record<string, string> = svc?.m.spec?.selector ?? {};
    if (Object.keys(selector).length === 0) {
      // A headless governing Service of a StatefulSet names it through spec.serviceName.
      return this.resources().filter((r) => r.cluster === cluster && r.kind === 'StatefulSet' && r.ns === ns && r.m.spec?.serviceName === name);
    }
    return this.resources().filter((r) => {
      if (r.cluster !== cluster || r.ns !== ns || !podSpecOf(r.m) || r.kind === 'Job' || r.kind === 'CronJob') return false;
      const labels: Record<string, string> = r.m.spec?.template?.metadata?.labels ?? {};
      return Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
  }
}

// ---- helpers -------------------------------------------------------------------------------------

/** meridian's Lua health scripts (src/lib/argocd-health.ts) as TypeScript: what `luaHealth` returns for the objects the simulator builds. */
export const luaHealth: LuaRunner = (script, obj) => {
  const conditions: any[] = obj.status?.conditions ?? [];
  if (script === ISSUER_HEALTH_LUA) {
    const ready = conditions.find((c) => c.type === 'Ready' && c.status === 'True');
    if (ready) return { status: 'Healthy', message: String(ready.message) };
    const msg = [...conditions].reverse().find((c) => c.type === 'Ready' && c.message !== undefined)?.message;
    return { status: 'Progressing', message: msg ?? 'Waiting for the issuer to become Ready' };
  }
  if (script === VAULT_CONFIG_HEALTH_LUA) {
    let ok: any;
    let failed: any;
    for (const c of conditions) {
      if (c.type === 'ReconcileSuccessful' && c.status === 'True') ok = c;
      if (c.type === 'ReconcileFailed') failed = c;
    }
    const gen = obj.metadata?.generation;
    if (ok && (ok.observedGeneration === undefined || gen === undefined || ok.observedGeneration >= gen) && (!failed || failed.lastTransitionTime === undefined || ok.lastTransitionTime === undefined || failed.lastTransitionTime <= ok.lastTransitionTime)) {
      return { status: 'Healthy', message: 'Reconciled in Vault' };
    }
    return { status: 'Progressing', message: failed?.message ?? 'Waiting for the vault-config-operator to reconcile' };
  }
  throw new Error('luaHealth knows only meridian\'s own scripts');
};

function isVaultConfig(m: ManifestJson): boolean {
  return String(m.apiVersion ?? '').startsWith('redhatcop.redhat.io/') && !['GlobalDNSZone', 'GlobalDNSRecord', 'GlobalRouteDiscovery'].includes(m.kind);
}

/** The sub-folder of a cluster (or argocd) folder a file is in: '' for the folder itself. */
function dirOf(file: string, folder: string): string {
  const rest = file.slice(folder.length + 1);
  return rest.includes('/') ? rest.slice(0, rest.lastIndexOf('/')) : '';
}

function seconds(d: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(String(d));
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
}

/** Secrets a pod cannot start without (optional ones left out). */
function requiredSecrets(pod: ManifestJson): string[] {
  const out: string[] = [];
  for (const v of pod.volumes ?? []) {
    if (v.secret?.secretName && v.secret.optional !== true) out.push(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) if (s.secret?.name && s.secret.optional !== true) out.push(s.secret.name);
  }
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name && e.valueFrom.secretKeyRef.optional !== true) out.push(e.valueFrom.secretKeyRef.name);
    for (const e of c.envFrom ?? []) if (e.secretRef?.name && e.secretRef.optional !== true) out.push(e.secretRef.name);
  }
  return [...new Set(out)];
}

/** URLs in a pod's container environment: host and user. */
function envUrls(m: ManifestJson): { host: string; user?: string }[] {
  const pod = podSpecOf(m);
  if (!pod) return [];
  const out: { host: string; user?: string }[] = [];
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.env ?? []) {
      const u = typeof e.value === 'string' ? /^([a-z][a-z0-9+.-]*):\/\/(?:([^:@/]+)(?::[^@/]*)?@)?([^:/?]+)/.exec(e.value) : null;
      if (u) out.push({ host: u[3]!, ...(u[2] ? { user: u[2] } : {}) });
    }
  }
  return out;
}

/** Hosts a pod's arguments name as `host:port` (what cockroach init --host and the schedule Job take). */
function addressedHosts(m: ManifestJson): string[] {
  const pod = podSpecOf(m);
  if (!pod) return [];
  const out: string[] = [];
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const a of [...(c.args ?? []), ...(c.command ?? [])]) {
      const h = /^([a-z0-9][a-z0-9.-]*):\d+$/.exec(String(a));
      if (h) out.push(h[1]!);
    }
  }
  return out;
}

/** The simulated first sync as Markdown list items: each runbook step, then what Argo CD brought up before the next. */
export function timelineLines(runbook: readonly RunbookStep[], result: SimulationResult): string[] {
  return runbook.map((s, i) => {
    const apps = result.convergedAfter.get(s.id) ?? [];
    return `${i + 1}. ${s.title} (\`${s.id}\`)${apps.length > 0 ? `; then Argo CD brings up ${apps.join(', ')}` : ''}`;
  });
}

/** The simulated first sync of an environment as Markdown: the steps, what came up after each, and what went wrong. */
export function timelineMarkdown(environment: string, runbook: readonly RunbookStep[], result: SimulationResult): string {
  const out = [`## First sync of ${environment} (simulated)`, '', ...timelineLines(runbook, result), ''];
  const problems = [
    ...result.stuck.map((s) => `step ${s} (timed out)`),
    ...result.degraded.map((d) => `Degraded: ${d}`),
    ...result.refused.map((c) => `Vault refused ${c}`),
    ...result.applications.filter((a) => !a.synced || a.health !== 'Healthy').map((a) => `${a.name}: ${a.synced ? 'Synced' : 'not Synced'}, ${a.health}`),
  ];
  if (result.retries > 0) problems.push(`${result.retries} sync retries used`);
  out.push(problems.length === 0 ? `Every Application (${result.applications.length}) Synced and Healthy; nothing Degraded, no step waited on a later one, no retry.` : ['Problems:', ...problems.map((p) => `- ${p}`)].join('\n'));
  return `${out.join('\n')}\n`;
}
