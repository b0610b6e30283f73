import type { Construct } from 'constructs';
import { CockroachDbCertificate, CockroachDbIdentity } from '../constructs/cockroachdb-certificate';
import { CockroachDbCluster } from '../constructs/cockroachdb-cluster';
import { CockroachDbInitJob } from '../constructs/cockroachdb-init-job';
import { CockroachDbNetworkPolicy } from '../constructs/cockroachdb-network-policy';
import { certificateIssuer, cockroachClientCertificateSecret, COCKROACHDB_PUBLIC_SERVICE, sqlUser } from '../lib/names';
import type { ClusterView, Service } from '../topology';
import { COCKROACHDB, initHosts, localSqlClients, nodeCertificateDnsNames } from '../topology/cockroachdb';
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
    if (!store) return;
    const env = view.environment;
    const issuer = certificateIssuer(env);
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
          issuer,
        });
      }
    };
    const member = view.cockroachdbMember;
    if (!member) {
      clientCertificates(localSqlClients(env, view.cluster.name));
      return;
    }
    const remoteClients = member.remoteClientCIDRs.length > 0;

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
    new CockroachDbNetworkPolicy(this, 'NetworkPolicy', {
      namespace: store.namespace,
      peerCIDRs: member.peerCIDRs,
      clientNamespaces: clients.map((s) => s.namespace),
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
}
