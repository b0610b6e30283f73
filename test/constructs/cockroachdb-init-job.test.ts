import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CockroachDbInitJob, type CockroachDbInitJobProps } from '../../src/constructs/cockroachdb-init-job';
import { kubeletExpand, tempDir } from '../helpers';

const props: CockroachDbInitJobProps = {
  name: 'cockroachdb-init',
  namespace: 'crdb',
  image: 'cockroachdb/cockroach:v24.2.4',
  hosts: ['a.example:26257', 'b.example:26257'],
  rootClientSecret: 'root-tls',
  serviceAccount: 'cockroachdb',
  podSecurity: { ids: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 } },
};

function job(overrides: Partial<CockroachDbInitJobProps> = {}): any {
  const chart = Testing.chart();
  new CockroachDbInitJob(chart, 'Init', { ...props, ...overrides });
  return Testing.synth(chart).find((o) => o.kind === 'Job');
}

/**
 * Runs the Job's container command with bash, `cockroach` replaced by a fake that answers per host
 * from `answers` (exit code and output) and records each call.
 */
function runScript(answers: Record<string, [number, string]>): { status: number; calls: string[]; stdout: string } {
  const dir = tempDir('crdb-init-');
  const log = path.join(dir, 'calls');
  const fake = path.join(dir, 'cockroach');
  const cases = Object.entries(answers)
    .map(([host, [code, out]]) => `  --host=${host}) echo '${out}'; exit ${code};;`)
    .join('\n');
  fs.writeFileSync(fake, `#!/bin/bash\necho "$*" >> ${log}\ncase "$2" in\n${cases}\nesac\necho 'unexpected'; exit 2\n`, { mode: 0o755 });
  const container = job().spec.template.spec.containers[0];
  const [shell, flag, script, name] = container.command;
  const patched = (script as string).replaceAll('/cockroach/cockroach', fake).replace('sleep 5', 'exit 7');
  let status = 0;
  let stdout = '';
  try {
    stdout = execFileSync(shell, [flag, patched, name, ...container.args], { encoding: 'utf8' });
  } catch (e: any) {
    status = e.status;
    stdout = e.stdout;
  }
  return { status, calls: fs.readFileSync(log, 'utf8').trim().split('\n'), stdout };
}

describe('CockroachDbInitJob', () => {
  it('defaults', () => {
    expect(job()).toMatchSnapshot();
  });

  it('runs as an Argo CD Sync hook, never PostSync', () => {
    const annotations = job().metadata.annotations;
    expect(annotations['argocd.argoproj.io/hook']).toBe('Sync');
    expect(annotations['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation');
    expect(JSON.stringify(job())).not.toContain('PostSync');
  });

  it('meets Pod Security restricted and mounts the root client certificate under the names cockroach reads', () => {
    const pod = job().spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.fsGroup).toBe(pod.securityContext.runAsGroup);
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const source = pod.volumes[0].projected;
    expect(source.defaultMode).toBe(0o400);
    expect(source.sources[0].secret).toEqual({
      name: 'root-tls',
      items: [
        { key: 'ca.crt', path: 'ca.crt' },
        { key: 'tls.crt', path: 'client.root.crt' },
        { key: 'tls.key', path: 'client.root.key' },
      ],
    });
    expect(pod.containers[0].env).toContainEqual({ name: 'COCKROACH_CERTS_DIR', value: '/cockroach/cockroach-certs' });
  });

  it('reaches bash exactly as written: the kubelet $(VAR) expansion leaves the script alone', () => {
    const container = job().spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    for (const part of [...container.command, ...container.args]) expect(kubeletExpand(part, env)).toBe(part);
  });

  it('succeeds when the first node initializes the cluster', () => {
    const run = runScript({ 'a.example:26257': [0, 'Cluster successfully initialized'] });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual(['init --host=a.example:26257']);
  });

  it('counts "already initialized" as success', () => {
    const run = runScript({ 'a.example:26257': [1, 'ERROR: cluster has already been initialized'] });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('cluster is already initialized');
  });

  it('tries the next node when one does not answer yet', () => {
    const run = runScript({ 'a.example:26257': [1, 'ERROR: cannot dial server'], 'b.example:26257': [0, 'Cluster successfully initialized'] });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual(['init --host=a.example:26257', 'init --host=b.example:26257']);
  });

  it('waits and retries when no node answers (a real error never counts as success)', () => {
    // the test replaces the pause with exit 7 to observe that the loop would go round again
    const run = runScript({ 'a.example:26257': [1, 'ERROR: cannot dial server'], 'b.example:26257': [1, 'ERROR: x509: certificate signed by unknown authority'] });
    expect(run.status).toBe(7);
  });

  it('fails without a node to initialize through', () => {
    expect(() => job({ hosts: [] })).toThrow(/needs at least one node/);
  });
});

describe('the CockroachDB Sync hooks are cheap and bounded when re-run (#15 finding 4)', () => {
  it('the init Job: one pod retry, a deadline of at most 10 minutes, and one RPC on an initialized cluster', () => {
    const spec = job().spec;
    expect(spec.backoffLimit).toBe(1);
    expect(spec.activeDeadlineSeconds).toBeLessThanOrEqual(600);
    const run = runScript({ 'a.example:26257': [1, 'ERROR: cluster has already been initialized'], 'b.example:26257': [0, 'never asked'] });
    expect(run.calls).toEqual(['init --host=a.example:26257']);
  });

  it('the backup schedule Job: a Sync hook with one pod retry and a deadline of at most 10 minutes', async () => {
    const { CockroachDbBackupScheduleJob } = await import('../../src/constructs/cockroachdb-backup-schedule-job');
    const chart = Testing.chart();
    new CockroachDbBackupScheduleJob(chart, 'S', { name: 's', namespace: 'crdb', image: props.image, host: 'cockroachdb-public:26257', rootClientSecret: 'root-tls', sql: 'CREATE SCHEDULE IF NOT EXISTS x FOR BACKUP INTO $KEY_ID RECURRING \'@daily\';', credentialsSecret: 'creds', serviceAccount: 'cockroachdb', podSecurity: props.podSecurity });
    const s = Testing.synth(chart).find((o) => o.kind === 'Job');
    expect(s.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    expect(s.spec.backoffLimit).toBe(1);
    expect(s.spec.activeDeadlineSeconds).toBeLessThanOrEqual(600);
  });
});
