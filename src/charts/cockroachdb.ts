import type { Construct } from 'constructs';
import { CockroachDbCertificate, CockroachDbIdentity } from '../constructs/cockroachdb-certificate';
import { CockroachDbCluster } from '../constructs/cockroachdb-cluster';
import { CockroachDbInitJob } from '../constructs/cockroachdb-init-job';
import { CockroachDbNetworkPolicy } from '../constructs/cockroachdb-network-policy';
import { CaIssuer, type IIssuer, VaultIssuer } from '../constructs/issuer';
import { BOOTSTRAP_ISSUER, CERT_MANAGER, cockroachClientCertificateSecret, COCKROACHDB_PUBLIC_SERVICE, sqlUser, VAULT_SERVICE } from '../lib/names';
import type { ClusterView, Service } from '../topology';
import { COCKROACHDB, initHosts, localSqlClients, nodeCertificateDnsNames } from '../topology/cockroachdb';
import { authMountPath, cockroachdbIssuer, type NamespacedVaultIssuerPlan, ROOT_CA_BUNDLE_KEY, rootCaBundleSecret, sqlClientIssuer } from '../topology/pki';
import { vaultLocalServiceURL } from '../topology/vault';
import { cockroachDbEgress } from '../topology/network-policy';
import { MeridianChart } from './meridian-chart';

/**
 * This cluster's CockroachDB nodes, their certificates and isolation, the client certificates of
 * the local services that use it, and (bootstrap cluster only) the init Job. Empty without a
 * cockroachdb block; outside cockroachdb.clusters only the client certificates.
 */
export class CockroachDbChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'cockroachdb', { environment: view.environment.name, cluster: view.cluster.name });
    const store = view.cockroachdb;
    if (!store || view.cluster.role === 'hub') return;
    const env = view.environment;
    // CockroachDB's identities (CN node and root; each SQL user) never come from a cluster-wide issuer:
    // with Vault, a namespaced Vault Issuer whose role signs only those names and whose auth role only
    // that namespace's ServiceAccount can use; without Vault, the root CA issuer of that namespace
    // (src/topology/pki.ts: cockroachdbIssuer, sqlClientIssuer, rootCaPlacement).
    const issuerFor = this.issuers(view);
    // Every cluster that runs SQL clients gives them client certificates; only member clusters
    // (cockroachdb.clusters) run nodes, the rest reach them by the clusterset name.
    const clientCertificates = (clients: readonly Service[]): void => {
      for (const service of clients) {
        new CockroachDbCertificate(this, `Client-${service.name}`, {
          name: `${service.name}-cockroachdb-client`,
          namespace: service.namespace,
          secretName: cockroachClientCertificateSecret(service),
          identity: CockroachDbIdentity.CLIENT,
          user: sqlUser(service),
          issuer: issuerFor(sqlClientIssuer(service)).issuerRef,
        });
      }
    };
    const member = view.cockroachdbMember;
    if (!member) {
      clientCertificates(localSqlClients(env, view.cluster.name));
      return;
    }
    const remoteClients = member.remoteClientCIDRs.length > 0;
    const issuer = issuerFor(cockroachdbIssuer(store.namespace, nodeCertificateDnsNames(store, remoteClients))).issuerRef;

    new CockroachDbCertificate(this, 'NodeCertificate', {
      name: COCKROACHDB.nodeCertificate,
      namespace: store.namespace,
      secretName: COCKROACHDB.nodeSecret,
      identity: CockroachDbIdentity.NODE,
      dnsNames: nodeCertificateDnsNames(store, remoteClients),
      issuer,
    });
    new CockroachDbCertificate(this, 'RootCertificate', {
      name: COCKROACHDB.rootCertificate,
      namespace: store.namespace,
      secretName: COCKROACHDB.rootSecret,
      identity: CockroachDbIdentity.CLIENT,
      user: 'root',
      issuer,
    });
    new CockroachDbCluster(this, 'Cluster', {
      namespace: store.namespace,
      image: store.image,
      replicas: store.replicasPerCluster,
      storageGiB: store.storageGiB,
      args: member.startArgs,
      headlessService: store.headlessService,
      publicService: COCKROACHDB_PUBLIC_SERVICE,
      exportPublicService: remoteClients,
      nodeSecret: COCKROACHDB.nodeSecret,
      rootClientSecret: COCKROACHDB.rootSecret,
      serviceAccount: COCKROACHDB.statefulSet,
      podSecurity: member.podSecurity,
      resources: store.resources,
    });
    const clients = member.sqlClients;
    const egress = cockroachDbEgress(view);
    new CockroachDbNetworkPolicy(this, 'NetworkPolicy', {
      namespace: store.namespace,
      peerCIDRs: member.peerCIDRs,
      clientNamespaces: clients.map((s) => s.namespace),
      dns: egress.dns,
      egressPorts: egress.backupPorts,
      remoteClientCIDRs: member.remoteClientCIDRs,
    });
    clientCertificates(clients);
    if (member.runsInit) {
      new CockroachDbInitJob(this, 'Init', {
        name: COCKROACHDB.initJob,
        namespace: store.namespace,
        image: store.image,
        hosts: initHosts(store),
        rootClientSecret: COCKROACHDB.rootSecret,
        serviceAccount: COCKROACHDB.statefulSet,
        podSecurity: member.podSecurity,
      });
    }
  }

  /** The issuer of one identity plan, created once per plan (with Vault) or per namespace (the root CA issuer, without). */
  private issuers(view: ClusterView): (plan: NamespacedVaultIssuerPlan) => IIssuer {
    const env = view.environment;
    const vault = env.vault;
    const made = new Map<string, IIssuer>();
    return (plan) => {
      const key = vault ? `${plan.namespace}/${plan.name}` : plan.namespace;
      const existing = made.get(key);
      if (existing) return existing;
      const issuer: IIssuer = vault
        ? new VaultIssuer(this, `Issuer-${plan.namespace}-${plan.name}`, {
            name: plan.name,
            namespace: plan.namespace,
            server: view.vaultURL ?? vaultLocalServiceURL(vault, VAULT_SERVICE),
            path: `${env.pki.vaultPKIPath}/sign/${plan.pkiRole.role}`,
            caBundle: { secretName: rootCaBundleSecret(env.pki), key: ROOT_CA_BUNDLE_KEY },
            mountPath: authMountPath(env.pki, view.cluster.name),
            role: plan.authRole,
            clusterResourceNamespace: CERT_MANAGER.namespace,
            controllerServiceAccount: CERT_MANAGER.serviceAccount,
          })
        : new CaIssuer(this, `Issuer-${plan.namespace}`, { name: BOOTSTRAP_ISSUER, namespace: plan.namespace, secretName: env.pki.rootCASecret });
      made.set(key, issuer);
      return issuer;
    };
  }
}
