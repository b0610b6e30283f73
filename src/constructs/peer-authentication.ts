import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';

export interface StrictMtlsProps {
  /** Namespace whose workloads accept only mutual TLS from the mesh. */
  readonly namespace: string;
}

/**
 * A namespace-wide `PeerAuthentication` in STRICT mode: the sidecars of the namespace refuse
 * plaintext, so only mesh workloads holding a certificate of the shared trust root reach them.
 * Named `default` (Istio applies one namespace-wide policy; the name says it is that one).
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export class StrictMtls extends Construct {
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: StrictMtlsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    new PeerAuthentication(this, 'Resource', {
      metadata: { name: 'default', namespace: props.namespace },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}
