import type { Construct } from 'constructs';
import { CaCertificate } from '../constructs/certificate';
import { FailoverDestinationRule } from '../constructs/destination-rule';
import { CaIssuer, clusterIssuer } from '../constructs/issuer';
import { BOOTSTRAP_ISSUER } from '../lib/names';
import { MESH_CA, meshCaCommonName, rootCaPlacement } from '../topology/pki';
import { StrictMtls } from '../constructs/peer-authentication';
import { ClustersetServiceEntry, MeshProtocol } from '../constructs/service-entry';
import { meshEntries, type ClusterView } from '../topology';
import { MeridianChart } from './meridian-chart';

/**
 * Istio: one root of trust across clusters (istiod's intermediate CA, chained to the environment's
 * root, in `cacerts`), mutual TLS only in every sidecar namespace, and each clusterset host a proxy
 * here needs, with failover.
 */
export class MeshChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'mesh', { environment: view.environment.name, cluster: view.cluster.name });
    const root = rootCaPlacement(view);
    if (root.mesh) {
      // A Vault role's sign endpoint never issues a CA certificate (and Vault's intermediate is
      // pathlen:0), so the root CA issuer signs istiod's intermediate: the ClusterIssuer where it
      // exists, else a CA Issuer in Istio's namespace, which already holds a signing key for the mesh.
      const issuer = root.caClusterIssuer
        ? clusterIssuer(BOOTSTRAP_ISSUER)
        : new CaIssuer(this, 'MeshRootIssuer', { name: BOOTSTRAP_ISSUER, namespace: MESH_CA.namespace, secretName: view.environment.pki.rootCASecret });
      new CaCertificate(this, 'IstiodCa', {
        name: MESH_CA.certificate,
        namespace: MESH_CA.namespace,
        secretName: MESH_CA.secret,
        issuer,
        commonName: meshCaCommonName(view.environment.name, view.cluster.name),
        duration: MESH_CA.duration,
        renewBefore: MESH_CA.renewBefore,
      });
    }
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
