import type { Construct } from 'constructs';
import { CockroachDbCertificate, CockroachDbIdentity } from '../constructs/cockroachdb-certificate';
import { CockroachDbCluster } from '../constructs/cockroachdb-cluster';
import { CockroachDbInitJob } from '../constructs/cockroachdb-init-job';
import { CockroachDbNetworkPolicy } from '../constructs/cockroachdb-network-policy';
import { certificateIssuer, cockroachClientCertificateSecret, COCKROACHDB_PUBLIC_SERVICE, sqlUser } from '../lib/names';
import type { ClusterView } from '../topology';
import { COCKROACHDB, initHosts, nodeCertificateDnsNames } from '../topology/cockroachdb';
import { cockroachDbEgress } from '../topology/network-policy';
import { MeridianChart } from './meridian-chart';

/**
 * This cluster's CockroachDB nodes, their certificates and isolation, the client certificates of
 * the local services that use it, and (bootstrap cluster only) the init Job. Empty without a
 * cockroachdb block.
 */
export class CockroachDbChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'cockroachdb', { environment: view.environment.name, cluster: view.cluster.name });
    const member = view.cockroachdbMember;
    if (!member) return;
    const store = member.store;
    const env = view.environment;
    const issuer = certificateIssuer(env);

    new CockroachDbCertificate(this, 'NodeCertificate', {
      name: COCKROACHDB.nodeCertificate,
      namespace: store.namespace,
      secretName: COCKROACHDB.nodeSecret,
      identity: CockroachDbIdentity.NODE,
      dnsNames: nodeCertificateDnsNames(store),
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
    });
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
    if (view.isBootstrap) {
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
