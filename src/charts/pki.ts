import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { Certificate, KeyUsage } from '../constructs/certificate';
import { CaIssuer, type IIssuer, VaultClusterIssuer } from '../constructs/issuer';
import { VaultConfiguration } from '../constructs/vault-config';
import { BOOTSTRAP_ISSUER, CERT_MANAGER, INGRESS, VAULT_ISSUER, VAULT_SERVICE } from '../lib/names';
import type { ClusterView, VaultStore } from '../topology';
import {
  CERT_MANAGER_AUTH_ROLE,
  CERT_MANAGER_POLICY,
  VAULT_CONFIG_IDENTITY,
  authMount,
  authMountPath,
  certManagerPolicy,
  clusterIssuerAudience,
  gatewayCertificates,
  localNamespacedVaultIssuers,
  namespacedVaultIssuers,
  pkiSignPath,
  ROOT_CA_BUNDLE_KEY,
  rootCaBundleSecret,
  rootCaPlacement,
  servicePkiRole,
  signPolicy,
  renderVaultPolicy,
  SERVICE_VAULT_LOGIN,
  serviceVaultPolicy,
  serviceVaultPolicyName,
  serviceVaultRole,
  vaultClientCertificates,
  vaultServices,
} from '../topology/pki';
import { bootstrapMember } from '../topology/placement';
import { VAULT_BOOTSTRAP_ISSUER, VAULT_SERVER_TLS_SECRET, VAULT_SERVICE_ACCOUNT, vaultHasRemoteClients, vaultLocalServiceURL, vaultServerDnsNames } from '../topology/vault';
import { MeridianChart } from './meridian-chart';

/**
 * Trust for one cluster: the root CA issuer of Vault's own TLS, the Vault ClusterIssuer (service names
 * only) with its auth plumbing, Vault's configuration as vault-config-operator resources (the auth
 * mount, the roles of this cluster's Vault issuers, and on the bootstrap cluster one PKI role per class
 * of consumer with its policy), and the certificates of the cluster's TLS endpoints (Gateway hostnames,
 * Vault clients). CockroachDB's issuers are in its chart, istiod's intermediate in the mesh chart.
 */
export class PkiChart extends MeridianChart {
  public constructor(scope: Construct, view: ClusterView) {
    super(scope, 'pki', { environment: view.environment.name, cluster: view.cluster.name });
    const env = view.environment;
    // A hub runs only the broker and the GSLB controller, which hold no certificate of the bundle (placement.ts).
    if (view.cluster.role === 'hub') return;
    const placement = rootCaPlacement(view);
    const gateways = gatewayCertificates(view, INGRESS.namespace);
    // With Vault, service certificates come from the cluster-wide Vault issuer, whose role signs service
    // names only. Without Vault a CA issuer signs any name: a ClusterIssuer only where no store
    // identity exists, otherwise a namespaced Issuer in the ingress namespace (src/topology/pki.ts, rootCaPlacement).
    const issuer: IIssuer | undefined = view.vault
      ? this.vault(view, view.vault)
      : placement.caClusterIssuer
        ? new CaIssuer(this, 'BootstrapIssuer', { name: BOOTSTRAP_ISSUER, secretName: env.pki.rootCASecret })
        : gateways.length > 0
          ? new CaIssuer(this, 'IngressIssuer', { name: BOOTSTRAP_ISSUER, namespace: INGRESS.namespace, secretName: env.pki.rootCASecret })
          : undefined;
    if (!issuer) return;
    for (const plan of gateways) {
      new Certificate(this, `Gateway-${plan.name}`, { ...plan, issuer, usages: [KeyUsage.SERVER_AUTH] });
    }
    for (const plan of vaultClientCertificates(view)) {
      new Certificate(this, `VaultClient-${plan.namespace}-${plan.name}`, { ...plan, issuer, usages: [KeyUsage.CLIENT_AUTH] });
    }
  }

  /** Vault's bootstrap TLS, its ClusterIssuer and its configuration; returns the issuer workloads use. */
  private vault(view: ClusterView, vault: VaultStore): IIssuer {
    const { pki } = view.environment;
    const ns = vault.namespace;
    const cluster = view.cluster.name;

    // The root CA Secret is read in the Vault namespace (this Issuer) only: Vault's TLS is the one
    // thing signed before Vault runs, and no ClusterIssuer exposes the root key to other namespaces.
    const bootstrap = new CaIssuer(this, 'VaultBootstrapIssuer', { name: VAULT_BOOTSTRAP_ISSUER, namespace: ns, secretName: pki.rootCASecret });
    if (view.vaultMember) {
      new Certificate(this, 'VaultServer', {
        name: VAULT_SERVER_TLS_SECRET,
        namespace: ns,
        secretName: VAULT_SERVER_TLS_SECRET,
        issuer: bootstrap,
        dnsNames: vaultServerDnsNames(vault, VAULT_SERVICE, vaultHasRemoteClients(view.environment, vault)),
        usages: [KeyUsage.SERVER_AUTH, KeyUsage.CLIENT_AUTH],
      });
    } else {
      // No Vault pod here (vault.clusters), yet Vault reviews this cluster's logins on its auth mount
      // with a token of this ServiceAccount, which needs TokenReview rights here (the VaultCluster
      // construct grants the same in member clusters).
      new kplus.k8s.KubeServiceAccount(this, 'VaultTokenReviewer', { metadata: { name: VAULT_SERVICE_ACCOUNT, namespace: ns } });
      new kplus.k8s.KubeClusterRoleBinding(this, 'VaultTokenReviewerAuthDelegator', {
        metadata: { name: `meridian-${ns}-${VAULT_SERVICE_ACCOUNT}-auth-delegator` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
        subjects: [{ kind: 'ServiceAccount', name: VAULT_SERVICE_ACCOUNT, namespace: ns }],
      });
    }
    new Certificate(this, 'VaultConfigOperatorClient', {
      name: VAULT_CONFIG_IDENTITY.tlsSecret,
      namespace: ns,
      secretName: VAULT_CONFIG_IDENTITY.tlsSecret,
      issuer: bootstrap,
      // A client identity, not a host: the ServiceAccount as a SPIFFE ID (the form Istio gives workloads).
      uris: [`spiffe://cluster.local/ns/${ns}/sa/${VAULT_CONFIG_IDENTITY.serviceAccount}`],
      usages: [KeyUsage.CLIENT_AUTH],
    });

    // The local client Service where Vault pods run, its clusterset name elsewhere (view.ts).
    const address = view.vaultURL ?? vaultLocalServiceURL(vault, VAULT_SERVICE);
    const issuer = new VaultClusterIssuer(this, 'VaultIssuer', {
      name: VAULT_ISSUER,
      server: address,
      path: pkiSignPath(pki),
      // cert-manager reads it from its cluster resource namespace: the root certificate alone, never its key.
      caBundle: { secretName: rootCaBundleSecret(pki), key: ROOT_CA_BUNDLE_KEY },
      mountPath: authMountPath(pki, cluster),
      role: CERT_MANAGER_AUTH_ROLE,
      clusterResourceNamespace: CERT_MANAGER.namespace,
      controllerServiceAccount: CERT_MANAGER.serviceAccount,
    });

    // Vault's configuration: this cluster's auth mount; the shared PKI engine once, from the bootstrap cluster.
    new kplus.k8s.KubeServiceAccount(this, 'VaultConfigOperatorLogin', { metadata: { name: VAULT_CONFIG_IDENTITY.serviceAccount, namespace: ns } });
    const mount = authMount(pki, cluster);
    const config = new VaultConfiguration(this, 'VaultConfiguration', {
      namespace: ns,
      login: { mount, role: VAULT_CONFIG_IDENTITY.role, serviceAccount: VAULT_CONFIG_IDENTITY.serviceAccount },
      connection: { address, tlsSecret: VAULT_CONFIG_IDENTITY.tlsSecret },
    });
    config.addKubernetesAuthMount({ name: 'kubernetes-auth', mount, description: `Kubernetes auth for ServiceAccounts of cluster ${cluster}` });
    // The mount's config (API server, its CA, a reviewer JWT that does not expire) is the runbook's, not a
    // KubernetesAuthEngineConfig: the operator would replace the reviewer JWT with a one-year token it never
    // renews on its own (src/topology/trust-runbook.ts, reviewerConfigCommands; rule MER194).
    config.addKubernetesAuthRole({
      name: CERT_MANAGER_AUTH_ROLE,
      mount,
      role: CERT_MANAGER_AUTH_ROLE,
      serviceAccounts: [issuer.serviceAccount.name],
      namespaces: [issuer.serviceAccount.namespace],
      policies: [CERT_MANAGER_POLICY],
      audience: clusterIssuerAudience(VAULT_ISSUER),
      tokenTtlSeconds: 600,
    });
    // Each service that uses Vault and runs here logs in on this cluster's mount as exactly its own
    // ServiceAccount and namespace, with the audience of its projected token (src/topology/pki.ts).
    for (const { service: s } of [...view.localServices].filter((l) => l.service.usesStores.includes('vault')).sort((a, b) => (a.service.name < b.service.name ? -1 : 1))) {
      config.addKubernetesAuthRole({
        name: serviceVaultRole(s),
        mount,
        role: serviceVaultRole(s),
        serviceAccounts: [s.name],
        namespaces: [s.namespace],
        policies: [serviceVaultPolicyName(s)],
        audience: SERVICE_VAULT_LOGIN.audience,
        tokenTtlSeconds: SERVICE_VAULT_LOGIN.vaultTokenTtlSeconds,
      });
    }
    // The namespaced issuers of this cluster (CockroachDB's own, each local SQL client's) log in on this
    // cluster's mount as exactly their ServiceAccount, with the audience cert-manager gives an Issuer's tokens.
    for (const i of localNamespacedVaultIssuers(view)) {
      config.addKubernetesAuthRole({
        name: i.authRole,
        mount,
        role: i.authRole,
        serviceAccounts: [i.name],
        namespaces: [i.namespace],
        policies: [i.policy],
        audience: i.audience,
        tokenTtlSeconds: 600,
      });
    }
    if (bootstrapMember(vault) === cluster) {
      for (const s of vaultServices(view.environment)) {
        config.addPolicy({ name: serviceVaultPolicyName(s), policy: serviceVaultPolicyName(s), document: renderVaultPolicy(serviceVaultPolicy(view.environment, s)) });
      }
      config.addSecretEngineMount({ name: 'pki', mount: pki.vaultPKIPath, type: 'pki', description: `Certificates of environment ${view.environment.name}`, maxLeaseTtl: '87600h' });
      // One PKI role per class of consumer: service names for the cluster-wide issuer, CockroachDB's
      // identities and each SQL user for the namespaced issuers only (src/topology/pki.ts).
      // An environment without services has no service names: no role for the cluster-wide issuer then (it signs nothing).
      const roles = [servicePkiRole(view.environment), ...namespacedVaultIssuers(view.environment).map((i) => i.pkiRole)].filter((r) => r.allowedDomains.length > 0);
      for (const r of roles) config.addPkiRole({ name: r.role, mount: pki.vaultPKIPath, ...r, maxTtl: '2160h' });
      config.addPolicy({ name: CERT_MANAGER_POLICY, policy: CERT_MANAGER_POLICY, document: renderVaultPolicy(certManagerPolicy(pki)) });
      for (const i of namespacedVaultIssuers(view.environment)) {
        config.addPolicy({ name: i.policy, policy: i.policy, document: renderVaultPolicy(signPolicy(pki, i.pkiRole.role)) });
      }
    }
    return issuer;
  }
}
