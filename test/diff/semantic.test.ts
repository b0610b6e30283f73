// The semantic diff on known edits of the complete bundle: exactly the expected entries.
import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, DiffInputError, diffChangedFiles, diffMarkdown, diffTrees, hasChanges, type BundleDiff } from '../../src/diff';
import { formatDiffText } from '../../src/cli/diff-output';
import { style } from '../../src/cli/style';
import { treeFromFiles, validateTree } from '../../src/validate';
import { CLUSTERS, container, find, fullBundle, remove, render, type Bundle } from '../validate/full-bundle';

const diff = (a: Bundle, b: Bundle): BundleDiff => diffTrees(render(a), render(b), { base: 'HEAD', head: 'working tree' });

/** One line per entry: `folder component change Kind ns/name` and its field changes. */
function lines(d: BundleDiff): string[] {
  return d.folders.flatMap((f) =>
    f.components.flatMap((c) =>
      c.entries.map((e) => {
        const fields = (e.fields ?? []).map((x) => `${x.path} ${x.change}`);
        return `${f.folder} ${c.component} ${e.change} ${e.kind} ${e.namespace ?? ''}/${e.name}${fields.length > 0 ? `: ${[...new Set(fields)].join('; ')}` : ''}`;
      }),
    ),
  );
}

describe('diffTrees', () => {
  it('finds nothing between identical trees', () => {
    const d = diff(fullBundle(), fullBundle());
    expect(hasChanges(d)).toBe(false);
    expect(d.summary).toEqual({ added: 0, removed: 0, changed: 0, files: 0 });
  });

  it('reports one replica count as one changed field with old and new value', () => {
    // GIVEN the shop Deployment of cluster1 scaled from 2 to 3
    const after = fullBundle();
    find(after, 'cluster1', 'Deployment', 'shop').spec.replicas = 3;
    // WHEN diffed
    const d = diff(fullBundle(), after);
    // THEN exactly one entry, one field
    expect(d.folders).toEqual([
      {
        folder: 'cluster1',
        environment: 'demo',
        added: 0,
        removed: 0,
        changed: 1,
        components: [
          {
            component: 'services',
            entries: [{ change: 'changed', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'shop', file: 'cluster1/services.yaml', fields: [{ path: 'spec.replicas', change: 'changed', old: 2, new: 3 }] }],
          },
        ],
      },
    ]);
    expect(d.files).toEqual([]);
  });

  it('reports a new cluster: its folder added, and every peer list, SAN list and GSLB record that grows', () => {
    const after = fullBundle([...CLUSTERS, 'cluster4']);
    expect(validateTree(treeFromFiles(render(after)))).toEqual([]); // the 4-cluster bundle is itself valid
    const d = diff(fullBundle(), after);
    const byFolder = (f: string): string[] => lines(d).filter((l) => l.startsWith(`${f} `));
    const grown = (c: string): string[] => [
      `${c} catalog changed NetworkPolicy catalog/catalog: spec.ingress[1].from[2] added`,
      `${c} cockroachdb changed Certificate cockroachdb/cockroachdb-node: spec.dnsNames[] added`,
      `${c} cockroachdb changed StatefulSet cockroachdb/cockroachdb: spec.template.spec.containers[name=cockroachdb].args[--join][] added`,
      ...(c === 'cluster1' ? ['cluster1 glb changed GlobalDNSRecord meridian-ingress/shop: spec.endpoints[clusterName=cluster4] added', 'cluster1 pki changed PKISecretEngineRole vault/cockroachdb: spec.allowedDomains[] added'] : []),
      `${c} services changed NetworkPolicy shop/shop: spec.ingress[1].from[2] added`,
      `${c} vault changed Certificate vault/vault: spec.dnsNames[] added`,
      `${c} vault changed ConfigMap vault/vault-config: data["vault.json"] → ${[0, 1, 2].map((i) => `storage.raft.retry_join[leader_api_addr=https://vault-${i}.cluster4.vault-internal.vault.svc.clusterset.local:8200] added`).join('; data["vault.json"] → ')}`,
    ];
    expect(byFolder('cluster1')).toEqual(grown('cluster1'));
    expect(byFolder('cluster2')).toEqual(grown('cluster2'));
    expect(byFolder('cluster3')).toEqual(grown('cluster3'));
    expect(byFolder('cluster4').every((l) => / added /.test(l))).toBe(true);
    expect(byFolder('cluster4')).toHaveLength(60); // 59 objects and the kustomization
    expect(d.folders.map((f) => f.folder)).toEqual(['cluster1', 'cluster2', 'cluster3', 'cluster4']);
    // the retry_join entry shows the new peer, not the whole JSON document
    const config = d.folders[0]!.components.find((c) => c.component === 'vault')!.entries.find((e) => e.kind === 'ConfigMap')!;
    expect(config.fields![0]).toEqual({ path: 'data["vault.json"] → storage.raft.retry_join[leader_api_addr=https://vault-0.cluster4.vault-internal.vault.svc.clusterset.local:8200]', change: 'added', new: { leader_api_addr: 'https://vault-0.cluster4.vault-internal.vault.svc.clusterset.local:8200', leader_ca_cert_file: '/etc/vault-tls/ca.crt' } });
    expect(d.summary).toEqual({ added: 60, removed: 0, changed: 20, files: 1 }); // demo.prerequisites.json lists cluster4; the CockroachDB role signs its nodes
  });

  it('reports a removed service: its objects removed in every cluster and the kustomizations that listed them', () => {
    const after = fullBundle();
    for (const c of CLUSTERS) after.get(c)!.delete('catalog');
    const d = diff(fullBundle(), after);
    expect(lines(d)).toEqual(
      CLUSTERS.flatMap((c) => [
        `${c} catalog removed Deployment catalog/catalog`,
        `${c} catalog removed Namespace /catalog`,
        `${c} catalog removed NetworkPolicy catalog/allow-egress`,
        `${c} catalog removed NetworkPolicy catalog/catalog`,
        `${c} catalog removed NetworkPolicy catalog/default-deny`,
        `${c} catalog removed PeerAuthentication catalog/default`,
        `${c} catalog removed Service catalog/catalog`,
        `${c} catalog removed ServiceExport catalog/catalog`,
        `${c} kustomization changed Kustomization /(kustomization.yaml): resources[] removed`,
      ]),
    );
    const k = d.folders[0]!.components.find((c) => c.component === 'kustomization')!.entries[0]!;
    expect(k.fields).toEqual([{ path: 'resources[]', change: 'removed', old: 'catalog.yaml' }]);
  });

  it('never shows secret values: Secret data, secret-named ConfigMap keys and env variables, secret material anywhere', () => {
    const before = fullBundle();
    const after = fullBundle();
    const secret = (value: string): Record<string, any> => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak', namespace: 'shop' }, data: { 'tls.key': value } });
    before.get('cluster1')!.get('services')!.push(secret('b2xk'));
    after.get('cluster1')!.get('services')!.push(secret('bmV3'));
    find(before, 'cluster1', 'ConfigMap', 'vault-config').data.API_TOKEN = 'old-token-value';
    find(after, 'cluster1', 'ConfigMap', 'vault-config').data.API_TOKEN = 'new-token-value';
    container(find(after, 'cluster2', 'Deployment', 'shop')).env.push({ name: 'DB_PASSWORD', value: 'hunter2' });
    find(after, 'cluster3', 'Deployment', 'shop').metadata.annotations.note = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    const d = diff(before, after);
    const text = JSON.stringify(d) + diffMarkdown(d);
    for (const leaked of ['b2xk', 'bmV3', 'old-token-value', 'new-token-value', 'hunter2', 'MIIEow']) expect(text).not.toContain(leaked);
    const fields = d.folders.flatMap((f) => f.components.flatMap((c) => c.entries.flatMap((e) => (e.fields ?? []).map((x) => `${e.kind} ${x.path} ${JSON.stringify(x.old)} ${JSON.stringify(x.new)}`))));
    expect(fields).toEqual([
      'Secret data["tls.key"] "(secret value hidden)" "(secret value hidden)"',
      'ConfigMap data.API_TOKEN "(secret value hidden)" "(secret value hidden)"',
      'Deployment spec.template.spec.containers[name=shop].env[name=DB_PASSWORD] undefined "(secret value hidden)"',
      'Deployment metadata.annotations.note undefined "(secret value hidden)"',
    ]);
  });

  it('masks every kind of material the shared detector knows, and variables named like DB_PASS', () => {
    // GIVEN values that only the shared detector (src/lib/secrets.ts) recognises as secrets
    const after = fullBundle();
    const notes = find(after, 'cluster1', 'Deployment', 'shop').metadata.annotations;
    notes.repo = 'https://deploy:Hunter2Hunter2@git.example.com/bundles.git';
    notes.hook = 'https://hooks.slack.com/services/T01234567/B01234567/AbCdEfGhIjKlMnOpQrStUvWx';
    notes.key = 'ASIAABCDEFGHIJKLMNOP';
    notes.kube = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKeyBytes\n-----END EC PRIVATE KEY-----\n').toString('base64');
    container(find(after, 'cluster2', 'Deployment', 'shop')).env.push({ name: 'DB_PASS', value: 'plain-words-only' });
    // WHEN diffed
    const d = diff(fullBundle(), after);
    // THEN none of them is shown, in any form
    const text = JSON.stringify(d) + diffMarkdown(d);
    for (const leaked of ['Hunter2Hunter2', 'AbCdEfGhIjKlMnOpQrStUvWx', 'ASIAABCDEFGHIJKLMNOP', notes.kube.slice(20, 40), 'plain-words-only']) expect(text).not.toContain(leaked);
    expect(text.match(/\(secret value hidden\)/g)).toHaveLength(5 * 2);
  });

  it('never shows a secret used as a key in the PR comment or the terminal form', () => {
    const after = fullBundle();
    find(after, 'cluster1', 'ConfigMap', 'vault-config').data['ghp_A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0uVwXyZ'] = 'x';
    const d = diff(fullBundle(), after);
    for (const shown of [diffMarkdown(d), formatDiffText(d, style(false))]) {
      expect(shown).toContain('[a GitHub token hidden]');
      expect(shown).not.toContain('A1bC2dE3fH4iJ5kL6');
    }
  });

  it('renders a PR comment: summary table, then one collapsible section per cluster', () => {
    const after = fullBundle();
    find(after, 'cluster2', 'Deployment', 'shop').spec.replicas = 4;
    find(after, 'cluster3', 'PodDisruptionBudget', 'vault').spec.maxUnavailable = 2;
    const md = diffMarkdown(diff(fullBundle(), after));
    expect(md).toBe(
      [
        '### meridian diff: `HEAD` → working tree',
        '',
        '#### Risk',
        '',
        'None found: no pod restarts, prunes, store membership, certificate identity, GSLB target or NetworkPolicy changes.',
        '',
        '#### Objects',
        '',
        '| cluster | environment | added | removed | changed |',
        '| --- | --- | ---: | ---: | ---: |',
        '| cluster2 | demo | 0 | 0 | 1 |',
        '| cluster3 | demo | 0 | 0 | 1 |',
        '| **total** | | **0** | **0** | **2** |',
        '',
        '<details>',
        '<summary><b>cluster2</b>: 1 changed</summary>',
        '',
        '**services**',
        '',
        '- ✏️ changed `apps/v1 Deployment shop/shop`',
        '  - `spec.replicas`: `2` → `4`',
        '',
        '</details>',
        '',
        '<details>',
        '<summary><b>cluster3</b>: 1 changed</summary>',
        '',
        '**vault**',
        '',
        '- ✏️ changed `policy/v1 PodDisruptionBudget vault/vault`',
        '  - `spec.maxUnavailable`: `1` → `2`',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('fits the PR comment within GitHub\'s comment limit by dropping field changes, then object lists, and says so', () => {
    // GIVEN a change whose full comment is long (every Deployment's replicas and an annotation per object)
    const after = fullBundle();
    for (const c of CLUSTERS) {
      for (const docs of after.get(c)!.values()) for (const o of docs) o.metadata.annotations = { ...o.metadata.annotations, note: 'x'.repeat(200) };
    }
    const d = diff(fullBundle(), after);
    const full = diffMarkdown(d, Number.MAX_SAFE_INTEGER);
    expect(full).toContain('`metadata.annotations.note`');
    expect(diffMarkdown(d).length).toBeLessThanOrEqual(COMMENT_LIMIT);
    // WHEN the limit is below the full length THEN the field lines go first, the objects stay listed
    const objects = diffMarkdown(d, full.length - 1);
    expect(objects.length).toBeLessThanOrEqual(full.length - 1);
    expect(objects).not.toContain('`metadata.annotations.note`');
    expect(objects).toContain('- ✏️ changed `apps/v1 Deployment shop/shop`');
    expect(objects).toContain('The field changes of each object are left out');
    // AND below that, only the counts and the summary table remain
    const counts = diffMarkdown(d, objects.length - 100); // (the note's figure may be a digit shorter)
    expect(counts).not.toContain('<summary><b>cluster');
    expect(counts).toContain('| **total** |');
    expect(counts).toContain('The per-object changes are left out');
    // AND a limit below even that cuts at a line boundary with a note, never above the limit
    const cut = diffMarkdown(d, 300);
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut).toMatch(/The comment is cut here to fit GitHub's limit of 300 characters/);
  });

  it('does not parse a file whose text is the same in both trees, and still fails on a changed file that is not YAML', () => {
    // GIVEN a file that is not valid YAML, byte-identical in both trees, beside a real change
    const broken = 'kind: [unclosed\n';
    const after = fullBundle();
    find(after, 'cluster1', 'Deployment', 'shop').spec.replicas = 3;
    const a = new Map([...render(fullBundle()), ['cluster1/broken.yaml', broken]]);
    const b = new Map([...render(after), ['cluster1/broken.yaml', broken]]);
    // WHEN diffed THEN the identical file is never parsed: only the real change is reported
    expect(lines(diffTrees(a, b, { base: 'HEAD', head: 'working tree' }))).toEqual(['cluster1 services changed Deployment shop/shop: spec.replicas changed']);
    // AND a changed file that is not YAML still fails, naming the file
    const c = new Map([...b, ['cluster1/broken.yaml', `${broken}# edited\n`]]);
    expect(() => diffTrees(a, c, { base: 'HEAD', head: 'working tree' })).toThrow(DiffInputError);
    expect(() => diffTrees(a, c, { base: 'HEAD', head: 'working tree' })).toThrow(/^cluster1\/broken\.yaml: not valid YAML: /);
  });

  it('in a changed file, parses only the documents whose text changed, and reports a broken one at its line in the file', () => {
    // GIVEN services.yaml of cluster1 with a document that is not YAML, the same in both trees, and a real change
    const broken = 'kind: [unclosed\n';
    const after = fullBundle();
    find(after, 'cluster1', 'Deployment', 'shop').spec.replicas = 3;
    const withBroken = (files: Map<string, string>): Map<string, string> => new Map([...files].map(([f, t]) => [f, f === 'cluster1/services.yaml' ? `${t}---\n${broken}` : t]));
    const a = withBroken(render(fullBundle()));
    const b = withBroken(render(after));
    // WHEN diffed THEN only the real change is reported
    expect(lines(diffTrees(a, b, { base: 'HEAD', head: 'working tree' }))).toEqual(['cluster1 services changed Deployment shop/shop: spec.replicas changed']);
    // AND when the broken document differs too, the error names the file and the line in that file
    const c = new Map([...b].map(([f, t]) => [f, f === 'cluster1/services.yaml' ? `${t}# edited\n` : t]));
    const line = b.get('cluster1/services.yaml')!.split('\n').length - 1;
    expect(() => diffTrees(a, c, { base: 'HEAD', head: 'working tree' })).toThrow(new RegExp(`^cluster1/services\\.yaml: not valid YAML: .* at line ${line + 1}, column 1`));
  });

  it('reports an object that moved to another file as changed, with the file it moved from', () => {
    // GIVEN the shop Service of cluster2 moved from services.yaml to mesh.yaml, unchanged
    const after = fullBundle();
    const service = find(after, 'cluster2', 'Service', 'shop', 'shop');
    remove(after, 'cluster2', 'Service', 'shop', 'shop');
    after.get('cluster2')!.get('mesh')!.push(service);
    // WHEN diffed THEN one entry, no field changes, with movedFrom
    const d = diff(fullBundle(), after);
    expect(d.folders.flatMap((f) => f.components.flatMap((c) => c.entries))).toEqual([
      { change: 'changed', apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'shop', file: 'cluster2/mesh.yaml', movedFrom: 'cluster2/services.yaml', fields: [] },
    ]);
  });

  it('reads values as YAML 1.2 core: dates and yes/no stay strings, hex and exponents are numbers, ~ is null', () => {
    const object = (values: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\n${values}`;
    const a = new Map([['c1/config.yaml', object('date: 2024-01-01\nflag: yes\nhex: 0x1F\nexp: 1e3\nnothing: ~\n')]]);
    const b = new Map([['c1/config.yaml', `---\n${object('date: 2024-01-02\nflag: no\nhex: 0o17\nexp: .inf\nnothing: 1_000\n')}---\n`]]);
    const fields = diffTrees(a, b, { base: 'HEAD', head: 'working tree' }).folders[0]!.components[0]!.entries[0]!.fields;
    expect(fields).toEqual([
      { path: 'date', change: 'changed', old: '2024-01-01', new: '2024-01-02' },
      { path: 'exp', change: 'changed', old: 1000, new: Infinity },
      { path: 'flag', change: 'changed', old: 'yes', new: 'no' },
      { path: 'hex', change: 'changed', old: 31, new: 15 },
      { path: 'nothing', change: 'changed', old: null, new: '1_000' },
    ]);
  });

  it('reads a file nested deeper than the fast parser allows', () => {
    const deep = (leaf: number): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n${Array.from({ length: 120 }, (_, i) => `${'  '.repeat(i)}k:`).join('\n')} ${leaf}\n`;
    const d = diffTrees(new Map([['c1/deep.yaml', deep(1)]]), new Map([['c1/deep.yaml', deep(2)]]), { base: 'HEAD', head: 'working tree' });
    expect(d.folders[0]!.components[0]!.entries[0]!.fields).toEqual([{ path: `${Array.from({ length: 120 }, () => 'k').join('.')}`, change: 'changed', old: 1, new: 2 }]);
  });

  it('compares files that hold no objects as text', () => {
    const a = new Map([['demo.report.md', 'a\nb\nc\n'], ['gone.report.md', 'x\n']]);
    const b = new Map([['demo.report.md', 'a\nB\nc\nd\n'], ['new.report.md', 'y\n']]);
    expect(diffTrees(a, b, { base: 'HEAD', head: 'working tree' }).files).toEqual([
      { file: 'demo.report.md', change: 'changed', linesAdded: 2, linesRemoved: 1 },
      { file: 'gone.report.md', change: 'removed', linesAdded: 0, linesRemoved: 1 },
      { file: 'new.report.md', change: 'added', linesAdded: 1, linesRemoved: 0 },
    ]);
  });
});

describe('the argocd/ folder', () => {
  const appSet = (env: string, revision: string): string =>
    `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  labels:\n    meridian.dev/environment: ${env}\n  name: meridian-${env}\n  namespace: argocd\nspec:\n  revision: ${revision}\n`;
  const kustomization = (files: string[]): string => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${files.map((f) => `  - ${f}`).join('\n')}\n`;
  const base = new Map([
    ['argocd/kustomization.yaml', kustomization(['dev.yaml', 'prod.yaml'])],
    ['argocd/dev.yaml', appSet('dev', 'main')],
    ['argocd/prod.yaml', appSet('prod', 'main')],
  ]);
  const head = new Map([
    ['argocd/kustomization.yaml', kustomization(['dev.yaml', 'prod.yaml', 'stage.yaml'])],
    ['argocd/dev.yaml', appSet('dev', 'next')],
    ['argocd/prod.yaml', appSet('prod', 'next')],
    ['argocd/stage.yaml', appSet('stage', 'main')],
  ]);

  it('belongs to no single environment', () => {
    const d = diffChangedFiles(base, head, { base: 'HEAD', head: 'working tree' });
    expect(d.folders.map((f) => [f.folder, f.environment, f.added, f.changed])).toEqual([['argocd', undefined, 1, 3]]);
  });

  it('with --env keeps only that environment\'s entries', () => {
    const d = diffChangedFiles(base, head, { base: 'HEAD', head: 'working tree' }, { environment: 'prod' });
    expect(lines(d)).toEqual(['argocd prod changed ApplicationSet argocd/meridian-prod: spec.revision changed']);
    const stage = diffChangedFiles(base, head, { base: 'HEAD', head: 'working tree' }, { environment: 'stage' });
    expect(lines(stage)).toEqual(['argocd kustomization changed Kustomization /(kustomization.yaml): resources[] added', 'argocd stage added ApplicationSet argocd/meridian-stage']);
  });
});
