import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';
import type { IIssuer } from './issuer';

/** What a TLS key pair is for (extended key usages, spelled as cert-manager spells them). */
export enum KeyUsage {
  SERVER_AUTH = 'server auth',
  CLIENT_AUTH = 'client auth',
}

export interface CertificateProps {
  /** Name of the Certificate object. */
  readonly name: string;
  readonly namespace: string;
  /** Secret cert-manager writes (`tls.crt`, `tls.key`, `ca.crt`); workloads mount it by this name. */
  readonly secretName: string;
  readonly issuer: IIssuer;
  /**
   * DNS subject alternative names. There is no commonName: cert-manager does not need one ("This value
   * is ignored by TLS clients when any subject alt name is set", CertificateSpec.commonName,
   * https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec), and RFC 5280
   * caps it at 64 characters, which a valid 253-character hostname exceeds. @default - none
   */
  readonly dnsNames?: readonly string[];
  /** URI subject alternative names, for identities that are not host names (e.g. a client's SPIFFE ID). @default - none */
  readonly uris?: readonly string[];
  /** What the key pair may be used for; `digital signature` is always added (the only key usage an ECDSA TLS key needs). */
  readonly usages: readonly KeyUsage[];
}

/** Every key meridian asks cert-manager for: ECDSA P-256, a new key on every renewal. */
const PRIVATE_KEY = {
  algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA,
  size: 256,
  rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
} as const;

const DNS_NAME = /^(?=.{1,253}$)(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * A cert-manager Certificate with an ECDSA P-256 key that is regenerated on every renewal. Only the
 * Secret's name is written; cert-manager creates the Secret in the cluster.
 */
export class Certificate extends Construct {
  public readonly secretName: string;
  public readonly dnsNames: readonly string[];

  public constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id);
    if (props.issuer.namespace !== undefined && props.issuer.namespace !== props.namespace) {
      throw new Error(
        `certificate ${props.namespace}/${props.name} cannot use Issuer ${props.issuer.issuerRef.name} of namespace ${props.issuer.namespace}; a namespaced Issuer only signs in its own namespace, use a ClusterIssuer`,
      );
    }
    const dnsNames = props.dnsNames ?? [];
    const uris = props.uris ?? [];
    // cert-manager's webhook needs at least one identity: commonName, dnsNames, uris, ipAddresses, emailAddresses or otherNames.
    if (dnsNames.length === 0 && uris.length === 0) throw new Error(`certificate ${props.name}: give at least one DNS name or URI`);
    const badUri = uris.find((u) => !/^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/.test(u));
    if (badUri !== undefined) throw new Error(`certificate ${props.name}: "${badUri}" is not a URI`);
    const bad = dnsNames.filter((n) => !DNS_NAME.test(n));
    if (bad.length > 0) throw new Error(`certificate ${props.name}: ${bad.map((n) => `"${n}"`).join(', ')} is not a DNS name`);
    const dup = dnsNames.find((n, i) => dnsNames.indexOf(n) !== i);
    if (dup !== undefined) throw new Error(`certificate ${props.name}: DNS name "${dup}" is listed twice`);
    if (props.usages.length === 0) throw new Error(`certificate ${props.name}: give at least one key usage`);
    this.secretName = props.secretName;
    this.dnsNames = dnsNames;
    new cm.Certificate(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        secretName: props.secretName,
        issuerRef: { ...props.issuer.issuerRef },
        ...(dnsNames.length > 0 ? { dnsNames: [...dnsNames] } : {}),
        ...(uris.length > 0 ? { uris: [...uris] } : {}),
        usages: [cm.CertificateSpecUsages.DIGITAL_SIGNATURE, ...[...new Set(props.usages)].map((u) => u as string as cm.CertificateSpecUsages)],
        privateKey: { ...PRIVATE_KEY },
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}

export interface CaCertificateProps {
  readonly name: string;
  readonly namespace: string;
  /** Secret cert-manager writes: `tls.crt` (this CA), `tls.key` (its signing key), `ca.crt` (the issuer's CA). */
  readonly secretName: string;
  readonly issuer: IIssuer;
  /** The CA's name (RFC 5280 caps a common name at 64 characters). */
  readonly commonName: string;
  /** Lifetime, e.g. `8760h`. */
  readonly duration: string;
  /** When to renew before the end, e.g. `2920h`. */
  readonly renewBefore: string;
}

/**
 * An intermediate CA issued by cert-manager (`isCA: true`, key usages cert sign and CRL sign), with an
 * ECDSA P-256 key regenerated on every renewal. Only CA issuers can sign it: a Vault role's sign
 * endpoint never issues CA certificates.
 */
export class CaCertificate extends Construct {
  public readonly secretName: string;

  public constructor(scope: Construct, id: string, props: CaCertificateProps) {
    super(scope, id);
    if (props.issuer.namespace !== undefined && props.issuer.namespace !== props.namespace) {
      throw new Error(`certificate ${props.namespace}/${props.name} cannot use Issuer ${props.issuer.issuerRef.name} of namespace ${props.issuer.namespace}; a namespaced Issuer only signs in its own namespace`);
    }
    if (props.commonName.length === 0 || props.commonName.length > 64) throw new Error(`certificate ${props.name}: the common name must have 1 to 64 characters`);
    this.secretName = props.secretName;
    new cm.Certificate(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        secretName: props.secretName,
        issuerRef: { ...props.issuer.issuerRef },
        isCa: true,
        commonName: props.commonName,
        duration: props.duration,
        renewBefore: props.renewBefore,
        usages: [cm.CertificateSpecUsages.DIGITAL_SIGNATURE, cm.CertificateSpecUsages.CERT_SIGN, cm.CertificateSpecUsages.CRL_SIGN],
        privateKey: { ...PRIVATE_KEY },
      },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
