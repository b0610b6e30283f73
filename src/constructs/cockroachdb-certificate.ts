import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';

/** What a CockroachDB certificate authenticates. */
export enum CockroachDbIdentity {
  /** A node: `CN=node`, server auth (SQL and peers dialing it) and client auth (it dials peers). */
  NODE = 'node',
  /** A SQL user: `CN=<user>`, client auth only. */
  CLIENT = 'client',
}

export interface CockroachDbCertificateProps {
  /** Certificate name. */
  readonly name: string;
  readonly namespace: string;
  /** Secret cert-manager writes (`tls.crt`, `tls.key`, `ca.crt`). */
  readonly secretName: string;
  readonly identity: CockroachDbIdentity;
  /** The SQL user, for client certificates: CockroachDB takes the user from the common name. */
  readonly user?: string;
  /** Names the node is dialed by; node certificates only. */
  readonly dnsNames?: readonly string[];
  /** cert-manager issuer reference (kind, name, group). */
  readonly issuer: { readonly kind: string; readonly name: string; readonly group: string };
}

/**
 * A cert-manager Certificate in the shape CockroachDB authenticates: the common name is the
 * identity (`node`, or the SQL user name), and the key is renewed with every certificate.
 */
export class CockroachDbCertificate extends Construct {
  public readonly secretName: string;

  public constructor(scope: Construct, id: string, props: CockroachDbCertificateProps) {
    super(scope, id);
    const node = props.identity === CockroachDbIdentity.NODE;
    if (node && props.user !== undefined) throw new Error(`certificate ${props.name}: a node certificate has CN "node"; drop user "${props.user}"`);
    if (!node && !props.user) throw new Error(`certificate ${props.name}: a client certificate needs the SQL user it authenticates`);
    if (node && !props.dnsNames?.length) throw new Error(`certificate ${props.name}: a node certificate needs the names peers and clients dial`);
    if (!node && props.dnsNames?.length) throw new Error(`certificate ${props.name}: a client certificate carries no DNS names`);
    this.secretName = props.secretName;
    new cm.Certificate(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        secretName: props.secretName,
        commonName: node ? 'node' : props.user!,
        ...(node ? { dnsNames: [...props.dnsNames!] } : {}),
        usages: [
          cm.CertificateSpecUsages.DIGITAL_SIGNATURE,
          cm.CertificateSpecUsages.KEY_ENCIPHERMENT,
          ...(node ? [cm.CertificateSpecUsages.SERVER_AUTH] : []),
          cm.CertificateSpecUsages.CLIENT_AUTH,
        ],
        privateKey: { algorithm: cm.CertificateSpecPrivateKeyAlgorithm.RSA, size: 2048, rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { kind: props.issuer.kind, name: props.issuer.name, group: props.issuer.group },
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
