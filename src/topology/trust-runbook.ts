// The one-shot trust steps GitOps cannot make healthy by itself (DESIGN §6), as exact commands
// generated from the model, for `meridian report` to print in order. Nothing here runs anything.
import { CERT_MANAGER, VAULT_ISSUER, VAULT_SERVICE } from '../lib/names';
import { VAULT_CONFIG_IDENTITY, authMount, configOperatorPolicy, configOperatorPolicyName, renderVaultPolicy, type VaultPolicy } from './pki';
import type { Environment, VaultStore } from './types';
import { VAULT_PORTS, VAULT_SERVICE_ACCOUNT, VAULT_STATEFULSET, vaultSeal } from './vault';

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

/** The commands that give one cluster's vault-config-operator its login (also run for a cluster added later). */
export function operatorAccessCommands(env: Environment, vault: Pick<VaultStore, 'namespace'>, c: Pick<Environment['clusters'][number], 'name' | 'server'>): string[] {
  const mount = authMount(env.pki, c.name);
  const policy = configOperatorPolicyName(c.name);
  const ns = vault.namespace;
  return [
    `printf '%s' '${renderVaultPolicy(configOperatorPolicy(env, c.name)).replace(/\s+/g, '')}' | vault policy write ${policy} -`,
    `vault auth enable -path=${mount} kubernetes`,
    `vault write auth/${mount}/config kubernetes_host=${c.server} disable_local_ca_jwt=true kubernetes_ca_cert="$(kubectl --context ${c.name} -n ${ns} get configmap kube-root-ca.crt -o jsonpath='{.data.ca\\.crt}')" token_reviewer_jwt="$(kubectl --context ${c.name} -n ${ns} create token ${VAULT_SERVICE_ACCOUNT} --duration=1h)"`,
    `vault write auth/${mount}/role/${VAULT_CONFIG_IDENTITY.role} bound_service_account_names=${VAULT_CONFIG_IDENTITY.serviceAccount} bound_service_account_namespaces=${ns} policies=${policy} ttl=15m`,
  ];
}

/** Local files the operator keeps outside every cluster (never committed). */
const ROOT_CERT = 'root-ca.crt';
const ROOT_KEY = 'root-ca.key';

/** Trust bootstrap of an environment, in order. Without Vault only the root CA Secret is needed. */
export function trustRunbook(env: Environment): RunbookStep[] {
  const vault = env.vault;
  const steps: RunbookStep[] = [rootCaStep(env, vault)];
  if (!vault) return steps;
  const first = env.clusters[0]!.name;
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
      commands: env.clusters.map((c) => `kubectl --context ${c.name} -n ${ns} rollout status statefulset/${VAULT_STATEFULSET} --timeout=15m`),
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
        `${cli} operator raft list-peers   # expect ${voters} voters: ${env.clusters.map((c) => `${vault.quorum.votersPerCluster[c.name]} in ${c.name}`).join(', ')}`,
      ],
    },
    {
      id: 'vault-config-operator-access',
      title: "Give each cluster's vault-config-operator its login: the cluster's auth mount, its config and the operator's role",
      why: 'The operator applies the Vault configuration CRs by logging in through the auth mount of its own cluster, which therefore has to exist first; once it logs in, the KubernetesAuthEngineConfig CR takes the mount over (and renews the reviewer token).',
      commands: env.clusters.flatMap((c) => operatorAccessCommands(env, vault, c)),
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
        ...env.clusters.flatMap((c) => adminRoleCommands(env, vault, c.name)),
      ],
    },
    {
      id: 'vault-verify',
      title: 'Check that every cluster issues certificates, then revoke the root token',
      why: 'Ready ClusterIssuers and certificates unblock the workloads wave; Certificates that failed while Vault was not ready are retried at once with cmctl (the cert-manager CLI) instead of after their back-off; no root token should outlive the bootstrap.',
      commands: [
        ...env.clusters.map((c) => `kubectl --context ${c.name} wait clusterissuer/${VAULT_ISSUER} --for=condition=Ready --timeout=10m && kubectl --context ${c.name} get certificates -A`),
        // A Certificate whose request Vault refused before the intermediate was set backs off for an hour,
        // then longer (REFERENCE §9.6); renewing the ones not Ready makes cert-manager try again now
        // (cert-manager cmd/ctl/pkg/renew/renew.go: `renew -n <ns> <name>`, kubeconfig flags incl. --context).
        ...env.clusters.map((c) => renewNotReadyCommand(c.name)),
        '# a ClusterIssuer still not Ready after 10 minutes: kubectl --context <cluster> describe clusterissuer/' + VAULT_ISSUER + ' names the Vault error (login, policy, no default issuer); fix it, then run the wait again',
        `${cli} token revoke -self && kill %1   # ends the port-forward`,
      ],
    },
  );
  return steps;
}

/**
 * Where issued certificates say their issuer's certificate and CRL are (AIA and CRL distribution points).
 * Vault API `POST /<mount>/config/urls` with issuing_certificates and crl_distribution_points
 * (developer.hashicorp.com/vault/api-docs/secret/pki, "Set URLs"; hashicorp/vault
 * builtin/logical/pki/path_config_urls.go, pattern "config/urls"). The address is the local client
 * Service `<vault>.<ns>.svc`: Vault serves TLS only, and that name is among its certificate's SANs
 * (vaultServerDnsNames) and resolves to the same Raft cluster, and so to the same PKI mount, in every
 * cluster that runs Vault; a headless or clusterset name the certificate does not carry would fail
 * host verification.
 */
export function pkiUrlsCommand(env: Pick<Environment, 'pki'>, vault: Pick<VaultStore, 'namespace'>): string {
  const base = `https://${VAULT_SERVICE}.${vault.namespace}.svc:${VAULT_PORTS.api}/v1/${env.pki.vaultPKIPath}`;
  return `vault write ${env.pki.vaultPKIPath}/config/urls issuing_certificates=${base}/ca crl_distribution_points=${base}/crl`;
}

function rootCaStep(env: Environment, vault: VaultStore | undefined): RunbookStep {
  const secret = env.pki.rootCASecret;
  const namespaces = vault ? [CERT_MANAGER.namespace, vault.namespace] : [CERT_MANAGER.namespace];
  return {
    id: 'root-ca',
    title: `Load the root CA into every cluster as Secret ${secret} (${namespaces.join(' and ')})`,
    why: vault
      ? `The Vault namespace's CA Issuer signs Vault's own TLS with it; cert-manager's namespace holds it for the vault-issuer's CA bundle (only tls.crt is read there). It must exist before the first sync.`
      : 'The meridian-root-ca ClusterIssuer signs every certificate with it; a ClusterIssuer reads its Secret from cert-manager\'s namespace. It must exist before the first sync.',
    commands: env.clusters.flatMap((c) =>
      namespaces.flatMap((ns) => [
        `kubectl --context ${c.name} create namespace ${ns} --dry-run=client -o yaml | kubectl --context ${c.name} apply -f -`,
        `kubectl --context ${c.name} -n ${ns} create secret tls ${secret} --cert=${ROOT_CERT} --key=${ROOT_KEY}`,
      ]),
    ),
  };
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
  const commands = env.clusters.flatMap((c) =>
    [...bySecret].map(([secret, args]) => `kubectl --context ${c.name} -n ${vault.namespace} create secret generic ${secret} ${args.join(' ')}`),
  );
  return {
    id: 'vault-seal-credentials',
    title: `Provide the ${w.type} seal credentials to the Vault pods of every cluster`,
    why: 'Auto-unseal needs them at every pod start; they are secrets, so meridian only references them.',
    commands: commands.length > 0 ? commands : ['# none: the pods get cloud credentials from their ServiceAccount (e.g. IRSA); grant them the KMS key'],
  };
}
