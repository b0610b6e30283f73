import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';

/** What a Certificate names in `issuerRef`. */
export interface IssuerReference {
  readonly name: string;
  readonly kind: 'Issuer' | 'ClusterIssuer';
  readonly group: 'cert-manager.io';
}

/** An issuer that certificates can reference: one meridian creates, or one that exists already. */
export interface IIssuer {
  readonly issuerRef: IssuerReference;
  /** Namespace of a namespaced Issuer (certificates must live there); undefined for a ClusterIssuer. */
  readonly namespace?: string;
}

/** A ClusterIssuer by name, e.g. one another component of the cluster creates. */
export function clusterIssuer(name: string): IIssuer {
  return { issuerRef: { name, kind: 'ClusterIssuer', group: 'cert-manager.io' } };
}

export interface CaIssuerProps {
  readonly name: string;
  /**
   * Namespace of a namespaced `Issuer`, which reads `secretName` from this namespace.
   * @default - a `ClusterIssuer`, which reads `secretName` from cert-manager's cluster resource namespace
   */
  readonly namespace?: string;
  /** Secret with the CA key pair (`tls.crt`, `tls.key`), provisioned out-of-band: only its name is written. */
  readonly secretName: string;
}

/** A cert-manager CA issuer signing with a CA key pair held in a Secret that meridian only references. */
/** A ClusterIssuer (no namespace) or a namespaced Issuer with this spec, and the reference Certificates use. */
function issuerResource(scope: Construct, name: string, namespace: string | undefined, spec: cm.IssuerSpec & cm.ClusterIssuerSpec): IssuerReference {
  if (namespace === undefined) {
    new cm.ClusterIssuer(scope, 'Resource', { metadata: { name }, spec });
    return { name, kind: 'ClusterIssuer', group: 'cert-manager.io' };
  }
  new cm.Issuer(scope, 'Resource', { metadata: { name, namespace }, spec });
  return { name, kind: 'Issuer', group: 'cert-manager.io' };
}

export class CaIssuer extends Construct implements IIssuer {
  public readonly issuerRef: IssuerReference;
  public readonly namespace?: string;

  public constructor(scope: Construct, id: string, props: CaIssuerProps) {
    super(scope, id);
    this.namespace = props.namespace;
    const spec = { ca: { secretName: props.secretName } };
    this.issuerRef = issuerResource(this, props.name, props.namespace, spec);
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}

export interface VaultIssuerProps {
  readonly name: string;
  /**
   * Namespace of a namespaced `Issuer`: only Certificates of that namespace can use it, and its
   * ServiceAccount, Role and RoleBinding live there.
   * @default - a `ClusterIssuer`, whose ServiceAccount lives in `clusterResourceNamespace`
   */
  readonly namespace?: string;
  /** URL of the Vault server cert-manager talks to, e.g. the local client Service. */
  readonly server: string;
  /** The PKI sign endpoint, `<mount>/sign/<role>`. */
  readonly path: string;
  /** Secret (in the issuer's namespace, or cert-manager's cluster resource namespace for a ClusterIssuer) and key with the CA bundle Vault's server certificate chains to. */
  readonly caBundle: { readonly secretName: string; readonly key: string };
  /** Kubernetes auth mount as cert-manager wants it: `/v1/auth/<mount>`. */
  readonly mountPath: string;
  /** Vault role of that mount. */
  readonly role: string;
  /** cert-manager's cluster resource namespace: a ClusterIssuer's ServiceAccount lives there; cert-manager's controller runs there. */
  readonly clusterResourceNamespace: string;
  /** cert-manager's controller ServiceAccount (in `clusterResourceNamespace`), which requests the bound tokens. */
  readonly controllerServiceAccount: string;
}

/** A VaultIssuer without a namespace: the ClusterIssuer form. */
export type VaultClusterIssuerProps = Omit<VaultIssuerProps, 'namespace'>;

/**
 * A Vault-backed Issuer or ClusterIssuer authenticating with Kubernetes auth through
 * `serviceAccountRef` (short-lived bound tokens, no static token Secret), together with the
 * ServiceAccount it names and the RBAC that lets cert-manager's controller request that account's
 * tokens (REFERENCE §4.1; cert-manager website content/docs/configuration/vault.md: the Role and
 * RoleBinding live in the issuer's namespace, for a ClusterIssuer in the cluster resource namespace,
 * and the ServiceAccount is looked up there).
 */
export class VaultIssuer extends Construct implements IIssuer {
  public readonly issuerRef: IssuerReference;
  public readonly namespace?: string;
  /** The ServiceAccount Vault's role must be bound to. */
  public readonly serviceAccount: { readonly name: string; readonly namespace: string };

  public constructor(scope: Construct, id: string, props: VaultIssuerProps) {
    super(scope, id);
    if (!/^\/v1\/auth\/[^/].*[^/]$/.test(props.mountPath)) {
      throw new Error(`vault mountPath must look like /v1/auth/<mount> without a trailing slash, got "${props.mountPath}"`);
    }
    if (!/^[^/]+(\/[^/]+)*\/sign\/[^/]+$/.test(props.path)) {
      throw new Error(`vault path must be the PKI sign endpoint <mount>/sign/<role>, got "${props.path}"`);
    }
    if (!props.server.startsWith('https://')) {
      throw new Error(`vault server must be an https:// URL (every listener is TLS), got "${props.server}"`);
    }
    this.namespace = props.namespace;
    const ns = props.namespace ?? props.clusterResourceNamespace;
    this.serviceAccount = { name: props.name, namespace: ns };
    new kplus.k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: props.name, namespace: ns } });
    const roleName = `${props.name}-token-request`;
    new kplus.k8s.KubeRole(this, 'TokenRequestRole', {
      metadata: { name: roleName, namespace: ns },
      rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [props.name], verbs: ['create'] }],
    });
    new kplus.k8s.KubeRoleBinding(this, 'TokenRequestBinding', {
      metadata: { name: roleName, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: props.controllerServiceAccount, namespace: props.clusterResourceNamespace }],
    });
    const spec = {
      vault: {
        server: props.server,
        path: props.path,
        caBundleSecretRef: { name: props.caBundle.secretName, key: props.caBundle.key },
        auth: { kubernetes: { mountPath: props.mountPath, role: props.role, serviceAccountRef: { name: props.name } } },
      },
    };
    this.issuerRef = issuerResource(this, props.name, props.namespace, spec);
  }

  public get apiObject(): ApiObject {
    return ApiObject.of(this);
  }
}

/** The cluster-wide form of VaultIssuer. */
export class VaultClusterIssuer extends VaultIssuer {
  public constructor(scope: Construct, id: string, props: VaultClusterIssuerProps) {
    super(scope, id, props);
  }
}
