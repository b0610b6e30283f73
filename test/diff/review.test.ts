// The misleading cases of issue #17, each on a real change of environments/prod.yaml synthesized in memory,
// with the exact comment `meridian diff --format markdown` posts for it; and README.md, which shows two of
// these comments and the table of risk classes, kept equal to the output (`UPDATE_README=1 npx vitest run
// test/diff/review.test.ts` rewrites them). The cases share one synth of each environment version.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffMarkdown, RISK_CLASS_DESCRIPTIONS, RISK_CLASSES } from '../../src/diff';
import { CRDB_UPGRADE, DRAINED, EXPANDED, PAYMENTS, PROD, reviewDiff } from './scenarios';

const comment = (head: string): string[] => diffMarkdown(reviewDiff(PROD, head)).split('\n');

/** The lines of one `#### ` section, from its title to the next section. */
function section(lines: readonly string[], title: string): string[] {
  const start = lines.indexOf(title);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('#### '));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('the review comment on the changes that matter most', () => {
  it('drains shop in one cluster: cluster2 leaves the GSLB record and nothing else moves (no positional shift)', () => {
    expect(comment(DRAINED)).toEqual([
      "### meridian diff: `main` → `pr`",
      "",
      "#### Risk",
      "",
      "- **prune** `ServiceExport shop/shop` in cluster2: Argo CD prunes it",
      "- **gslb** `GlobalDNSRecord global-load-balancer-operator/shop` in cluster1: targets cluster1, cluster2, cluster3 → cluster1, cluster3",
      "",
      "#### Report changes",
      "",
      "**prod** (`prod.report.md`):",
      "",
      "- shop (shop.global.example.com) GSLB targets: cluster1, cluster2, cluster3 → cluster1, cluster3",
      "",
      "#### Objects",
      "",
      "| cluster | environment | added | removed | changed |",
      "| --- | --- | ---: | ---: | ---: |",
      "| cluster1 | prod | 0 | 0 | 1 |",
      "| cluster2 | prod | 0 | 1 | 4 |",
      "| **total** | | **0** | **1** | **5** |",
      "",
      "<details>",
      "<summary><b>cluster1</b>: 1 changed</summary>",
      "",
      "**gslb**",
      "",
      "- ✏️ changed `redhatcop.redhat.io/v1alpha1 GlobalDNSRecord global-load-balancer-operator/shop`",
      "  - `spec.endpoints[clusterName=cluster2]`: removed (was `{\"clusterCredentialRef\":{\"name\":\"cluster2-kubeconfig\",\"namespace\":\"global-load-balancer-operator\"},\"clusterName\":\"cluster2\",\"loadBalancerServiceRef\":{\"name\":\"meridian-gateway-istio\",\"namespace\":\"meridian-ingress\"}}`)",
      "",
      "</details>",
      "",
      "<details>",
      "<summary><b>cluster2</b>: 1 removed, 4 changed</summary>",
      "",
      "**ingress**",
      "",
      "- ✏️ changed `gateway.networking.k8s.io/v1 HTTPRoute shop/shop`",
      "  - `metadata.labels[\"meridian.dev/drained\"]`: added `\"true\"`",
      "",
      "**monitoring**",
      "",
      "- ✏️ changed `monitoring.coreos.com/v1 PrometheusRule shop/meridian-service-shop`",
      "  - `spec.groups[name=meridian-service-shop.cluster2].rules[0].annotations.summary`: `\"shop has no available replica in cluster2\"` → `\"shop has no available replica in cluster2 (drained here: not serving)\"`",
      "  - `spec.groups[name=meridian-service-shop.cluster2].rules[0].labels.severity`: `\"critical\"` → `\"warning\"`",
      "",
      "**services**",
      "",
      "- ✏️ changed `apps/v1 Deployment shop/shop`",
      "  - `metadata.labels[\"meridian.dev/drained\"]`: added `\"true\"`",
      "- ✏️ changed `v1 Service shop/shop`",
      "  - `metadata.labels[\"meridian.dev/drained\"]`: added `\"true\"`",
      "- ➖ removed `multicluster.x-k8s.io/v1alpha1 ServiceExport shop/shop`",
      "",
      "</details>",
      "",
    ]);
  });

  it('adds a fourth cluster (Vault stays on three): the Risk section names every store restart, the quorum risk of the rollout and the membership change', () => {
    const lines = comment(EXPANDED);
    expect(section(lines, '#### Risk')).toEqual([
      "#### Risk",
      "",
      "- **quorum** `store cockroachdb/cockroachdb` in cluster1, cluster2, cluster3: members restart in 3 clusters in the same change (cluster1: 3 pods, cluster2: 3 pods, cluster3: 3 pods): the ApplicationSet's RollingSync syncs one step after the other, each once the previous step is Healthy (MER141: no step holds a majority of the voters), so the restarts do not overlap; check the store between steps (day-2 runbooks)",
      "- **quorum** `store vault/vault` in cluster1, cluster2, cluster3: members restart in 3 clusters in the same change (cluster1: 3 pods, cluster2: 3 pods, cluster3: 3 pods): the ApplicationSet's RollingSync syncs one step after the other, each once the previous step is Healthy (MER141: no step holds a majority of the voters), so the restarts do not overlap; check the store between steps (day-2 runbooks)",
      "- **membership** `store cockroachdb/cockroachdb` in cluster1, cluster2, cluster3, cluster4: peers added: cockroachdb-0.cluster4.cockroachdb.cockroachdb.svc.clusterset.local:26257, cockroachdb-1.cluster4.cockroachdb.cockroachdb.svc.clusterset.local:26257, cockroachdb-2.cluster4.cockroachdb.cockroachdb.svc.clusterset.local:26257; peer lists change in cluster1, cluster2, cluster3; new members in cluster4 (3 pods); the live membership changes only by the runbook steps",
      "- **identity** `Certificate cockroachdb/cockroachdb-node` in cluster1, cluster2, cluster3: SANs added: cockroachdb-0.cluster4.cockroachdb.cockroachdb.svc.clusterset.local, cockroachdb-1.cluster4.cockroachdb.cockroachdb.svc.clusterset.local, cockroachdb-2.cluster4.cockroachdb.cockroachdb.svc.clusterset.local: cert-manager issues a new certificate, and the pods that load it restart or reload",
      "- **identity** `Certificate vault/vault-tls` in cluster1, cluster2, cluster3: SANs added: vault.vault.svc.clusterset.local: cert-manager issues a new certificate, and the pods that load it restart or reload",
      "- **gslb** `GlobalDNSRecord global-load-balancer-operator/shop` in cluster1: targets cluster1, cluster2, cluster3 → cluster1, cluster2, cluster3, cluster4",
      "- **network** `NetworkPolicy catalog/catalog` in cluster1, cluster2, cluster3: admits more: spec.ingress[1].from[2] + {\"ipBlock\":{\"cidr\":\"10.140.0.0/14\"}}",
      "- **network** `NetworkPolicy catalog/catalog` in cluster4: new policy admits 5 rule(s)",
      "- **network** `NetworkPolicy cockroachdb/cockroachdb` in cluster1, cluster2, cluster3: admits more: spec.ingress[1].from[2] + {\"ipBlock\":{\"cidr\":\"10.140.0.0/14\"}}",
      "- **network** `NetworkPolicy cockroachdb/cockroachdb` in cluster4: new policy admits 3 rule(s)",
      "- **network** `NetworkPolicy cockroachdb/cockroachdb-egress` in cluster1, cluster2, cluster3: admits more: spec.egress[1].to[3] + {\"ipBlock\":{\"cidr\":\"10.140.0.0/14\"}}",
      "- **network** `NetworkPolicy cockroachdb/cockroachdb-egress` in cluster4: new policy admits 2 rule(s)",
      "- **network** `NetworkPolicy cockroachdb/cockroachdb-metrics` in cluster4: new policy admits 1 rule(s)",
      "- **network** `NetworkPolicy meridian-ingress/meridian-gateway` in cluster1, cluster2, cluster3: admits more: spec.egress[3].to[2] + {\"ipBlock\":{\"cidr\":\"172.33.0.0/16\"}}",
      "- **network** `NetworkPolicy meridian-ingress/meridian-gateway` in cluster4: new policy admits 7 rule(s)",
      "- **network** `NetworkPolicy shop/shop` in cluster1, cluster2, cluster3: admits more: spec.egress[3].to[2] + {\"ipBlock\":{\"cidr\":\"172.33.0.0/16\"}}; spec.ingress[1].from[2] + {\"ipBlock\":{\"cidr\":\"10.140.0.0/14\"}}",
      "- **network** `NetworkPolicy shop/shop` in cluster4: new policy admits 8 rule(s)",
      "- **network** `NetworkPolicy vault/vault` in cluster1, cluster2, cluster3: admits more: spec.ingress[2] + {\"from\":[{\"ipBlock\":{\"cidr\":\"10.140.0.0/14\"}}],\"ports\":[{\"port\":8200,\"protocol\":\"TCP\"}]}",
      "- **restart** `StatefulSet cockroachdb/cockroachdb` in cluster1 (3 pods), cluster2 (3 pods), cluster3 (3 pods): pods restart (pod template: spec.containers[name=cockroachdb].args[--join][]; Certificate cockroachdb-node reissued into Secret cockroachdb-node-tls, Reloader restarts it)",
      "- **restart** `StatefulSet vault/vault` in cluster1 (3 pods), cluster2 (3 pods), cluster3 (3 pods): pods restart (Certificate vault-tls reissued into Secret vault-tls, Reloader restarts it)",
      "",
    ]);
  });

  it('shows the report change as meaning: voters, quorum and what it survives, after the runbook steps; replica splits; GSLB targets', () => {
    const lines = comment(EXPANDED);
    expect(section(lines, '#### Report changes')).toEqual([
      "#### Report changes",
      "",
      "**prod** (`prod.report.md`):",
      "",
      "- clusters added: cluster4",
      "- cockroachdb: 9 members (3/3/3), 5 voters per range, quorum 3, survives the loss of 1 cluster(s) → 12 members (3/3/3/3), 5 voters per range, quorum 3, survives the loss of 1 cluster(s) after the steps of the runbook below (until then the live membership is the old one)",
      "- catalog replicas: cluster1: 1, cluster2: 1, cluster3: 1 → cluster1: 1, cluster2: 1, cluster3: 1, cluster4: 1",
      "- shop replicas: cluster1: 1, cluster2: 1, cluster3: 1 → cluster1: 1, cluster2: 1, cluster3: 1, cluster4: 1",
      "- shop (shop.global.example.com) GSLB targets: cluster1, cluster2, cluster3 → cluster1, cluster2, cluster3, cluster4",
      "",
    ]);
    expect(lines.join('\n')).not.toMatch(/prod\.report\.md changed \(\+\d+ −\d+ lines\)/);
  });

  it('shows a --join change as the hosts added, not two complete host strings, and the GSLB endpoint by its cluster', () => {
    const lines = comment(EXPANDED);
    const join = lines.indexOf('- ✏️ changed `apps/v1 StatefulSet cockroachdb/cockroachdb`');
    expect(lines.slice(join, join + 4)).toEqual([
      "- ✏️ changed `apps/v1 StatefulSet cockroachdb/cockroachdb`",
      "  - `spec.template.spec.containers[name=cockroachdb].args[--join][]`: added `\"cockroachdb-0.cluster4.cockroachdb.cockroachdb.svc.clusterset.local:26257\"`",
      "  - `spec.template.spec.containers[name=cockroachdb].args[--join][]`: added `\"cockroachdb-1.cluster4.cockroachdb.cockroachdb.svc.clusterset.local:26257\"`",
      "  - `spec.template.spec.containers[name=cockroachdb].args[--join][]`: added `\"cockroachdb-2.cluster4.cockroachdb.cockroachdb.svc.clusterset.local:26257\"`",
    ]);
    const gslb = lines.indexOf('- ✏️ changed `redhatcop.redhat.io/v1alpha1 GlobalDNSRecord global-load-balancer-operator/shop`');
    expect(lines.slice(gslb, gslb + 2)).toEqual([
      "- ✏️ changed `redhatcop.redhat.io/v1alpha1 GlobalDNSRecord global-load-balancer-operator/shop`",
      "  - `spec.endpoints[clusterName=cluster4]`: added `{\"clusterCredentialRef\":{\"name\":\"cluster4-kubeconfig\",\"namespace\":\"global-load-balancer-operator\"},\"clusterName\":\"cluster4\",\"loadBalancerServiceRef\":{\"name\":\"meridian-gateway-istio\",\"namespace\":\"meridian-ingress\"}}`",
    ]);
  });

  it('adds a service: the NetworkPolicies gain a payments peer; no entry is renamed from shop to payments', () => {
    const lines = comment(PAYMENTS);
    const crdb = lines.indexOf('- ✏️ changed `networking.k8s.io/v1 NetworkPolicy cockroachdb/cockroachdb`');
    expect(lines.slice(crdb, crdb + 2)).toEqual([
      "- ✏️ changed `networking.k8s.io/v1 NetworkPolicy cockroachdb/cockroachdb`",
      "  - `spec.ingress[2].from[0]`: added `{\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"payments\"}}}`",
    ]);
    // and the new SQL client gets its own issuer, bound to its namespace
    expect(lines).toContain('- ➕ added `cert-manager.io/v1 Issuer payments/payments-cockroachdb-issuer`');
    const vault = lines.indexOf('- ✏️ changed `networking.k8s.io/v1 NetworkPolicy vault/vault`');
    expect(lines.slice(vault, vault + 3)).toEqual([
      "- ✏️ changed `networking.k8s.io/v1 NetworkPolicy vault/vault`",
      "  - `spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values[]`: added `\"payments\"`",
      '',
    ]);
    expect(lines.join('\n')).not.toContain('"shop"` → `"payments"');
  });

  it('puts the runbooks the change needs at the end: adding cluster4, upgrading the CockroachDB image', () => {
    expect(reviewDiff(PROD, EXPANDED).review!.runbooks.map((r) => r.id)).toEqual(['add-cluster-cluster4']);
    const add = reviewDiff(PROD, EXPANDED).review!.runbooks[0]!;
    expect(add.steps.map((s) => s.id)).toEqual([
      'argocd-login',
      'register',
      'secrets',
      'submariner-join',
      'hold-vault',
      'hold-cockroachdb',
      'merge',
      'vault-access',
      'cockroachdb-membership',
      'roll-vault-cluster1',
      'roll-vault-cluster2',
      'roll-vault-cluster3',
      'roll-cockroachdb-cluster1',
      'roll-cockroachdb-cluster2',
      'roll-cockroachdb-cluster3',
      'wait-healthy',
    ]);
    // the Secrets the bundle only names, for the new cluster alone, before the merge
    const secrets = add.steps.find((s) => s.id === 'secrets')!.commands;
    expect(secrets.length).toBeGreaterThan(0);
    expect(secrets.every((c) => c.includes('--context cluster4 '))).toBe(true);
    // the new auth mount is created with the administrator role the bootstrap left behind, not the revoked root token
    const access = add.steps.find((s) => s.id === 'vault-access')!.commands;
    expect(access.some((c) => c.includes('auth/kubernetes-cluster1/login role=meridian-admin'))).toBe(true);
    expect(access).toContain('vault auth enable -path=kubernetes-cluster4 kubernetes');
    expect(add.steps.find((s) => s.id === 'cockroachdb-membership')!.commands.at(-1)).toContain('ALTER DATABASE "shop" ADD REGION IF NOT EXISTS "eu-west-1";');
    expect(comment(EXPANDED)).toContain('<summary><b>Add cluster cluster4</b>: 16 steps, in order</summary>');
    expect(reviewDiff(PROD, CRDB_UPGRADE).review!.runbooks.map((r) => r.id)).toEqual(['upgrade-cockroachdb']);
  });

  it('gives each risk one of the documented classes', () => {
    for (const head of [DRAINED, EXPANDED, PAYMENTS, CRDB_UPGRADE]) for (const r of reviewDiff(PROD, head).risks) expect(RISK_CLASSES).toContain(r.class);
  });
});

const README = 'README.md';

function block(readme: string, name: string): { start: number; end: number; text: string } {
  const open = `<!-- meridian-diff:${name} -->\n\`\`\`\`markdown\n`;
  const close = `\`\`\`\`\n<!-- /meridian-diff:${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close, start);
  expect({ name, start: start >= 0, end: end >= 0 }).toEqual({ name, start: true, end: true });
  return { start: start + open.length, end, text: readme.slice(start + open.length, end) };
}

const table = (): string => ['| class | meaning |', '| --- | --- |', ...RISK_CLASSES.map((c) => `| \`${c}\` | ${RISK_CLASS_DESCRIPTIONS[c]} |`)].join('\n');
const TABLE = /(#### The review comment\n\n[^\n]*\n\n)(\| class \|[^]*?\n)\n/;

describe('README review examples', () => {
  const expected = { expanded: diffMarkdown(reviewDiff(PROD, EXPANDED)), drained: diffMarkdown(reviewDiff(PROD, DRAINED)) };

  if (process.env.UPDATE_README === '1') {
    let readme = fs.readFileSync(README, 'utf8').replace('@@RISK_TABLE@@', table()).replace(TABLE, (_m, head: string) => `${head}${table()}\n\n`);
    for (const name of ['expanded', 'drained'] as const) {
      const b = block(readme, name);
      readme = readme.slice(0, b.start) + expected[name] + readme.slice(b.end);
    }
    fs.writeFileSync(README, readme);
  }

  const readme = fs.readFileSync(README, 'utf8');

  it('shows the comment for adding cluster4 and the one for draining shop in cluster2, as the tool writes them', () => {
    expect(block(readme, 'expanded').text).toBe(expected.expanded);
    expect(block(readme, 'drained').text).toBe(expected.drained);
  });

  it('lists every risk class with its description', () => {
    expect(TABLE.exec(readme)?.[2]).toBe(`${table()}\n`);
  });
});
