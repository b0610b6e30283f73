// What every cluster must already have before Argo CD syncs its folder, derived from the model:
// operators (with the minimum versions the output relies on and where they run), SCC grants, the DNS
// the egress policies admit, and every Secret the bundle names but does not create, each with the
// runbook step that creates it. The runbook (src/report/runbook.ts) and `meridian preflight` read
// this; `dist/<env>.prerequisites.json` carries it for the rules (MER110) and for preflight. No cdk8s.
import { CERT_MANAGER, INGRESS } from '../lib/names';
import { authMount, rootCaBundleSecret, rootCaPlacement, ROOT_CA_BUNDLE_KEY } from './pki';
import { REVIEWER_TOKEN } from './trust-runbook';
import { BACKUP_CREDENTIAL_KEYS } from './backup';
import { kubeconfigSecret } from './gslb';
import type { PodSecurity } from './platform';
import type { Environment, Platform, Service } from './types';
import { clusterView } from './view';

/** Where Submariner's components run and read their Secrets (REFERENCE §2.5); the Submariner install owns it. */
export const SUBMARINER_NAMESPACE = 'submariner-operator';

/**
 * The broker's client Role, as submariner-operator defines it (config/broker/broker-client/role.yaml,
 * `submariner-k8s-broker-cluster`): what a joined cluster's agents do in the broker namespace.
 */
export const BROKER_CLIENT_ROLE = 'submariner-k8s-broker-cluster';
export const BROKER_CLIENT_RULES = [
  { apiGroups: ['submariner.io'], resources: ['clusters', 'endpoints'] },
  { apiGroups: ['multicluster.x-k8s.io'], resources: ['*'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices', 'endpointslices/restricted'] },
].map((r) => ({ ...r, verbs: ['create', 'get', 'list', 'watch', 'patch', 'update', 'delete'] }));

/** The broker ServiceAccount one cluster's agents authenticate as (created by meridian on the broker cluster). */
export function brokerClientServiceAccount(cluster: string): string {
  return `${cluster}-broker-client`;
}

/** The ServiceAccount the GSLB operator on the hub reads one cluster as (created by meridian in that cluster). */
export const GSLB_READER_SERVICE_ACCOUNT = 'gslb-reader';

/** A long-lived token Secret of a ServiceAccount, created by a runbook step (kubernetes.io/service-account-token). */
export function tokenSecretName(serviceAccount: string): string {
  return `${serviceAccount}-token`;
}

export interface OutOfBandSecret {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** Keys the consumers read. */
  readonly keys: readonly string[];
  /** What reads it. */
  readonly usedBy: string;
  /** Where its values come from. */
  readonly source: string;
  /** The runbook step that creates it (src/report/runbook.ts). */
  readonly runbookStep: string;
  /** A long-lived token Secret (`kubernetes.io/service-account-token`): the ServiceAccount it is a token of. */
  readonly serviceAccountToken?: string;
}

export interface OperatorPrerequisite {
  readonly name: string;
  readonly namespace: string;
  /** Deployment name of the stated install, for preflight; absent when installs name it differently. */
  readonly deployment?: string;
  /** The minimum version the output relies on, with its source; or what the pinned CRDs come from. */
  readonly version: string;
  readonly why: string;
}

export interface SccPrerequisite {
  readonly scc: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface ClusterPrerequisites {
  readonly cluster: string;
  readonly platform: Platform;
  readonly operators: readonly OperatorPrerequisite[];
  /** SCCs the bundle grants (the SCC must exist; the grant itself is in the bundle). */
  readonly sccs: readonly SccPrerequisite[];
  /** The DNS Service the egress policies expect, and the ports its pods answer on. */
  readonly dns: { readonly namespace: string; readonly service: string; readonly podPorts: readonly number[] };
  readonly secrets: readonly OutOfBandSecret[];
}

export const RUNBOOK_STEP = {
  rootCA: 'root-ca',
  seal: 'vault-seal-credentials',
  submariner: 'submariner-secrets',
  gslb: 'gslb-kubeconfigs',
  gslbZone: 'gslb-zone-credentials',
  serviceSecrets: 'service-secrets',
  backup: 'backup-credentials',
  vaultAccess: 'vault-config-operator-access',
} as const;

/**
 * The Secrets a service's own workload overrides name (services[].workload: env from secretKeyRef,
 * secret volumes, image pull Secrets), merged by name with the keys read from each. Their values are
 * the team's own; the runbook step only says where each goes.
 */
export function serviceSecrets(service: Service): { readonly name: string; readonly keys: readonly string[]; readonly usedBy: string }[] {
  const byName = new Map<string, { keys: Set<string>; uses: Set<string> }>();
  const note = (name: string, use: string, key?: string): void => {
    const entry = byName.get(name) ?? { keys: new Set<string>(), uses: new Set<string>() };
    if (key !== undefined) entry.keys.add(key);
    entry.uses.add(use);
    byName.set(name, entry);
  };
  const w = service.workload;
  for (const e of w?.env ?? []) if (e.secretKeyRef) note(e.secretKeyRef.name, `variable ${e.name}`, e.secretKeyRef.key);
  for (const v of w?.volumes ?? []) if (v.secret) note(v.secret.secretName, `volume ${v.name} at ${v.mountPath}`);
  for (const name of w?.imagePullSecrets ?? []) note(name, 'image pull Secret', '.dockerconfigjson');
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, e]) => ({ name, keys: [...e.keys].sort(), usedBy: `service ${service.name}: ${[...e.uses].sort().join(', ')}` }));
}

export function prerequisites(env: Environment): ClusterPrerequisites[] {
  return env.clusters.map((cluster) => {
    const view = clusterView(env, cluster.name);
    const p = view.platform;
    const hub = cluster.role === 'hub';
    const operators: OperatorPrerequisite[] = [
      {
        name: 'cert-manager',
        namespace: CERT_MANAGER.namespace,
        deployment: 'cert-manager',
        version: '>= 1.12 (Vault issuer auth.kubernetes.serviceAccountRef, REFERENCE §4.1)',
        why: 'issues every certificate of the bundle',
      },
      {
        name: 'istio',
        namespace: 'istio-system',
        version: '>= 1.21 (ExternalName Services are aliases of the host they name, REFERENCE §3.2)',
        why: 'the mesh and the Gateway API implementation (gatewayClassName istio)',
      },
      {
        name: 'submariner-operator',
        namespace: SUBMARINER_NAMESPACE,
        deployment: 'submariner-operator',
        version: 'the release whose CRDs are pinned (submariner-io/submariner-operator@94d002c2, shared/crds/SOURCES.md)',
        why: 'reconciles the Submariner CR (and the Broker on the broker cluster); Lighthouse serves clusterset.local',
      },
      {
        name: 'reloader',
        // Any namespace: by default it watches every namespace (no Deployment name is assumed).
        namespace: '(any)',
        version: '>= v0.0.103 (reload strategies), run with --reload-strategy=annotations (see README "Reloader and Argo CD")',
        why: 'rolls workloads when a certificate or configuration they mount changes',
      },
    ];
    // A hub runs no certificate, mesh workload or service (placement.ts): only the Submariner operator and the GSLB controller.
    if (hub) operators.splice(0, operators.length, ...operators.filter((o) => o.name === 'submariner-operator'));
    if (view.vault) {
      operators.push({
        name: 'vault-config-operator',
        namespace: p.vaultConfigOperatorNamespace,
        version: 'the release whose CRDs are pinned (redhat-cop/vault-config-operator@20600442, shared/crds/SOURCES.md)',
        why: 'applies the Vault auth mounts, roles, policies and PKI of this cluster; Vault admits its namespace on 8200',
      });
    }
    const glb = view.globalLoadBalancer;
    if (glb && (view.isHub || glb.provider === 'k8gb')) {
      operators.push({
        name: glb.provider,
        namespace: glb.namespace ?? 'k8gb',
        version: 'the release whose CRDs are pinned (shared/crds/SOURCES.md)',
        why: glb.provider === 'k8gb' ? 'answers the global hostnames from every cluster' : 'publishes the global hostnames',
      });
    }

    const sccs: SccPrerequisite[] = [];
    const grant = (security: PodSecurity | undefined, namespace: string, serviceAccount: string): void => {
      if (security?.scc) sccs.push({ scc: security.scc, namespace, serviceAccount });
    };
    if (view.vaultMember) grant(view.vaultMember.podSecurity, view.vaultMember.store.namespace, 'vault');
    if (view.cockroachdbMember) grant(view.cockroachdbMember.podSecurity, view.cockroachdbMember.store.namespace, 'cockroachdb');

    const secrets: OutOfBandSecret[] = [];
    const add = (s: Omit<OutOfBandSecret, 'cluster'>): void => void secrets.push({ cluster: cluster.name, ...s });
    // The root key pair only where a CA issuer signs with it; the certificate alone where a Vault issuer verifies Vault (src/topology/pki.ts).
    const root = hub ? { keyPair: [], bundle: [] } : rootCaPlacement(view);
    for (const p of root.keyPair) {
      add({ namespace: p.namespace, name: env.pki.rootCASecret, keys: ['tls.crt', 'tls.key'], usedBy: p.usedBy, source: 'the environment root CA (root-ca.crt, root-ca.key), kept offline', runbookStep: RUNBOOK_STEP.rootCA });
    }
    for (const p of root.bundle) {
      add({ namespace: p.namespace, name: rootCaBundleSecret(env.pki), keys: [ROOT_CA_BUNDLE_KEY], usedBy: p.usedBy, source: 'the environment root CA certificate (root-ca.crt) alone', runbookStep: RUNBOOK_STEP.rootCA });
    }
    if (view.vault && !hub) {
      // The reviewer JWT of this cluster's auth mount, in every workload cluster (with or without Vault pods):
      // a token that does not expire (src/topology/trust-runbook.ts, reviewerConfigCommands).
      add({ namespace: view.vault.namespace, name: REVIEWER_TOKEN.secret, keys: ['token'], usedBy: `the reviewer JWT of Vault's auth mount ${authMount(env.pki, cluster.name)} (TokenReview of every login from this cluster)`, source: `the token controller, for ServiceAccount ${REVIEWER_TOKEN.serviceAccount} (system:auth-delegator); valid until the Secret is deleted`, runbookStep: RUNBOOK_STEP.vaultAccess, serviceAccountToken: REVIEWER_TOKEN.serviceAccount });
    }
    if (view.vaultMember) {
      const seal = view.vaultMember.seal;
      const bySecret = new Map<string, string[]>();
      for (const e of seal.env) bySecret.set(e.secret, [...(bySecret.get(e.secret) ?? []), e.key]);
      for (const f of seal.files) bySecret.set(f.secret, [...(bySecret.get(f.secret) ?? []), f.key]);
      for (const [name, keys] of [...bySecret].sort(([a], [b]) => (a < b ? -1 : 1))) {
        add({ namespace: view.vaultMember.store.namespace, name, keys: [...keys].sort(), usedBy: `Vault's ${seal.type} seal`, source: `the ${seal.type} credentials of this cluster's seal`, runbookStep: RUNBOOK_STEP.seal });
      }
    }
    add({ namespace: SUBMARINER_NAMESPACE, name: env.submariner.brokerSecret, keys: ['ca.crt', 'namespace', 'token'], usedBy: 'the Submariner CR (brokerK8sSecret): gateway, Lighthouse and globalnet agents talk to the broker with it', source: `the token Secret of ServiceAccount ${brokerClientServiceAccount(cluster.name)} in ${env.submariner.brokerNamespace} on ${env.submariner.broker}`, runbookStep: RUNBOOK_STEP.submariner });
    add({ namespace: SUBMARINER_NAMESPACE, name: env.submariner.ipsecPSKSecret, keys: ['psk'], usedBy: 'the Submariner CR (ceIPSecPSKSecret): IPsec between gateways', source: 'one random pre-shared key for the whole cluster set, generated once', runbookStep: RUNBOOK_STEP.submariner });
    if (glb?.provider === 'global-load-balancer-operator' && view.isHub) {
      const endpoints = env.clusters.filter((c) => clusterView(env, c.name).hasIngress);
      for (const c of endpoints) {
        const s = kubeconfigSecret(glb, c);
        add({ namespace: s.namespace, name: s.name, keys: ['kubeconfig'], usedBy: `GlobalDNSRecords (clusterCredentialRef of endpoint ${c.name}): the operator reads ${INGRESS.loadBalancerService} there`, source: `the token Secret of ServiceAccount ${GSLB_READER_SERVICE_ACCOUNT} in ${INGRESS.namespace} on ${c.name}, and ${c.name}'s API server ${c.server}`, runbookStep: RUNBOOK_STEP.gslb });
      }
      if (glb.zone?.credentialsSecret) {
        add({ namespace: glb.namespace!, name: glb.zone.credentialsSecret, keys: ['aws_access_key_id', 'aws_secret_access_key'], usedBy: 'the GlobalDNSZone (Route53 provider)', source: 'AWS credentials allowed to change the Route53 zone', runbookStep: RUNBOOK_STEP.gslbZone });
      }
    }
    if (env.backup) {
      const k = BACKUP_CREDENTIAL_KEYS;
      // Only in the store's member clusters (placement.ts), where its backup objects and nodes run.
      for (const store of [view.vaultMember?.store, view.cockroachdbMember?.store]) {
        if (!store) continue;
        add({ namespace: store.namespace, name: env.backup.credentialsSecret, keys: [k.accessKeyId, k.secretAccessKey], usedBy: `the ${store === env.vault ? 'Vault snapshot CronJob' : 'CockroachDB backup schedule Job'} (${k.region} optional)`, source: `an identity that may write to ${env.backup.destination}`, runbookStep: RUNBOOK_STEP.backup });
      }
    }
    for (const service of env.services.filter((x) => x.activeIn.includes(cluster.name))) {
      for (const secret of serviceSecrets(service)) {
        add({ namespace: service.namespace, name: secret.name, keys: secret.keys, usedBy: secret.usedBy, source: `the team that owns service ${service.name} (values never pass through meridian)`, runbookStep: RUNBOOK_STEP.serviceSecrets });
      }
    }
    return {
      cluster: cluster.name,
      platform: cluster.platform,
      operators,
      sccs,
      dns: p.platform === 'openshift' ? { namespace: 'openshift-dns', service: 'dns-default', podPorts: [5353] } : { namespace: 'kube-system', service: 'kube-dns', podPorts: [53] },
      secrets,
    };
  });
}

/** The machine-readable form written to dist/<env>.prerequisites.json (rules and preflight read it). */
export interface PrerequisitesDocument {
  readonly environment: string;
  readonly clusters: readonly (ClusterPrerequisites & { readonly apis: readonly { readonly groupVersion: string; readonly kinds: readonly string[] }[] })[];
}

export function prerequisitesFile(environment: string): string {
  return `${environment}.prerequisites.json`;
}
