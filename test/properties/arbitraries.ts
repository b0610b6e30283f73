// fast-check arbitraries that build valid environment files (as YAML text) of any size.
import fc from 'fast-check';
import { stringify } from 'yaml';

export interface EnvShape {
  readonly clusters: number;
  readonly vaultReplicas: number;
  readonly crdbReplicas: number;
  readonly services: readonly { replicas: number; active: number[]; drained: number[]; expose: string; autoscaled: boolean; min?: number; max?: number }[];
  readonly overlapping: boolean;
  /** Bit i set: cluster i runs OpenShift, else Kubernetes (all OpenShift under the global-load-balancer-operator, which needs it). */
  readonly openshift: number;
  /** Placement (`vault.clusters`, `cockroachdb.clusters`): sorted cluster indices, at least three; absent = every cluster. */
  readonly vaultOn?: readonly number[];
  readonly crdbOn?: readonly number[];
}

/** Vault's voter bound (src/topology/vault-voters.ts MAX_VAULT_VOTERS). */
const MAX_VAULT_VOTERS = 9;

/** Clusters a store runs on in a shape, in order. */
export function membersOf(shape: EnvShape, store: 'vault' | 'cockroachdb'): number[] {
  const on = store === 'vault' ? shape.vaultOn : shape.crdbOn;
  return on ? [...on] : Array.from({ length: shape.clusters }, (_, i) => i);
}

/** Vault pods per cluster as rendered: the shape's count, lowered so the voters stay within the bound. */
export function vaultReplicasOf(shape: EnvShape): number {
  return Math.max(1, Math.min(shape.vaultReplicas, Math.floor(MAX_VAULT_VOTERS / membersOf(shape, 'vault').length)));
}

/** A random placement over `clusters` clusters (each in its own region): at least three, at most nine. */
const placement = (clusters: number): fc.Arbitrary<number[] | undefined> =>
  fc.option(
    fc.uniqueArray(fc.integer({ min: 0, max: clusters - 1 }), { minLength: 3, maxLength: Math.min(clusters, 9) }).map((xs) => [...xs].sort((a, b) => a - b)),
    { nil: undefined },
  );

export const envShape: fc.Arbitrary<EnvShape> = fc.integer({ min: 3, max: 12 }).chain((clusters) =>
  fc.record({
    clusters: fc.constant(clusters),
    vaultReplicas: fc.integer({ min: 1, max: 5 }),
    crdbReplicas: fc.integer({ min: 1, max: 5 }),
    overlapping: fc.boolean(),
    openshift: fc.nat({ max: 4095 }),
    // more than nine clusters need a Vault placement: nine is the voter bound at one pod per cluster
    vaultOn: clusters > MAX_VAULT_VOTERS ? placement(clusters).map((p) => p ?? [0, 1, 2]) : placement(clusters),
    crdbOn: placement(clusters),
    services: fc.array(
      fc
        .uniqueArray(fc.integer({ min: 0, max: clusters - 1 }), { minLength: 1, maxLength: clusters })
        .chain((active) =>
          fc.record({
            active: fc.constant([...active].sort((a, b) => a - b)),
            replicas: fc.integer({ min: active.length, max: 200 }),
            drained: fc.subarray(active, { maxLength: active.length - 1 }),
            expose: fc.constantFrom('global', 'clusterset', 'cluster'),
            autoscaled: fc.boolean(),
            min: fc.integer({ min: 1, max: 20 }),
            max: fc.integer({ min: 20, max: 60 }),
          }),
        ),
      { maxLength: 8 },
    ),
  }),
);

/** Renders a shape as an environment file; cluster i is `c<i>` in region `r<i>`. */
export function renderEnvironment(shape: EnvShape, name = 'prop'): string {
  const global = shape.services.some((s) => s.expose === 'global');
  const clusters = Array.from({ length: shape.clusters }, (_, i) => ({
    name: `c${i}`,
    region: `r${i}`,
    server: `https://c${i}.example.com:6443`,
    podCIDR: shape.overlapping ? '10.0.0.0/16' : `10.${i}.0.0/16`,
    serviceCIDR: shape.overlapping ? '172.16.0.0/16' : `172.${16 + i}.0.0/16`,
    platform: global || (shape.openshift >> i) % 2 === 1 ? 'openshift' : 'kubernetes',
  }));
  return stringify({
    name,
    globalDomain: `${name}.example.com`,
    argocd: { repoURL: 'https://git.example.com/x.git' },
    clusters,
    submariner: { broker: 'c0', brokerApiServer: 'c0.example.com:6443', brokerSecret: 'b', ipsecPSKSecret: 'p' },
    pki: { rootCASecret: 'ca' },
    vault: {
      replicasPerCluster: vaultReplicasOf(shape),
      image: 'hashicorp/vault:1.17.6',
      seal: { awskms: { region: 'r0', kmsKeyId: 'k' } },
      ...(shape.vaultOn ? { clusters: shape.vaultOn.map((i) => `c${i}`) } : {}),
    },
    cockroachdb: { replicasPerCluster: shape.crdbReplicas, image: 'cockroachdb/cockroach:v24.2.4', ...(shape.crdbOn ? { clusters: shape.crdbOn.map((i) => `c${i}`) } : {}) },
    // expose: global needs a global load balancer to publish the hostname
    ...(global ? { globalLoadBalancer: { zone: { name: `${name}-zone`, route53ZoneID: 'Z1PROP' } } } : {}),
    services: shape.services.map((s, i) => ({
      name: `svc${i}`,
      namespace: `ns${i % 3}`,
      image: 'example.com/svc:1',
      port: 8080,
      healthPath: '/ready',
      ...(s.autoscaled ? { autoscaling: { minReplicas: s.min, maxReplicas: s.max } } : { replicas: s.replicas }),
      expose: s.expose,
      activeIn: s.active.map((a) => `c${a}`),
      drainedIn: s.drained.map((a) => `c${a}`),
    })),
  });
}
