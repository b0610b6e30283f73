// The one-shot trust steps GitOps cannot make healthy by itself (DESIGN §6), as exact commands
// generated from the model, for `meridian report` to print in order. Nothing here runs anything.
import { bootstrapMember } from './placement';
import { VAULT_ISSUER, VAULT_SERVICE } from '../lib/names';
import { ROOT_CA_BUNDLE_KEY, VAULT_CONFIG_IDENTITY, authMount, localNamespacedVaultIssuers, configOperatorPolicy, configOperatorPolicyName, renderVaultPolicy, rootCaBundleSecret, rootCaPlacement, MESH_CA, type VaultPolicy } from './pki';
import { clusterView } from './view';
import type { Environment, VaultStore } from './types';
import { VAULT_PORTS, VAULT_SERVICE_ACCOUNT, VAULT_STATEFULSET, vaultClustersetServiceHost, vaultHasRemoteClients, vaultSeal } from './vault';

export interface RunbookStep {
  /** Stable identifier, e.g. `vault-init`. */
  readonly id: string;
  readonly title: string;
  /** Why GitOps cannot do it, and what it unblocks. */
  readonly why: string;
  /** Shell commands, in order; `kubectl --context <cluster>` assumes kube contexts named like the clusters. */
  readonly commands: readonly string[];
}

/** The administrator's access that the bootstrap leaves behind instead of the root token (day-2 runbooks). */
export const ADMIN = { policy: 'meridian-admin', role: 'meridian-admin', serviceAccount: 'meridian-admin' } as const;

/**
 * What the administrator may do: enable, tune and configure the per-cluster auth mounts and their roles, write
 * the vault-config-operator policies of new clusters, and read and change the Raft membership. Enabling an auth
 * method and the raft endpoints need sudo (Vault API docs, /sys/auth and /sys/storage/raft).
 */
export function adminPolicy(env: Pick<Environment, 'pki'>): VaultPolicy {
  const crud = ['create', 'read', 'update', 'delete'];
  const mounts = `${env.pki.authMountPrefix}*`;
  return {
    path: {
      'sys/auth': { capabilities: ['read', 'sudo'] },
      [`sys/auth/${mounts}`]: { capabilities: [...crud, 'sudo'] },
      [`auth/${mounts}`]: { capabilities: [...crud, 'list'] },
      'sys/policies/acl': { capabilities: ['list'] },
      [`sys/policies/acl/${configOperatorPolicyName('*')}`]: { capabilities: [...crud, 'list'] },
      'sys/storage/raft/configuration': { capabilities: ['read', 'sudo'] },
      'sys/storage/raft/remove-peer': { capabilities: ['update', 'sudo'] },
      'sys/storage/raft/autopilot/state': { capabilities: ['read'] },
    },
  };
}

/** The administrator's ServiceAccount in one cluster and its role on that cluster's auth mount. */
export function adminRoleCommands(env: Pick<Environment, 'pki'>, vault: Pick<VaultStore, 'namespace'>, cluster: string): string[] {
  return [
    `kubectl --context ${cluster} -n ${vault.namespace} create serviceaccount ${ADMIN.serviceAccount} --dry-run=client -o yaml | kubectl --context ${cluster} apply -f -`,
    `vault write auth/${authMount(env.pki, cluster)}/role/${ADMIN.role} bound_service_account_names=${ADMIN.serviceAccount} bound_service_account_namespaces=${vault.namespace} policies=${ADMIN.policy} ttl=1h`,
  ];
}

/** Log in as the administrator through one cluster's auth mount (a port-forward to that cluster's vault-0 first). */
export function adminLoginCommands(env: Pick<Environment, 'pki'>, vault: Pick<VaultStore, 'namespace'>, cluster: string): string[] {
  const pod0 = `${VAULT_STATEFULSET}-0`;
  return [
    `kubectl --context ${cluster} -n ${vault.namespace} port-forward pod/${pod0} ${VAULT_PORTS.api}:${VAULT_PORTS.api} &   # keep it open for the steps below`,
    `export VAULT_ADDR=https://127.0.0.1:${VAULT_PORTS.api} VAULT_CACERT=${ROOT_CERT} VAULT_TLS_SERVER_NAME=${VAULT_SERVICE}.${vault.namespace}.svc`,
    `export VAULT_TOKEN="$(vault write -field=token auth/${authMount(env.pki, cluster)}/login role=${ADMIN.role} jwt="$(kubectl --context ${cluster} -n ${vault.namespace} create token ${ADMIN.serviceAccount} --duration=10m)")"`,
  ];
}

/**
 * Configures one cluster's Kubernetes auth mount for TokenReview with a reviewer JWT that does not
 * expire: the token of a `kubernetes.io/service-account-token` Secret of Vault's ServiceAccount (which
 * is bound to system:auth-delegator), valid until the Secret is deleted (Kubernetes docs, "Manually
 * create a long-lived API token for a ServiceAccount"; Vault docs, auth/kubernetes "How to work with
 * short-lived Kubernetes tokens": a long-lived token as token_reviewer_jwt). The vault-config-operator
 * is not used for this: its KubernetesAuthEngineConfig writes a TokenRequest token of one year
 * (redhat-cop/vault-config-operator api/v1alpha1/kubernetesauthengineconfig_types.go, getJWTToken:
 * `expiration := int64(60 * 60 * 24 * 365)`) and requests a new one only when it reconciles, which its
 * predicate limits to spec changes and (re)starts of the operator (internal/controller/
 * vaultresourcecontroller/utils.go, PeriodicReconcilePredicate; a periodic requeue only with
 * ENABLE_DRIFT_DETECTION), so nothing renews it before it lapses.
 *
 * kubernetes_ca_cert is the CA that verifies `kubernetes_host` itself, the cluster's external API URL:
 * the CA of the administrator's kubeconfig context for that cluster, checked against the URL first. The
 * ServiceAccount's ca.crt verifies the in-cluster endpoint; on OpenShift the external
 * `api.<cluster>.<domain>:6443` may serve a user-provided named certificate
 * (apiserver.config.openshift.io spec.servingCerts.namedCertificates; docs.okd.io, "Adding API server
 * named certificates") that that CA does not sign. Files in a private scratch folder: no secret on a
 * command line.
 */
export function reviewerConfigCommands(env: Pick<Environment, 'pki'>, vault: Pick<VaultStore, 'namespace'>, c: Pick<Environment['clusters'][number], 'name' | 'server'>, secret: string = REVIEWER_TOKEN.secret): string[] {
  const mount = authMount(env.pki, c.name);
  const ns = vault.namespace;
  const ctx = `--context ${c.name} -n ${ns}`;
  const jwt = `"$D/${c.name}-reviewer.jwt"`;
  const ca = `"$D/${c.name}-api-ca.crt"`;
  return [
    `D="$(mktemp -d)"   # private scratch folder for the reviewer token and the API CA of ${c.name}`,
    `until kubectl ${ctx} get serviceaccount ${REVIEWER_TOKEN.serviceAccount} >/dev/null 2>&1; do sleep 10; done   # synced by Argo CD`,
    // The token controller fills a Secret of this type for the ServiceAccount its annotation names.
    `kubectl ${ctx} create secret generic ${secret} --type=kubernetes.io/service-account-token --dry-run=client -o yaml | kubectl annotate --local -f - kubernetes.io/service-account.name=${REVIEWER_TOKEN.serviceAccount} -o yaml | kubectl ${ctx} apply -f -`,
    `i=0; until [ -n "$(kubectl ${ctx} get secret ${secret} -o jsonpath='{.data.token}')" ]; do i=$((i+1)); if [ "$i" -ge 60 ]; then echo "no token in Secret ${ns}/${secret} of ${c.name} after 2 minutes: check that ServiceAccount ${REVIEWER_TOKEN.serviceAccount} exists there" >&2; break; fi; sleep 2; done`,
    `kubectl ${ctx} get secret ${secret} -o jsonpath='{.data.token}' | base64 -d > ${jwt}`,
    `kubectl config view --raw --minify --context ${c.name} -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ${ca}`,
    `if curl -sS -o /dev/null --cacert ${ca} ${c.server}/version; then vault write auth/${mount}/config kubernetes_host=${c.server} disable_local_ca_jwt=true kubernetes_ca_cert=@${ca} token_reviewer_jwt=@${jwt}; else echo "$D/${c.name}-api-ca.crt (from the kubeconfig context ${c.name}) does not verify ${c.server}: the mount was not configured; run this step again with a kubeconfig whose context ${c.name} holds the CA that signs that API certificate (on OpenShift the CA of a named certificate of apiserver/cluster, if one serves this host)" >&2; fi`,
    'rm -rf "$D"',
  ];
}

/** The reviewer JWT of every cluster's auth mount: a long-lived token Secret of Vault's ServiceAccount (system:auth-delegator). */
export const REVIEWER_TOKEN = { serviceAccount: VAULT_SERVICE_ACCOUNT, secret: `${VAULT_SERVICE_ACCOUNT}-token` } as const;

/** The commands that give one cluster's vault-config-operator its login (also run for a cluster added later). */
export function operatorAccessCommands(env: Environment, vault: Pick<VaultStore, 'namespace'>, c: Pick<Environment['clusters'][number], 'name' | 'server'>): string[] {
  const mount = authMount(env.pki, c.name);
  const policy = configOperatorPolicyName(c.name);
  const ns = vault.namespace;
  return [
    `printf '%s' '${renderVaultPolicy(configOperatorPolicy(env, c.name)).replace(/\s+/g, '')}' | vault policy write ${policy} -`,
    `vault auth enable -path=${mount} kubernetes`,
    ...reviewerConfigCommands(env, vault, c),
    `vault write auth/${mount}/role/${VAULT_CONFIG_IDENTITY.role} bound_service_account_names=${VAULT_CONFIG_IDENTITY.serviceAccount} bound_service_account_namespaces=${ns} policies=${policy} ttl=15m`,
  ];
}

/**
 * Replaces one cluster's reviewer token without a gap: a second token Secret takes over first, then the
 * Secret the mount normally uses is deleted (which invalidates its token) and created again, and the
 * mount goes back to it. Run as the administrator logged in through another cluster's mount.
 */
export function reviewerRotationCommands(env: Pick<Environment, 'pki'>, vault: Pick<VaultStore, 'namespace'>, c: Pick<Environment['clusters'][number], 'name' | 'server'>): string[] {
  const ctx = `--context ${c.name} -n ${vault.namespace}`;
  const next = `${REVIEWER_TOKEN.secret}-next`;
  return [
    ...reviewerConfigCommands(env, vault, c, next),
    `kubectl ${ctx} delete secret ${REVIEWER_TOKEN.secret}   # invalidates the old token; logins are reviewed with ${next} meanwhile`,
    ...reviewerConfigCommands(env, vault, c),
    `kubectl ${ctx} delete secret ${next}`,
  ];
}

/** Local files the operator keeps outside every cluster (never committed). */
const ROOT_CERT = 'root-ca.crt';
const ROOT_KEY = 'root-ca.key';

/** Trust bootstrap of an environment, in order. Without Vault only the root CA Secret is needed. */
export function trustRunbook(env: Environment): RunbookStep[] {
  const vault = env.vault;
  const steps: RunbookStep[] = [rootCaStep(env, vault)];
  const mesh = meshCaStep(env);
  if (!vault) return [...steps, ...mesh];
  // Vault pods run only in its member clusters (vault.clusters); every workload cluster still has
  // its auth mount, issuer and operator, which reach Vault by its clusterset name (placement.ts).
  const first = bootstrapMember(vault);
  const members = env.clusters.filter((c) => vault.clusters.includes(c.name));
  const workloads = env.clusters.filter((c) => c.role === 'workload');
  const ns = vault.namespace;
  const pod0 = `${VAULT_STATEFULSET}-0`;
  // A local vault CLI through a port-forward: the root token never leaves the workstation (an exec
  // command line would land in the API server's audit log).
  const cli = 'vault';
  const voters = vault.quorum.voters;
  steps.push(
    sealStep(env, vault),
    {
      id: 'vault-running',
      title: 'Let Argo CD sync every cluster until the Vault pods run (Ready while uninitialized)',
      why: 'The pods report Ready before `vault operator init`, so the platform tier converges without a human; everything that needs an initialized Vault is in a later tier, whose ApplicationSet a later step applies.',
      commands: members.map((c) => `kubectl --context ${c.name} -n ${ns} rollout status statefulset/${VAULT_STATEFULSET} --timeout=15m`),
    },
    {
      id: 'vault-init',
      title: `Initialize Vault once, on ${pod0} of ${first}; the other ${voters - 1} pods join through retry_join and unseal with the seal`,
      why: 'Initialization creates the root key and recovery keys: it happens exactly once for the whole cluster set and its output must be kept offline.',
      commands: [
        `kubectl --context ${first} -n ${ns} port-forward pod/${pod0} ${VAULT_PORTS.api}:${VAULT_PORTS.api} &   # keep it open for the steps below`,
        `export VAULT_ADDR=https://127.0.0.1:${VAULT_PORTS.api} VAULT_CACERT=${ROOT_CERT} VAULT_TLS_SERVER_NAME=${VAULT_SERVICE}.${ns}.svc`,
        `${cli} operator init -recovery-shares=5 -recovery-threshold=3 -format=json > vault-init.json`,
        'export VAULT_TOKEN="$(jq -r .root_token vault-init.json)"   # store vault-init.json offline (recovery keys), then delete it',
        // The other pods join through retry_join after init, one by one: wait (bounded) instead of checking once. The JSON
        // is the response of GET sys/storage/raft/configuration: data.config.servers[].voter (developer.hashicorp.com/vault/api-docs/system/storage/raft).
        `i=0; until [ "$(${cli} operator raft list-peers -format=json | jq '[.data.config.servers[] | select(.voter)] | length')" -ge ${voters} ]; do i=$((i+1)); if [ "$i" -ge 60 ]; then echo "fewer than ${voters} Raft voters after 10 minutes: check the pods that have not joined (kubectl --context <cluster> -n ${ns} logs ${VAULT_STATEFULSET}-<n>: retry_join, TLS or seal errors), fix them, then run this loop again" >&2; break; fi; sleep 10; done`,
        `${cli} operator raft list-peers   # expect ${voters} voters: ${members.map((c) => `${vault.quorum.votersPerCluster[c.name]} in ${c.name}`).join(', ')}`,
      ],
    },
    {
      id: 'vault-config-operator-access',
      title: "Give each cluster's vault-config-operator its login: the cluster's auth mount, its config and the operator's role",
      why: `The operator applies the Vault configuration CRs by logging in through the auth mount of its own cluster, which therefore has to exist first. The mount's config stays here, not in a CR: its reviewer JWT is the token of Secret ${vault.namespace}/${REVIEWER_TOKEN.secret} (ServiceAccount ${REVIEWER_TOKEN.serviceAccount}, system:auth-delegator), which does not expire, and its CA is the one that verifies the cluster's API URL; rotate it with the day-2 runbook "Rotate the reviewer tokens"`,
      commands: workloads.flatMap((c) => operatorAccessCommands(env, vault, c)),
    },
    {
      id: 'vault-pki-intermediate',
      title: `Make ${env.pki.vaultPKIPath}/ an intermediate CA signed by the root CA (after the operator has mounted it)`,
      why: 'The root key stays outside Vault; signing the intermediate with it gives Vault-issued certificates and Vault\'s own TLS one trust anchor (ca.crt is the root everywhere). The CSR and the signature cannot come from GitOps.',
      commands: [
        `until ${cli} read sys/mounts/${env.pki.vaultPKIPath} >/dev/null 2>&1; do sleep 10; done`,
        `${cli} write -field=csr ${env.pki.vaultPKIPath}/intermediate/generate/internal common_name="meridian ${env.name} Vault PKI" key_type=ec key_bits=256 > pki-intermediate.csr`,
        // A file, not bash process substitution: the block is POSIX sh.
        `printf 'basicConstraints=critical,CA:true,pathlen:0\\nkeyUsage=critical,keyCertSign,cRLSign\\nsubjectKeyIdentifier=hash\\nauthorityKeyIdentifier=keyid:always\\n' > pki-intermediate.ext`,
        `openssl x509 -req -in pki-intermediate.csr -CA ${ROOT_CERT} -CAkey ${ROOT_KEY} -CAcreateserial -days 1825 -sha256 -extfile pki-intermediate.ext -out pki-intermediate.crt`,
        `cat pki-intermediate.crt ${ROOT_CERT} | ${cli} write ${env.pki.vaultPKIPath}/intermediate/set-signed certificate=-`,
        pkiUrlsCommand(env, vault),
      ],
    },
    {
      id: 'vault-admin-access',
      title: `Leave an administrator's login behind before the root token goes: policy ${ADMIN.policy} and role ${ADMIN.role} on every cluster's auth mount`,
      why: `Day-2 changes (a new cluster's auth mount and roles, Raft peers to remove) need more than the operators' policies, and the root token is revoked in the next step. The role logs in with a token of ServiceAccount ${ns}/${ADMIN.serviceAccount}, so whoever may create that ServiceAccount's tokens in a cluster (Kubernetes RBAC) is a Vault administrator; the policy is limited to auth mounts, the operators' policies and Raft membership.`,
      commands: [
        `printf '%s' '${renderVaultPolicy(adminPolicy(env)).replace(/\s+/g, '')}' | ${cli} policy write ${ADMIN.policy} -`,
        ...workloads.flatMap((c) => adminRoleCommands(env, vault, c.name)),
      ],
    },
    {
      id: 'vault-verify',
      title: 'Check that every cluster issues certificates, then revoke the root token',
      why: 'Ready issuers and certificates unblock the workloads wave; Certificates that failed while Vault was not ready are retried at once with cmctl (the cert-manager CLI) instead of after their back-off; no root token should outlive the bootstrap.',
      commands: [
        ...workloads.map((c) => `kubectl --context ${c.name} wait clusterissuer/${VAULT_ISSUER} --for=condition=Ready --timeout=10m && kubectl --context ${c.name} get certificates -A`),
        // and the namespaced Vault issuers of CockroachDB's identities (src/topology/pki.ts)
        ...workloads.flatMap((c) => localNamespacedVaultIssuers(clusterView(env, c.name)).map((i) => `kubectl --context ${c.name} -n ${i.namespace} wait issuer/${i.name} --for=condition=Ready --timeout=10m`)),
        // A Certificate whose request Vault refused before the intermediate was set backs off for an hour,
        // then longer (REFERENCE §9.6); renewing the ones not Ready makes cert-manager try again now
        // (cert-manager cmd/ctl/pkg/renew/renew.go: `renew -n <ns> <name>`, kubeconfig flags incl. --context).
        ...workloads.map((c) => renewNotReadyCommand(c.name)),
        '# a ClusterIssuer still not Ready after 10 minutes: kubectl --context <cluster> describe clusterissuer/' + VAULT_ISSUER + ' names the Vault error (login, policy, no default issuer); fix it, then run the wait again',
        `${cli} token revoke -self && kill %1   # ends the port-forward`,
      ],
    },
  );
  // Last: every cluster has synced its certificates by now, a progressive rollout included.
  return [...steps, ...mesh];
}

/**
 * Where issued certificates say their issuer's certificate and CRL are (AIA and CRL distribution points).
 * Vault API `POST /<mount>/config/urls` with issuing_certificates and crl_distribution_points
 * (developer.hashicorp.com/vault/api-docs/secret/pki, "Set URLs"; hashicorp/vault
 * builtin/logical/pki/path_config_urls.go, pattern "config/urls"). The address is the local client
 * Service `<vault>.<ns>.svc`: Vault serves TLS only, and that name is among its certificate's SANs
 * (vaultServerDnsNames) and resolves to the same Raft cluster, and so to the same PKI mount, in every
 * cluster that runs Vault; a headless or clusterset name the certificate does not carry would fail
 * host verification. When some workload cluster runs no Vault pod (vault.clusters) the address is the
 * client Service's clusterset name instead, which every cluster resolves and the certificate then carries.
 */
export function pkiUrlsCommand(env: Pick<Environment, 'pki' | 'clusters'>, vault: Pick<VaultStore, 'namespace' | 'clusters'>): string {
  // With placement, some workload clusters run no Vault pod and resolve only the clusterset name of
  // the client Service (exported by the members, and among the certificate's SANs then).
  const host = vaultHasRemoteClients(env, vault) ? vaultClustersetServiceHost(vault, VAULT_SERVICE) : `${VAULT_SERVICE}.${vault.namespace}.svc`;
  const base = `https://${host}:${VAULT_PORTS.api}/v1/${env.pki.vaultPKIPath}`;
  return `vault write ${env.pki.vaultPKIPath}/config/urls issuing_certificates=${base}/ca crl_distribution_points=${base}/crl`;
}

function rootCaStep(env: Environment, vault: VaultStore | undefined): RunbookStep {
  const secret = env.pki.rootCASecret;
  const bundle = rootCaBundleSecret(env.pki);
  const placements = env.clusters.map((c) => ({ cluster: c.name, root: rootCaPlacement(clusterView(env, c.name)) }));
  const keyNamespaces = [...new Set(placements.flatMap((p) => p.root.keyPair.map((k) => k.namespace)))].sort();
  const bundleNamespaces = [...new Set(placements.flatMap((p) => p.root.bundle.map((k) => k.namespace)))].sort();
  const create = (cluster: string, ns: string, args: string): string[] => [
    `kubectl --context ${cluster} create namespace ${ns} --dry-run=client -o yaml | kubectl --context ${cluster} apply -f -`,
    `kubectl --context ${cluster} -n ${ns} create secret ${args}`,
  ];
  return {
    id: 'root-ca',
    title: `Load the root CA into every cluster: the key pair as Secret ${secret} only where a CA Issuer signs with it (${keyNamespaces.join(', ')})${bundleNamespaces.length > 0 ? `, the certificate alone as Secret ${bundle} (${ROOT_CA_BUNDLE_KEY}) where a Vault issuer verifies Vault (${bundleNamespaces.join(', ')})` : ''}`,
    why: vault
      ? `The CA Issuers sign Vault's own TLS and istiod's intermediate with the key; the Vault issuers only verify Vault's certificate, so their namespaces get the certificate and never the key. Both must exist before the first sync.`
      : `Without Vault a CA issuer signs every certificate with the key, in each namespace listed (a ClusterIssuer only when the environment has no store). It must exist before the first sync.`,
    commands: placements.flatMap((p) => [
      ...p.root.keyPair.flatMap((k) => create(p.cluster, k.namespace, `tls ${secret} --cert=${ROOT_CERT} --key=${ROOT_KEY}`)),
      ...p.root.bundle.flatMap((k) => create(p.cluster, k.namespace, `generic ${bundle} --from-file=${ROOT_CA_BUNDLE_KEY}=${ROOT_CERT}`)),
    ]),
  };
}

/**
 * istiod signs with the plugged-in intermediate only if `cacerts` exists when it starts: it looks for
 * the files once at start and watches them only when it found them (istio/istio
 * pilot/pkg/bootstrap/istio_ca.go: detectSigningCABundle, then initCACertsWatcher). The Secret is
 * issued in an early wave, but istiod (a prerequisite) runs already, with a self-signed root; so
 * after the first issuance istiod is restarted, and so are the meshed workloads that started before
 * it, to get workload certificates from the shared root. Renewals need nothing: istiod reloads a
 * renewed intermediate under the same root from the watched files (handleCACertsFileWatch).
 */
function meshCaStep(env: Environment): RunbookStep[] {
  const clusters = env.clusters.map((c) => ({ name: c.name, view: clusterView(env, c.name) })).filter((c) => rootCaPlacement(c.view).mesh);
  if (clusters.length === 0) return [];
  return [
    {
      id: 'mesh-ca',
      title: `Restart istiod in every cluster once its intermediate CA (${MESH_CA.namespace}/${MESH_CA.secret}, chained to the root) is issued, then the meshed workloads`,
      why: "istiod reads cacerts only at start and runs before the first sync with a self-signed root of its own: until it restarts, mutual TLS to another cluster's endpoints fails (the failover case). Later renewals of the intermediate are picked up without a restart.",
      commands: clusters.flatMap((c) => [
        `kubectl --context ${c.name} -n ${MESH_CA.namespace} wait certificate/${MESH_CA.certificate} --for=condition=Ready --timeout=10m`,
        `kubectl --context ${c.name} -n ${MESH_CA.namespace} rollout restart deployment -l app=istiod && kubectl --context ${c.name} -n ${MESH_CA.namespace} rollout status deployment -l app=istiod --timeout=10m`,
        // On the first install the meshed Deployments come later (their tiers apply after this step) and the loop
        // finds none; after a root change it restarts each, so its sidecar gets a certificate of the new root.
        ...c.view.sidecarNamespaces.map((ns) => `for d in $(kubectl --context ${c.name} -n ${ns} get deployment -o name); do kubectl --context ${c.name} -n ${ns} rollout restart "$d"; done`),
      ]),
    },
  ];
}

/** Ask cert-manager to issue again, now, every Certificate of a cluster that is not Ready. */
export function renewNotReadyCommand(cluster: string): string {
  return `kubectl --context ${cluster} get certificates -A -o json | jq -r '.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status != "True")) | "\\(.metadata.namespace) \\(.metadata.name)"' | while read -r ns name; do cmctl renew --context ${cluster} -n "$ns" "$name"; done`;
}

/** A shell variable name for a key (placeholders are `${VAR:?...}`, which sh parses and which stop the command when unset). */
export function shellVar(key: string): string {
  return key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase() || 'VALUE';
}

/**
 * A placeholder the user fills that still parses as sh: `"${KEY_FILE:?...}"` stops the command with the
 * message when the variable is unset (never `<...>`, which the shell reads as a redirection).
 */
export function fileVar(key: string, what = `the path of the file holding ${key}`): string {
  const v = `${shellVar(key)}_FILE`;
  return `"\${${v}:?set ${v} to ${what}}"`;
}

function sealStep(env: Environment, vault: VaultStore): RunbookStep {
  const w = vaultSeal(vault.seal);
  const bySecret = new Map<string, string[]>();
  for (const e of w.env) bySecret.set(e.secret, [...(bySecret.get(e.secret) ?? []), `--from-literal=${e.key}="\${${shellVar(e.key)}:?export ${shellVar(e.key)} first}"`]);
  for (const f of w.files) bySecret.set(f.secret, [...(bySecret.get(f.secret) ?? []), `--from-file=${f.key}="\${${shellVar(f.key)}_FILE:?set ${shellVar(f.key)}_FILE to the path of ${f.key}}"`]);
  // Only the member clusters run Vault pods that unseal (vault.clusters).
  const commands = env.clusters.filter((c) => vault.clusters.includes(c.name)).flatMap((c) =>
    [...bySecret].map(([secret, args]) => `kubectl --context ${c.name} -n ${vault.namespace} create secret generic ${secret} ${args.join(' ')}`),
  );
  return {
    id: 'vault-seal-credentials',
    title: `Provide the ${w.type} seal credentials to the Vault pods of every cluster`,
    why: 'Auto-unseal needs them at every pod start; they are secrets, so meridian only references them.',
    commands: commands.length > 0 ? commands : ['# none: the pods get cloud credentials from their ServiceAccount (e.g. IRSA); grant them the KMS key'],
  };
}
