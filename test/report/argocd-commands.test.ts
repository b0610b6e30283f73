// Every argocd command of every runbook runs as written (issue #15, finding 6): after the login step of
// its runbook (bootstrap and each day-2 runbook alike), and with the flags that keep it from prompting
// (argo-cd docs/user-guide/commands: `cluster add` asks about the argocd-manager ServiceAccount,
// `cluster rm` and `app delete` ask for confirmation, without `--yes`) and from waiting forever.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/main';
import { addClusterRunbook, day2Runbooks } from '../../src/report/day2';
import { runbook, type RunbookStep } from '../../src/report/runbook';
import type { Environment } from '../../src/topology';
import { topologyOf } from '../helpers';

const FIXTURES = 'test/fixtures/environments';
const environments: Environment[] = [
  ...loadTopology('environments').environments,
  ...fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => topologyOf(path.join(FIXTURES, f)).environments),
];

/** Each argocd invocation of a command line, comments included (a user copies those too). */
export function argocdInvocations(command: string): string[] {
  const out: string[] = [];
  for (const line of command.split('\n')) {
    for (const m of line.matchAll(/(?:^|[;&|(#:]\s*)(argocd\s+[^;&|)#]*)/g)) out.push(m[1]!.trim());
  }
  return out;
}

/** What an argocd invocation needs to run unattended; the empty list when it has it. */
export function argocdProblems(invocation: string): string[] {
  const words = invocation.split(/\s+/);
  const sub = words.slice(1, 3).join(' ');
  const has = (...flags: string[]): boolean => flags.some((f) => words.includes(f) || words.some((w) => w.startsWith(`${f}=`)));
  const problems: string[] = [];
  if (sub.startsWith('login')) {
    if (!has('--grpc-web')) problems.push('login without --grpc-web');
    if (!has('--sso', '--username')) problems.push('login without --sso or --username');
  } else if (sub === 'cluster add') {
    if (!has('--yes', '-y')) problems.push('cluster add without --yes (it prompts about the argocd-manager ServiceAccount)');
    if (!has('--name')) problems.push('cluster add without --name (the Argo CD cluster must be named like the folder)');
  } else if (sub === 'cluster rm' || sub === 'app delete') {
    if (!has('--yes', '-y')) problems.push(`${sub} without --yes (it asks for confirmation)`);
  } else if (sub === 'app wait') {
    if (!has('--timeout')) problems.push('app wait without --timeout (it would wait forever)');
    if (!has('--sync', '--health')) problems.push('app wait without --sync or --health');
  } else if (sub === 'app sync') {
    if (!has('-l', '--selector') && !/^meridian-[a-z0-9-]+$/.test(words[3] ?? '')) problems.push('app sync of no Application meridian names');
  } else if (!['account get-user-info', 'cluster list', 'app get'].includes(sub)) {
    problems.push(`argocd ${sub}: not a command the runbooks are known to run unattended`);
  }
  return problems;
}

/** Every argocd invocation a runbook runs before its login step, and each one that lacks a flag. */
export function argocdFindings(steps: readonly RunbookStep[]): string[] {
  const out: string[] = [];
  const login = steps.findIndex((s) => s.commands.some((c) => argocdInvocations(c).some((i) => /^argocd login /.test(i))));
  steps.forEach((step, i) => {
    for (const c of step.commands) {
      for (const inv of argocdInvocations(c)) {
        if (/^argocd login /.test(inv)) continue;
        if (login < 0 || i <= login) out.push(`${step.id}: \`${inv}\` runs before any argocd login`);
        for (const p of argocdProblems(inv)) out.push(`${step.id}: \`${inv}\`: ${p}`);
      }
    }
  });
  return out;
}

describe.each(environments.map((env) => [env.name, env] as const))('argocd commands of the runbooks of %s', (_name, env) => {
  const runbooks: [string, readonly RunbookStep[]][] = [
    ['bootstrap', runbook(env)],
    ...day2Runbooks(env).map((r): [string, readonly RunbookStep[]] => [r.id, r.steps]),
    ['add-cluster', addClusterRunbook({ ...env, clusters: [...env.clusters, { ...env.clusters[0]!, name: 'added' }] }, 'added').steps],
  ];

  it('each runbook has argocd commands only after its login, each with the flags it needs to run unattended', () => {
    for (const [name, steps] of runbooks) expect(argocdFindings(steps), name).toEqual([]);
  });
});

describe('the argocd command check', () => {
  const step = (id: string, ...commands: string[]): RunbookStep => ({ id, title: id, why: id, commands });
  const login = step('argocd-login', 'argocd login "$ARGOCD_SERVER" --grpc-web --sso');

  it('fails a command before the login, a prompt and an unbounded wait', () => {
    expect(argocdFindings([step('early', 'argocd app wait -l a=b --sync --timeout 60'), login])).toEqual(['early: `argocd app wait -l a=b --sync --timeout 60` runs before any argocd login']);
    expect(argocdFindings([login, step('add', 'argocd cluster add c1 --name c1')])).toEqual(['add: `argocd cluster add c1 --name c1`: cluster add without --yes (it prompts about the argocd-manager ServiceAccount)']);
    expect(argocdFindings([login, step('rm', 'argocd cluster rm c1')])).toEqual(['rm: `argocd cluster rm c1`: cluster rm without --yes (it asks for confirmation)']);
    expect(argocdFindings([login, step('wait', 'kubectl get x && argocd app wait -l a=b --sync')])).toEqual(['wait: `argocd app wait -l a=b --sync`: app wait without --timeout (it would wait forever)']);
  });

  it('finds argocd in pipelines and comments', () => {
    expect(argocdInvocations('# to change it: x -e "y" && argocd app sync -l meridian.dev/cluster=c1')).toEqual(['argocd app sync -l meridian.dev/cluster=c1']);
  });
});
