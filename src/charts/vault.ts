import type { Construct } from 'constructs';
import { VaultCluster, ZoneSpread } from '../constructs/vault-cluster';
import { VAULT_SERVICE } from '../lib/names';
import type { ClusterView } from '../topology';
import { VAULT_CONFIG_KEY, VAULT_CONFIG_MAP, VAULT_SERVER_TLS_SECRET, VAULT_SERVICE_ACCOUNT, VAULT_STATEFULSET } from '../topology/vault';
import { MeridianChart } from './meridian-chart';

/** This cluster's Vault pods, members of the one Raft group that spans its member clusters. Empty without `vault` and outside `vault.clusters`. */
export class VaultChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'vault', { environment: view.environment.name, cluster: view.cluster.name });
    const member = view.vaultMember;
    if (!member) return;
    const vault = member.store;
    new VaultCluster(this, 'Vault', {
      namespace: vault.namespace,
      image: vault.image,
      replicas: vault.replicasPerCluster,
      storageGiB: vault.storageGiB,
      name: VAULT_STATEFULSET,
      headlessService: vault.headlessService,
      clientService: VAULT_SERVICE,
      serviceAccount: VAULT_SERVICE_ACCOUNT,
      configMap: VAULT_CONFIG_MAP,
      configFile: { key: VAULT_CONFIG_KEY, content: member.serverConfig },
      tlsSecret: VAULT_SERVER_TLS_SECRET,
      addressing: member.addressing,
      sealEnv: member.seal.env,
      sealFiles: member.seal.files,
      zoneSpread: member.zoneSpreadRequired ? ZoneSpread.REQUIRED : ZoneSpread.PREFERRED,
      clientNamespaces: member.clientNamespaces,
      peerNetworks: member.peerNetworks,
      remoteClientNetworks: member.remoteClientNetworks,
      egressPorts: member.egressPorts,
      podSecurity: member.podSecurity,
      dns: member.dns,
    });
  }
}
