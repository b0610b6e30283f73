import type { Construct } from 'constructs';
import { CockroachDbBackupScheduleJob } from '../constructs/cockroachdb-backup-schedule-job';
import { VaultConfiguration } from '../constructs/vault-config';
import { VaultSnapshotCronJob } from '../constructs/vault-snapshot-cron-job';
import { selectorLabels } from '../lib/labels';
import type { ClusterView } from '../topology';
import { BACKUP, vaultSnapshotPolicy } from '../topology/backup';
import { COCKROACHDB } from '../topology/cockroachdb';
import { renderVaultPolicy, VAULT_CONFIG_IDENTITY } from '../topology/pki';
import { VAULT_PORTS, VAULT_SERVER_TLS_SECRET, VAULT_STATEFULSET } from '../topology/vault';
import { MeridianChart } from './meridian-chart';

/**
 * Scheduled backups of the stores (`backup`): in every Vault cluster a CronJob that saves a Raft
 * snapshot to `<destination>/vault/<cluster>` with a Vault role that may do nothing else (its policy
 * once, from the bootstrap cluster); in the bootstrap cluster the Job that creates CockroachDB's
 * backup schedule into `<destination>/cockroachdb`. Empty without `backup`.
 */
export class BackupChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'backup', { environment: view.environment.name, cluster: view.cluster.name });
    const backup = view.backup;
    if (!backup) return;

    const vault = view.vault;
    const snapshot = backup.vault;
    if (vault && snapshot) {
      new VaultSnapshotCronJob(this, 'VaultSnapshot', {
        name: BACKUP.vaultCronJob,
        namespace: vault.namespace,
        schedule: snapshot.schedule,
        vaultImage: vault.image,
        uploadImage: BACKUP.uploadImage,
        serviceAccount: BACKUP.vaultServiceAccount,
        vaultAddress: snapshot.address,
        ca: { secret: VAULT_SERVER_TLS_SECRET, key: 'ca.crt' },
        loginPath: snapshot.loginPath,
        role: BACKUP.vaultRole,
        destination: snapshot.destination,
        credentialsSecret: backup.credentialsSecret,
        vaultPodSelector: selectorLabels('vault', VAULT_STATEFULSET),
        vaultPort: VAULT_PORTS.api,
        clusterNetworks: snapshot.clusterNetworks,
        podSecurity: view.vaultMember!.podSecurity,
        dns: view.platform.dns,
      });
      // The role on this cluster's auth mount (the vault-config-operator of this cluster owns the
      // mount's roles); the policy is shared, written once by the bootstrap cluster's operator.
      const config = new VaultConfiguration(this, 'VaultConfiguration', {
        namespace: vault.namespace,
        login: { mount: snapshot.mount, role: VAULT_CONFIG_IDENTITY.role, serviceAccount: VAULT_CONFIG_IDENTITY.serviceAccount },
        connection: { address: snapshot.address, tlsSecret: VAULT_CONFIG_IDENTITY.tlsSecret },
      });
      config.addKubernetesAuthRole({
        name: BACKUP.vaultRole,
        mount: snapshot.mount,
        role: BACKUP.vaultRole,
        serviceAccounts: [BACKUP.vaultServiceAccount],
        namespaces: [vault.namespace],
        policies: [BACKUP.vaultPolicy],
        tokenTtlSeconds: BACKUP.vaultTokenTtlSeconds,
      });
      if (snapshot.writesPolicy) config.addPolicy({ name: BACKUP.vaultPolicy, policy: BACKUP.vaultPolicy, document: renderVaultPolicy(vaultSnapshotPolicy()) });
    }

    const db = view.cockroachdb;
    const schedule = backup.cockroachdb;
    if (db && schedule) {
      new CockroachDbBackupScheduleJob(this, 'CockroachDbSchedule', {
        name: BACKUP.cockroachJob,
        namespace: db.namespace,
        image: db.image,
        host: schedule.host,
        rootClientSecret: COCKROACHDB.rootSecret,
        sql: schedule.sql,
        credentialsSecret: backup.credentialsSecret,
        serviceAccount: COCKROACHDB.statefulSet,
        podSecurity: view.cockroachdbMember!.podSecurity,
      });
    }
  }
}
