// Backups (Vault snapshot CronJob, CockroachDB schedule Job, restore steps as text) and the
// progressive rollout (steps per region, MER141 on the synthesized ApplicationSet).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CockroachDbBackupScheduleJob } from '../../src/constructs/cockroachdb-backup-schedule-job';
import { VaultSnapshotCronJob } from '../../src/constructs/vault-snapshot-cron-job';
import { buildReport } from '../../src/report/model';
import { backupRpo, cockroachScheduleSql, restoreSteps, retentionCommand } from '../../src/topology/backup';
import { configOperatorPolicy } from '../../src/topology/pki';
import { rolloutSteps } from '../../src/topology/rollout';
import { treeFromFiles, validateTree, violationLine } from '../../src/validate';
import { chart, synthValid } from '../constructs/helpers';
import { FIXTURE_ENVIRONMENTS, docs, objectsOf, synthFixture, topologyOf } from '../helpers';

const ops = topologyOf(`${FIXTURE_ENVIRONMENTS}/operate.yaml`).environments[0]!;
const bundle = synthFixture('operate');

function cronJob(): any[] {
  const c = chart();
  new VaultSnapshotCronJob(c, 'snap', {
    name: 'vault-snapshot',
    namespace: 'vault',
    schedule: '@hourly',
    vaultImage: 'hashicorp/vault:1.17.6',
    uploadImage: 'amazon/aws-cli:2.17.0',
    serviceAccount: 'vault-snapshot',
    vaultAddress: 'https://vault.vault.svc:8200',
    ca: { secret: 'vault-tls', key: 'ca.crt' },
    loginPath: 'auth/kubernetes-a/login',
    role: 'vault-snapshot',
    destination: 's3://b/p/vault/a',
    credentialsSecret: 'creds',
    vaultPodSelector: { app: 'vault' },
    vaultPort: 8200,
    clusterNetworks: ['10.1.0.0/16', '10.0.0.0/16', '10.0.0.0/16'],
    podSecurity: { ids: { runAsUser: 100, runAsGroup: 1000, fsGroup: 1000 } },
    dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53] },
  });
  return synthValid(c);
}

describe('VaultSnapshotCronJob', () => {
  const objects = cronJob();
  const job = objects.find((o) => o.kind === 'CronJob');
  const pod = job.spec.jobTemplate.spec.template.spec;

  it('logs in as the snapshot role with its own ServiceAccount, saves a snapshot and uploads it, never overlapping', () => {
    expect(job.spec).toMatchObject({ schedule: '@hourly', concurrencyPolicy: 'Forbid' });
    expect(pod.serviceAccountName).toBe('vault-snapshot');
    expect(objects.find((o) => o.kind === 'ServiceAccount').metadata).toEqual({ name: 'vault-snapshot', namespace: 'vault' });
    expect(pod.initContainers[0].command[2]).toBe(
      'set -eu\nVAULT_TOKEN=$(vault write -field=token auth/kubernetes-a/login role=vault-snapshot jwt=@/var/run/secrets/kubernetes.io/serviceaccount/token)\nexport VAULT_TOKEN\nvault operator raft snapshot save /snapshot/vault.snap',
    );
    expect(pod.containers[0].command[2]).toBe('set -eu\naws s3 cp --only-show-errors /snapshot/vault.snap "s3://b/p/vault/a/vault-$(date -u +%Y%m%dT%H%M%SZ).snap"');
    // credentials by reference only; only the CA key of Vault's TLS Secret is mounted
    for (const e of pod.containers[0].env.filter((x: any) => x.name.startsWith('AWS_'))) expect(e.value).toBeUndefined();
    expect(pod.volumes.find((v: any) => v.name === 'ca').secret.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
  });

  it('reaches only DNS, the Vault pods and TCP 443 outside the cluster networks, and is admitted by the Vault pods', () => {
    const egress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'vault-snapshot').spec;
    expect(egress.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(egress.ingress).toBeUndefined();
    expect(egress.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { to: [{ podSelector: { matchLabels: { app: 'vault' } } }], ports: [{ protocol: 'TCP', port: 8200 }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/16', '10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    const ingress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'vault-snapshot-to-vault').spec;
    expect(ingress).toEqual({ podSelector: { matchLabels: { app: 'vault' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: job.spec.jobTemplate.spec.template.metadata.labels } }], ports: [{ protocol: 'TCP', port: 8200 }] }] });
  });

  it('meets Pod Security "restricted" in the synthesized bundle (MER040) and holds no secret (MER030)', () => {
    expect(validateTree(treeFromFiles(bundle.files), { rules: ['MER030', 'MER040', 'MER050'] }).map(violationLine)).toEqual([]);
    expect(objectsOf(bundle, 'opsb', 'CronJob').map((j) => j.metadata.name)).toEqual(['vault-snapshot']);
  });
});

describe('Vault snapshot role and policy', () => {
  it('bind the role to the CronJob ServiceAccount in the Vault namespace, with a policy that only reads the snapshot', () => {
    for (const c of ops.clusters) {
      const role = objectsOf(bundle, c.name, 'KubernetesAuthEngineRole').find((r) => r.metadata.name === 'vault-snapshot');
      expect(role.spec).toMatchObject({ path: `kubernetes-${c.name}`, name: 'vault-snapshot', targetServiceAccounts: ['vault-snapshot'], targetNamespaces: { targetNamespaces: ['vault'] }, policies: ['vault-snapshot'], tokenTTL: 300 });
    }
    const policies = ops.clusters.flatMap((c) => objectsOf(bundle, c.name, 'Policy').filter((p) => p.metadata.name === 'vault-snapshot').map((p) => [c.name, p] as const));
    expect(policies.map(([c]) => c)).toEqual(['opsa']);
    expect(JSON.parse(policies[0]![1].spec.policy)).toEqual({ path: { 'sys/storage/raft/snapshot': { capabilities: ['read'] } } });
    // the bootstrap cluster's vault-config-operator may write that policy, the others may not
    expect(configOperatorPolicy(ops, 'opsa').path['sys/policies/acl/vault-snapshot']).toEqual({ capabilities: ['create', 'read', 'update', 'delete'] });
    expect(configOperatorPolicy(ops, 'opsb').path['sys/policies/acl/vault-snapshot']).toBeUndefined();
  });
});

describe('CockroachDB backup schedule', () => {
  it('is created idempotently, with revision history, from the bootstrap cluster only', () => {
    expect(cockroachScheduleSql(ops.backup!)).toBe(
      "CREATE SCHEDULE IF NOT EXISTS meridian_backup FOR BACKUP INTO 's3://ops-backups/meridian/cockroachdb?AWS_ACCESS_KEY_ID=$KEY_ID&AWS_SECRET_ACCESS_KEY=$SECRET' WITH revision_history RECURRING '@daily' WITH SCHEDULE OPTIONS first_run = 'now';",
    );
    expect(ops.clusters.map((c) => objectsOf(bundle, c.name, 'Job').filter((j) => j.metadata.name === 'cockroachdb-backup-schedule').length)).toEqual([1, 0, 0, 0]);
  });

  it('fills in URL-encoded credentials at run time (bash), never in the manifest', () => {
    const c = chart();
    new CockroachDbBackupScheduleJob(c, 'j', { name: 'j', namespace: 'cockroachdb', image: 'cockroachdb/cockroach:v24.2.4', host: 'cockroachdb-public:26257', rootClientSecret: 'root', sql: cockroachScheduleSql(ops.backup!), credentialsSecret: 'creds', serviceAccount: 'cockroachdb', podSecurity: { ids: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 } } });
    const [job] = synthValid(c);
    const container = job.spec.template.spec.containers[0];
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('Sync');
    expect(stringify(job)).not.toMatch(/AKIA|wJalr/);
    // run the script up to the statement, with example credentials, and print the statement
    const script = container.command[2].split('\n').filter((l: string) => !l.startsWith('until') && !l.startsWith('echo')).join('\n');
    const run = spawnSync('bash', ['--norc', '--noprofile', '-c', `${script}\nprintf '%s' "$STATEMENT"`, 'j', ...container.args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalr/K7+MDENG=x' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      "CREATE SCHEDULE IF NOT EXISTS meridian_backup FOR BACKUP INTO 's3://ops-backups/meridian/cockroachdb?AWS_ACCESS_KEY_ID=AKIAEXAMPLE&AWS_SECRET_ACCESS_KEY=wJalr%2FK7%2BMDENG%3Dx' WITH revision_history RECURRING '@daily' WITH SCHEDULE OPTIONS first_run = 'now';",
    );
  });
});

describe('RPO, retention and restore', () => {
  it('give the RPO of the schedule and enforce retention with a lifecycle rule on the prefix', () => {
    expect(backupRpo({ schedule: '@hourly' }).seconds).toBe(3600);
    expect(backupRpo(ops.backup!).text).toMatch(/^24 hours \(the @daily schedule/);
    expect(retentionCommand(ops.backup!)).toBe(
      `aws s3api put-bucket-lifecycle-configuration --bucket ops-backups --lifecycle-configuration '{"Rules":[{"ID":"meridian-retention","Status":"Enabled","Filter":{"Prefix":"meridian/"},"Expiration":{"Days":30}}]}'`,
    );
    const report = buildReport(ops);
    expect(report.operations.backup).toMatchObject({ destination: 's3://ops-backups/meridian', rpoSeconds: 86400, retentionDays: 30 });
    expect(report.runbook.map((s) => s.id)).toEqual(expect.arrayContaining(['backup-credentials', 'backup-retention', 'backup-schedule-check']));
  });

  it('restore each store with these exact commands', () => {
    const uri = "'s3://ops-backups/meridian/cockroachdb?AWS_ACCESS_KEY_ID=<key id>&AWS_SECRET_ACCESS_KEY=<url-encoded secret>'";
    const sql = 'kubectl --context=opsa --namespace=cockroachdb exec -i cockroachdb-0 -- /cockroach/cockroach sql --certs-dir=/cockroach/cockroach-certs --host=localhost:26257';
    expect(restoreSteps(ops).map((s) => [s.store, s.commands])).toEqual([
      [
        'cockroachdb',
        [
          `${sql} -e "SHOW BACKUPS IN ${uri};"`,
          `${sql} -e "RESTORE FROM LATEST IN ${uri};"`,
          `# a point in time inside the revision history instead: RESTORE FROM LATEST IN ${uri} AS OF SYSTEM TIME '<timestamp>';`,
          `# one database only (it must not exist): RESTORE DATABASE <name> FROM LATEST IN ${uri};`,
        ],
      ],
      [
        'vault',
        [
          'aws s3 ls s3://ops-backups/meridian/vault/opsa/    # pick the newest vault-<UTC time>.snap',
          'aws s3 cp s3://ops-backups/meridian/vault/opsa/<file> vault.snap',
          'kubectl --context opsa -n vault cp vault.snap vault-0:/vault/data/restore.snap',
          "kubectl --context opsa -n vault exec -it vault-0 -- sh -c 'VAULT_TOKEN=<root or sudo token> vault operator raft snapshot restore -force /vault/data/restore.snap && rm /vault/data/restore.snap'",
          'kubectl --context opsa -n vault exec vault-0 -- vault operator raft list-peers    # every pod of every member cluster rejoins',
        ],
      ],
    ]);
  });
});

describe('progressive rollout', () => {
  it('has one step per region, regions in file order, clusters in file order', () => {
    expect(rolloutSteps(ops.clusters)).toEqual([['opsa', 'opsc'], ['opsb'], ['opsd']]);
  });

  it('passes MER141/MER142 as synthesized, and MER141 fails once a step syncs two clusters\' store members at once', () => {
    expect(validateTree(treeFromFiles(bundle.files), { rules: ['MER141', 'MER142'] })).toEqual([]);
    const files = new Map(bundle.files);
    const set = docs(files.get('argocd/ops.yaml')!).find((d) => d.kind === 'ApplicationSet');
    set.spec.strategy.rollingSync.steps[0].maxUpdate = 2;
    const others = docs(files.get('argocd/ops.yaml')!).filter((d) => d.kind !== 'ApplicationSet');
    files.set('argocd/ops.yaml', [...others, set].map((d) => stringify(d)).join('---\n'));
    const v = validateTree(treeFromFiles(files), { rules: ['MER141'] });
    // CockroachDB: 3 nodes in each of 4 clusters, quorum 7: opsa and opsc together leave 6;
    // Vault: 1 voter in each of 4 clusters, quorum 3: opsa and opsc together leave 2
    expect(v.map((x) => x.message)).toEqual([
      expect.stringMatching(/step 1 of ApplicationSet meridian-ops syncs opsa, opsc at the same time: a change that restarts cockroachdb cockroachdb\/cockroachdb takes 6 of its 12 voters down together and leaves 6 < quorum 7/),
      expect.stringMatching(/step 1 of ApplicationSet meridian-ops syncs opsa, opsc at the same time: a change that restarts vault vault\/vault takes 2 of its 4 voters down together and leaves 2 < quorum 3/),
    ]);
  });
});
