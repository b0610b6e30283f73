// Every runbook command runs as written (issue #15, finding 6): each fenced shell block of the report of
// every fixture environment and of the default one parses with the shell it is labelled for, and every
// kubectl command names its cluster and, for namespaced objects, its namespace.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { buildReport, reportMarkdown } from '../../src/report';
import type { Environment } from '../../src/topology';
import { VAULT_SERVICE } from '../../src/lib/names';
import { vaultServerDnsNames } from '../../src/topology/vault';
import { topologyOf } from '../helpers';

const FIXTURES = 'test/fixtures/environments';
const environments: Environment[] = [
  ...loadTopology('environments').environments,
  ...fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => topologyOf(path.join(FIXTURES, f)).environments),
];
const reports = environments.map((env) => ({ env, report: buildReport(env) }));

/** The fenced blocks of a markdown text with the language they are labelled with. */
export function fencedBlocks(markdown: string): { lang: string; body: string; line: number }[] {
  const out: { lang: string; body: string; line: number }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j]!.trim() !== '```'; j++) body.push(lines[j]!.slice(indent));
    out.push({ lang: open[2]!, body: body.join('\n'), line: i + 1 });
    i = j;
  }
  return out;
}

/** Each kubectl invocation of a command line (split at pipes, &&, ; and command substitutions). */
function kubectlInvocations(command: string): string[] {
  return command
    .split('\n')
    .map((l) => l.replace(/\s#\s.*$/, ''))
    .flatMap((l) => l.split(/\|\||&&|\||;|\$\(|`/))
    .map((s) => s.trim())
    .filter((s) => /^kubectl\s/.test(s));
}

/** Cluster-scoped targets and client-only invocations (local edits, `kubectl config` on the local kubeconfig) need no namespace. */
const CLUSTER_SCOPED = /(\bconfig view\b|\bcreate namespace\b|\bclusterissuer\/|\bget namespace\b|\bapply -f - *$|\s--local\b|\s-A\b)/;

describe('runbook commands run as written', () => {
  it.each(reports.map((r) => [r.env.name, r] as const))('every shell block of the %s report parses with its labelled shell', (_name, { report }) => {
    const blocks = fencedBlocks(reportMarkdown(report)).filter((b) => b.lang === 'sh' || b.lang === 'bash');
    expect(blocks.length).toBeGreaterThan(5);
    const check = (b: { lang: string; body: string; line: number }): string[] => {
      const r = spawnSync(b.lang === 'bash' ? 'bash' : 'sh', ['-n'], { input: b.body, encoding: 'utf8' });
      return r.status === 0 ? [] : [`line ${b.line} (${b.lang}): ${r.stderr.trim()}: ${b.body.split('\n')[Number(/: (\d+):/.exec(r.stderr)?.[1] ?? 1) - 1]}`];
    };
    // One shell per language parses every block of that language at once; only when that fails are the
    // blocks parsed one by one, for a message that names the block.
    const failures = (['sh', 'bash'] as const).flatMap((lang) => {
      const mine = blocks.filter((b) => b.lang === lang);
      if (mine.length === 0 || check({ lang, body: mine.map((b) => b.body).join('\n'), line: 0 }).length === 0) return [];
      return mine.flatMap(check);
    });
    expect(failures).toEqual([]);
  });

  it.each(reports.map((r) => [r.env.name, r] as const))('every kubectl command of the %s bootstrap runbook names its context and namespace', (_name, { report }) => {
    const bad = report.runbook.flatMap((step) =>
      step.commands.flatMap(kubectlInvocations).filter((k) => (!/--context[ =]\S+/.test(k) && !/--local\b/.test(k)) || (!/(^|\s)(-n |--namespace=)\S+/.test(k) && !CLUSTER_SCOPED.test(k))).map((k) => `${step.id}: ${k}`),
    );
    expect(bad).toEqual([]);
  });

  it.each(reports.map((r) => [r.env.name, r] as const))('the %s runbook logs in to Argo CD before any argocd command, and argocd never prompts', (_name, { report }) => {
    const lines = report.runbook.flatMap((s) => s.commands.flatMap((c) => c.split('\n')).filter((l) => /^argocd\s/.test(l)).map((l) => ({ id: s.id, l })));
    expect(lines[0]).toMatchObject({ id: 'argocd-login' });
    expect(lines[0]!.l).toMatch(/^argocd login "\$\{ARGOCD_SERVER:\?[^}]+\}" --grpc-web /);
    for (const { l } of lines.filter((x) => x.l.startsWith('argocd cluster add '))) expect(l).toMatch(/ --yes$/);
  });
});

describe('the Vault bootstrap waits instead of checking once, and sets the PKI URLs', () => {
  const prod = reports[0]!;
  const step = (id: string): readonly string[] => prod.report.runbook.find((s) => s.id === id)!.commands;

  it('waits for all Raft voters with a bounded loop that says what to do on timeout', () => {
    const voters = prod.env.vault!.quorum.voters;
    const loop = step('vault-init').find((c) => c.startsWith('i=0; until '))!;
    expect(loop).toContain(`-ge ${voters} ]`);
    expect(loop).toMatch(/if \[ "\$i" -ge 60 \]; then echo "fewer than 9 Raft voters after 10 minutes: [^"]+" >&2; break; fi; sleep 10; done$/);
    // the loop comes before the final list, right after init
    const cmds = step('vault-init');
    expect(cmds.indexOf(loop)).toBeGreaterThan(cmds.findIndex((c) => c.includes('operator init')));
  });

  it('retries at once the Certificates that failed while Vault was not ready, in every cluster', () => {
    const cmds = step('vault-verify');
    for (const c of prod.env.clusters) {
      const wait = cmds.findIndex((x) => x.startsWith(`kubectl --context ${c.name} wait clusterissuer/`));
      const renew = cmds.findIndex((x) => x.startsWith(`kubectl --context ${c.name} get certificates -A -o json | jq -r `) && x.endsWith(`do cmctl renew --context ${c.name} -n "$ns" "$name"; done`));
      expect([c.name, wait >= 0, renew > wait]).toEqual([c.name, true, true]);
    }
  });

  it("configures the AIA and CRL locations at a name that Vault's certificate carries, once the intermediate is set", () => {
    const cmds = step('vault-pki-intermediate');
    expect(cmds.at(-1)).toBe('vault write pki/config/urls issuing_certificates=https://vault.vault.svc:8200/v1/pki/ca crl_distribution_points=https://vault.vault.svc:8200/v1/pki/crl');
    expect(cmds.at(-2)).toContain('/intermediate/set-signed');
    // Vault serves TLS only: a client following the URL verifies the host against Vault's certificate
    const prod = loadTopology('environments').environments.find((e) => e.name === 'prod')!;
    const hosts = [...cmds.at(-1)!.matchAll(/https:\/\/([^:/]+)/g)].map((m) => m[1]!);
    for (const host of hosts) expect(vaultServerDnsNames(prod.vault!, VAULT_SERVICE)).toContain(host);
  });
});
