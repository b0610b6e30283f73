import { Construct } from 'constructs';
import * as vco from '../../imports/redhatcop.redhat.io';
import { KEEP_ANNOTATION_VALUE, SYNC_OPTIONS_ANNOTATION } from '../lib/sync-options';
import type { PkiRoleGrant } from '../lib/vault';

/**
 * Vault's own configuration as vault-config-operator (redhat-cop) custom resources. Every resource
 * carries the same login (the operator authenticates to Vault with a ServiceAccount of the resource's
 * namespace through a Kubernetes auth mount) and connection (address, and a Secret of that namespace
 * with `ca.crt` to verify Vault and a client key pair).
 */
export interface VaultConfigurationProps {
  /** Namespace of the resources (and of the login ServiceAccount and TLS Secret). */
  readonly namespace: string;
  /** How the operator logs in: `auth/<mount>/login` with `role`, as `serviceAccount`. */
  readonly login: { readonly mount: string; readonly role: string; readonly serviceAccount: string };
  /** Vault's address and the Secret with the TLS material for talking to it. */
  readonly connection: { readonly address: string; readonly tlsSecret: string };
}

export interface KubernetesAuthMountOptions {
  /** Name of the resource (DNS-1123). */
  readonly name: string;
  /** Mount path below `auth/`, e.g. `kubernetes-cluster1`. */
  readonly mount: string;
  readonly description: string;
}

export interface KubernetesAuthRoleOptions {
  readonly name: string;
  readonly mount: string;
  /** Role name in Vault. */
  readonly role: string;
  readonly serviceAccounts: readonly string[];
  readonly namespaces: readonly string[];
  readonly policies: readonly string[];
  /** JWT audience the login token must carry. @default - any audience */
  readonly audience?: string;
  /** Lifetime of the Vault tokens the role hands out, in seconds. */
  readonly tokenTtlSeconds: number;
}

export interface SecretEngineMountOptions {
  readonly name: string;
  /** Full mount path, e.g. `pki`. */
  readonly mount: string;
  /** Engine type, e.g. `pki`. */
  readonly type: string;
  readonly description: string;
  /** Upper bound of lease (certificate) lifetimes on the mount, e.g. `87600h`. */
  readonly maxLeaseTtl: string;
}

export interface PkiRoleOptions extends PkiRoleGrant {
  readonly name: string;
  /** PKI mount path. */
  readonly mount: string;
  /** Role name in Vault. */
  readonly role: string;
  /** Longest certificate lifetime, e.g. `2160h`. */
  readonly maxTtl: string;
}

export interface PolicyOptions {
  readonly name: string;
  /** Policy name in Vault. */
  readonly policy: string;
  /** The policy document (Vault accepts JSON wherever it accepts HCL). */
  readonly document: string;
}

/** Vault's path segments: the last one is the object's own name, the rest the CR's `path`. */
function splitMount(mount: string): { path: string; name: string } {
  const parts = mount.split('/').filter((p) => p !== '');
  if (parts.length === 0) throw new Error(`vault mount path "${mount}" is empty`);
  return { path: parts.slice(0, -1).join('/'), name: parts[parts.length - 1]! };
}

export class VaultConfiguration extends Construct {
  private readonly props: VaultConfigurationProps;
  private readonly names = new Set<string>();

  public constructor(scope: Construct, id: string, props: VaultConfigurationProps) {
    super(scope, id);
    this.props = props;
  }

  /**
   * Enables a Kubernetes auth method at `auth/<mount>` (adopted when it already exists). Deleting the
   * object disables the method in Vault, so Argo CD never prunes or deletes it (src/lib/sync-options.ts).
   */
  public addKubernetesAuthMount(options: KubernetesAuthMountOptions): vco.AuthEngineMount {
    const { path, name } = splitMount(options.mount);
    return new vco.AuthEngineMount(this, this.claim('AuthEngineMount', options.name), {
      metadata: this.keptMetadata(options.name),
      spec: { ...this.common(), path, name, type: 'kubernetes', description: options.description },
    });
  }

  /** A role of a Kubernetes auth mount. */
  public addKubernetesAuthRole(options: KubernetesAuthRoleOptions): vco.KubernetesAuthEngineRole {
    if (options.serviceAccounts.length === 0 || options.namespaces.length === 0) {
      throw new Error(`kubernetes auth role ${options.role} must be bound to at least one ServiceAccount and namespace`);
    }
    return new vco.KubernetesAuthEngineRole(this, this.claim('KubernetesAuthEngineRole', options.name), {
      metadata: this.metadata(options.name),
      spec: {
        ...this.common(),
        path: options.mount,
        name: options.role,
        targetServiceAccounts: [...options.serviceAccounts],
        targetNamespaces: { targetNamespaces: [...options.namespaces] },
        policies: [...options.policies],
        ...(options.audience !== undefined ? { audience: options.audience } : {}),
        tokenTtl: options.tokenTtlSeconds,
      },
    });
  }

  /**
   * Mounts a secrets engine (adopted when it already exists). Deleting the object unmounts the engine
   * and destroys its data, so Argo CD never prunes or deletes it (src/lib/sync-options.ts).
   */
  public addSecretEngineMount(options: SecretEngineMountOptions): vco.SecretEngineMount {
    const { path, name } = splitMount(options.mount);
    return new vco.SecretEngineMount(this, this.claim('SecretEngineMount', options.name), {
      metadata: this.keptMetadata(options.name),
      spec: { ...this.common(), path, name, type: options.type, description: options.description, config: { maxLeaseTtl: options.maxLeaseTtl } },
    });
  }

  /**
   * A PKI role for cert-manager's sign requests that signs exactly `allowedDomains`: each name as itself
   * (allow_bare_domains), none of its subdomains, no globs, no IP SANs, never any name
   * (allow_any_name false); the CSR's subject and SANs are used as requested and checked against the
   * list (Vault API docs, PKI "Create/Update role",
   * https://developer.hashicorp.com/vault/api-docs/secret/pki#create-update-role).
   */
  public addPkiRole(options: PkiRoleOptions): vco.PkiSecretEngineRole {
    if (options.allowedDomains.length === 0) throw new Error(`pki role ${options.role} must allow at least one domain`);
    if (!options.serverFlag && !options.clientFlag) throw new Error(`pki role ${options.role} must issue server or client certificates`);
    return new vco.PkiSecretEngineRole(this, this.claim('PKISecretEngineRole', options.name), {
      metadata: this.metadata(options.name),
      spec: {
        ...this.common(),
        path: options.mount,
        name: options.role,
        allowedDomains: [...options.allowedDomains],
        allowSubdomains: false,
        allowBareDomains: true,
        allowGlobDomains: false,
        allowAnyName: false,
        allowLocalhost: options.allowLocalhost,
        allowIpSans: false,
        enforceHostnames: options.enforceHostnames,
        requireCn: false,
        useCsrCommonName: true,
        useCsrSans: true,
        serverFlag: options.serverFlag,
        clientFlag: options.clientFlag,
        keyType: vco.PkiSecretEngineRoleSpecKeyType.ANY,
        maxTtl: options.maxTtl,
      },
    });
  }

  /** An ACL policy. */
  public addPolicy(options: PolicyOptions): vco.Policy {
    return new vco.Policy(this, this.claim('Policy', options.name), {
      metadata: this.metadata(options.name),
      spec: { ...this.common(), name: options.policy, type: vco.PolicySpecType.ACL, policy: options.document },
    });
  }

  private claim(kind: string, name: string): string {
    const key = `${kind}-${name}`;
    if (this.names.has(key)) throw new Error(`unable to add ${kind} "${name}": the name is already used`);
    this.names.add(key);
    return key;
  }

  private metadata(name: string): { name: string; namespace: string } {
    return { name, namespace: this.props.namespace };
  }

  /** Metadata of an object whose deletion destroys Vault state: Argo CD neither prunes nor deletes it. */
  private keptMetadata(name: string): { name: string; namespace: string; annotations: Record<string, string> } {
    return { ...this.metadata(name), annotations: { [SYNC_OPTIONS_ANNOTATION]: KEEP_ANNOTATION_VALUE } };
  }

  private common(): {
    authentication: { path: string; role: string; serviceAccount: { name: string } };
    connection: { address: string; tLsConfig: { tlsSecret: { name: string } } };
  } {
    const { login, connection } = this.props;
    return {
      authentication: { path: login.mount, role: login.role, serviceAccount: { name: login.serviceAccount } },
      connection: { address: connection.address, tLsConfig: { tlsSecret: { name: connection.tlsSecret } } },
    };
  }
}
