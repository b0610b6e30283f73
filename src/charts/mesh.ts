import type { Construct } from 'constructs';
import { FailoverDestinationRule } from '../constructs/destination-rule';
import { StrictMtls } from '../constructs/peer-authentication';
import { ClustersetServiceEntry, MeshProtocol } from '../constructs/service-entry';
import { meshEntries, type ClusterView } from '../topology';
import { MeridianChart } from './meridian-chart';

/** Istio: mutual TLS only in every sidecar namespace, and each clusterset host a proxy here needs, with failover. */
export class MeshChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'mesh', { environment: view.environment.name, cluster: view.cluster.name });
    for (const namespace of view.sidecarNamespaces) new StrictMtls(this, `mtls-${namespace}`, { namespace });
    for (const e of meshEntries(view)) {
      const id = `${e.namespace}-${e.name}`;
      new ClustersetServiceEntry(this, `entry-${id}`, {
        name: e.name,
        namespace: e.namespace,
        host: e.host,
        ports: [{ name: 'http', number: e.port, protocol: MeshProtocol.HTTP }],
        exportTo: e.exportTo,
      });
      new FailoverDestinationRule(this, `rule-${id}`, { name: e.name, namespace: e.namespace, host: e.host, exportTo: e.exportTo });
    }
  }
}
