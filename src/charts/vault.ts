import type { Construct } from 'constructs';
import { VaultCluster, ZoneSpread } from '../constructs/vault-cluster';
import { VAULT_SERVICE } from '../lib/names';
import type { ClusterView } from '../topology';
import {
  VAULT_CONFIG_KEY,
  VAULT_CONFIG_MAP,
  VAULT_SERVER_TLS_SECRET,
  VAULT_SERVICE_ACCOUNT,
  VAULT_STATEFULSET,
  renderVaultServerConfig,
  vaultClientServiceNamespaces,
  vaultEgressPorts,
  vaultPeerNetworks,
  vaultPodAddressing,
  vaultSeal,
  vaultServerConfig,
  vaultZoneSpreadRequired,
} from '../topology/vault';
import { CERT_MANAGER, VAULT_CONFIG_OPERATOR } from '../lib/names';
import { MeridianChart } from './meridian-chart';

/** This cluster's Vault pods, members of the one Raft group that spans every cluster. Empty without `vault`. */
export class VaultChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'vault', { environment: view.environment.name, cluster: view.cluster.name });
    const vault = view.vault;
    if (!vault) return;
    const env = view.environment;
    const seal = vaultSeal(vault.seal);
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
      configFile: { key: VAULT_CONFIG_KEY, content: renderVaultServerConfig(vaultServerConfig(vault, { metrics: env.monitoring === 'prometheus-operator' })) },
      tlsSecret: VAULT_SERVER_TLS_SECRET,
      addressing: vaultPodAddressing(vault, view.cluster.name),
      sealEnv: seal.env,
      sealFiles: seal.files,
      zoneSpread: vaultZoneSpreadRequired(view.cluster, vault.replicasPerCluster) ? ZoneSpread.REQUIRED : ZoneSpread.PREFERRED,
      clientNamespaces: [...new Set([...vaultClientServiceNamespaces(view), CERT_MANAGER.namespace, VAULT_CONFIG_OPERATOR.namespace])].sort(),
      peerNetworks: vaultPeerNetworks(env),
      egressPorts: vaultEgressPorts({ clusters: env.clusters, vault }),
    });
  }
}
