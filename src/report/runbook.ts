// The ordered bootstrap runbook of an environment: the one-shot steps GitOps cannot make healthy by
// itself (DESIGN §6, REFERENCE §8), with exact commands derived from the model.
//
// This is the one place that decides which steps are manual. When a component makes a step
// declarative (e.g. the pki component emitting vault-config-operator AuthEngineMount /
// KubernetesAuthEngineConfig / KubernetesAuthEngineRole / SecretEngineMount / PKISecretEngine* /
// Policy CRs), delete that step here and re-run `meridian synth`: the committed reports change with it.
import { BOOTSTRAP_ISSUER, sqlUser, VAULT_ISSUER } from '../lib/names';
import type { CockroachDbStore, Environment, VaultStore } from '../topology';

export interface RunbookStep {
  /** Stable identifier (kebab-case). */
  readonly id: string;
  readonly title: string;
  /** Why the step is manual and what it achieves: sentences, without the final period. */
  readonly why: string;
  /** Shell commands, in order, exactly as to run them. */
  readonly commands: readonly string[];
  /** What success looks like. */
  readonly expect?: string;
}

/** The runbook addresses each cluster through a kubectl context named like the cluster (REFERENCE §1.2). */
export const CONTEXT_CONVENTION = 'every command addresses a cluster through the kubectl context named like it (`--context <cluster>`)';

/**
 * Facts about how the component branches mount things, kept here until they are shared names:
 * adjust them together with the vault, cockroachdb and pki components.
 */
export const BOOTSTRAP = {
  /** Namespace of the ClusterIssuer's Secrets: cert-manager's cluster resource namespace. */
  certManagerNamespace: 'cert-manager',
  /** Where Submariner's components run and read their Secrets (REFERENCE §2.5). */
  submarinerNamespace: 'submariner-operator',
  /** Directory of Vault's TLS files (tls.crt, tls.key, ca.crt) inside the Vault pods (REFERENCE §1.3). */
  vaultTlsDir: '/etc/vault-tls',
  /** ServiceAccount of the Vault ClusterIssuer (serviceAccountRef), in certManagerNamespace (REFERENCE §4.1). */
  issuerServiceAccount: VAULT_ISSUER,
  /** ServiceAccount Vault runs as; it holds system:auth-delegator, so its token can review others (REFERENCE §1.3). */
  vaultServiceAccount: 'vault',
  /** CockroachDB binary and a directory with ca.crt and the root client certificate, inside the CockroachDB pods. */
  cockroachBinary: '/cockroach/cockroach',
  cockroachCertsDir: '/cockroach/cockroach-certs',
} as const;

/** Vault's recovery key split (auto-unseal makes these recovery, not unseal, keys). */
const RECOVERY = { shares: 5, threshold: 3 } as const;

export function runbook(env: Environment): RunbookStep[] {
  const first = env.clusters[0]!;
  const steps: RunbookStep[] = [
    {
      id: 'register-clusters',
      title: 'Register every cluster in Argo CD under its meridian name',
      why: 'Each ApplicationSet sends dist/<cluster> to the Argo CD cluster named <cluster>; Argo CD only deploys to clusters it already knows',
      commands: env.clusters.map((c) => `argocd cluster add ${c.name} --name ${c.name}`),
      expect: `argocd cluster list shows ${env.clusters.map((c) => c.name).join(', ')}`,
    },
    {
      id: 'provision-secrets',
      title: 'Provision the out-of-band Secrets in every cluster',
      why: `The bundle commits no secret material, it only names these Secrets. The root CA (${env.pki.rootCASecret}) is the same in every cluster: it backs the ${BOOTSTRAP_ISSUER} ClusterIssuer that issues Vault's own certificates, so every cluster trusts every Vault pod. Keep root-ca.key offline afterwards`,
      commands: [...rootCaCommands(env), ...sealSecretCommands(env), ...submarinerSecretChecks(env)],
      expect: 'every command succeeds; `kubectl get secret` lists each Secret',
    },
    {
      id: 'apply-applicationsets',
      title: 'Apply the ApplicationSets',
      why: 'From here on Argo CD deploys and heals every cluster folder; the remaining steps are the one-shot actions no manifest can perform',
      commands: [`kubectl apply -k ${env.argocd.path}/argocd    # against the cluster that runs Argo CD, namespace ${env.argocd.namespace}`],
      expect: `one Application per cluster: ${env.clusters.map((c) => `meridian-${c.name}`).join(', ')}`,
    },
  ];
  if (env.vault) steps.push(...vaultSteps(env, env.vault, first.name));
  if (env.cockroachdb) steps.push(...cockroachSteps(env, env.cockroachdb, first.name));
  steps.push({
    id: 'wait-healthy',
    title: 'Wait until every Application is Synced and Healthy',
    why: 'The stores are only Ready once they have quorum, and routes and global DNS come last (sync waves)',
    commands: [`argocd app wait -l meridian.dev/environment=${env.name} --sync --health --timeout 1800`],
  });
  return steps;
}

function rootCaCommands(env: Environment): string[] {
  return env.clusters.map((c) => `kubectl --context ${c.name} -n ${BOOTSTRAP.certManagerNamespace} create secret tls ${env.pki.rootCASecret} --cert=root-ca.crt --key=root-ca.key`);
}

/** The seal credential Secret, in the Vault namespace of every cluster, from environment variables the operator exports first. */
function sealSecretCommands(env: Environment): string[] {
  const v = env.vault;
  if (!v) return [];
  const seal = v.seal;
  let secret: string | undefined;
  let data: string[] = [];
  if (seal.awskms?.credentialsSecret) {
    secret = seal.awskms.credentialsSecret;
    data = ['--from-literal=AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID"', '--from-literal=AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"'];
  } else if (seal.transit) {
    secret = seal.transit.tokenSecret;
    data = ['--from-literal=VAULT_TOKEN="$TRANSIT_VAULT_TOKEN"'];
  } else if (seal.gcpckms) {
    secret = seal.gcpckms.credentialsSecret;
    data = ['--from-file=credentials.json=gcp-credentials.json'];
  } else if (seal.azurekeyvault) {
    secret = seal.azurekeyvault.credentialsSecret;
    data = ['--from-literal=AZURE_CLIENT_ID="$AZURE_CLIENT_ID"', '--from-literal=AZURE_CLIENT_SECRET="$AZURE_CLIENT_SECRET"'];
  }
  if (secret === undefined) return [];
  return env.clusters.map((c) => `kubectl --context ${c.name} -n ${v.namespace} create secret generic ${secret} ${data.join(' ')}`);
}

/** Submariner's Secrets come from `subctl join` (or ACM): check they exist under the names the Submariner CR references. */
function submarinerSecretChecks(env: Environment): string[] {
  return env.clusters.map((c) => `kubectl --context ${c.name} -n ${BOOTSTRAP.submarinerNamespace} get secret ${env.submariner.brokerSecret} ${env.submariner.ipsecPSKSecret}`);
}

function vaultSteps(env: Environment, vault: VaultStore, firstCluster: string): RunbookStep[] {
  const leader = vault.peers.find((p) => p.cluster === firstCluster && p.ordinal === 0)!;
  const pod = leader.pod;
  const ns = vault.namespace;
  const ca = `${BOOTSTRAP.vaultTlsDir}/ca.crt`;
  const pki = env.pki.vaultPKIPath;
  const role = env.pki.vaultRole;
  const session = [
    `kubectl --context ${firstCluster} -n ${ns} port-forward pod/${pod} 8200:8200 &`,
    `export VAULT_ADDR=https://127.0.0.1:8200 VAULT_CACERT=root-ca.crt VAULT_TLS_SERVER_NAME=${leader.host}`,
    'vault login    # with the initial root token',
  ];
  return [
    {
      id: 'vault-init',
      title: `Initialize Vault once, on ${pod} in ${firstCluster}`,
      why: `A new raft cluster has no keys until one member is initialized; the other ${vault.quorum.voters - 1} members find it through retry_join and unseal themselves with the ${Object.keys(vault.seal)[0]} seal, so auto-unseal yields recovery keys, not unseal keys. Store the recovery keys and the root token offline, apart from each other`,
      commands: [
        `kubectl --context ${firstCluster} -n ${ns} wait --for=jsonpath='{.status.phase}'=Running pod/${pod} --timeout=15m`,
        `kubectl --context ${firstCluster} -n ${ns} exec ${pod} -- vault operator init -address=https://${leader.host}:8200 -ca-cert=${ca} -recovery-shares=${RECOVERY.shares} -recovery-threshold=${RECOVERY.threshold} -format=json`,
        ...session,
        'vault operator raft list-peers',
      ],
      expect: `list-peers shows ${vault.quorum.voters} voters (${Object.entries(vault.quorum.votersPerCluster).map(([c, n]) => `${n} in ${c}`).join(', ')}), one leader`,
    },
    {
      id: 'vault-pki',
      title: `Configure Vault's PKI mount ${pki}/ and role ${role} for cert-manager`,
      why: `Every workload certificate is signed by cert-manager at ${pki}/sign/${role}; the role allows exactly the domains the bundle requests (enforce_hostnames=false: CockroachDB uses the common names node, root and one per SQL user)`,
      commands: [
        `vault secrets enable -path=${pki} pki`,
        `vault secrets tune -max-lease-ttl=87600h ${pki}`,
        `vault write -field=certificate ${pki}/root/generate/internal common_name="meridian ${env.name} workload CA" ttl=87600h > ${env.name}-workload-ca.crt`,
        `vault write ${pki}/roles/${role} allowed_domains=${allowedDomains(env).join(',')} allow_bare_domains=true allow_subdomains=true allow_localhost=false enforce_hostnames=false max_ttl=2160h`,
        `vault policy write ${role} - <<'EOF'\npath "${pki}/sign/${role}" { capabilities = ["create", "update"] }\npath "${pki}/issue/${role}" { capabilities = ["create", "update"] }\nEOF`,
      ],
    },
    {
      id: 'vault-kubernetes-auth',
      title: 'Enable one Kubernetes auth mount per cluster',
      why: `Vault verifies each cluster's service account tokens against that cluster's own API server, so every cluster gets auth/${env.pki.authMountPrefix}<cluster> with its API address, CA and a token reviewer JWT of the ${BOOTSTRAP.vaultServiceAccount} service account there (it holds system:auth-delegator); the ${VAULT_ISSUER} ClusterIssuer of each cluster logs in at its own mount. The reviewer tokens expire after a year: repeat the first two commands and the config write before then`,
      commands: env.clusters.flatMap((c) => {
        const mount = `${env.pki.authMountPrefix}${c.name}`;
        return [
          `kubectl --context ${c.name} -n ${ns} create token ${BOOTSTRAP.vaultServiceAccount} --duration=8760h > ${c.name}-reviewer.jwt`,
          `kubectl config view --raw --minify --context ${c.name} -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ${c.name}-ca.crt`,
          `vault auth enable -path=${mount} kubernetes`,
          `vault write auth/${mount}/config kubernetes_host=${c.server} kubernetes_ca_cert=@${c.name}-ca.crt token_reviewer_jwt=@${c.name}-reviewer.jwt`,
          `vault write auth/${mount}/role/${role} bound_service_account_names=${BOOTSTRAP.issuerServiceAccount} bound_service_account_namespaces=${BOOTSTRAP.certManagerNamespace} audience=vault://${VAULT_ISSUER} policies=${role} ttl=1m`,
        ];
      }),
      expect: `kubectl --context <cluster> get clusterissuer ${VAULT_ISSUER} reports Ready in every cluster`,
    },
  ];
}

/** Domains the bundle's certificates use: in-cluster and clusterset Service names, the global and per-cluster ingress domains, CockroachDB users. */
export function allowedDomains(env: Environment): string[] {
  const domains = ['svc', 'svc.cluster.local', 'svc.clusterset.local', env.globalDomain, ...env.clusters.map((c) => c.ingressDomain).filter((d): d is string => d !== undefined)];
  if (env.cockroachdb) domains.push('node', 'root', ...sqlUsers(env));
  return [...new Set(domains)];
}

function sqlUsers(env: Environment): string[] {
  return env.services.filter((s) => s.usesStores.includes('cockroachdb')).map((s) => sqlUser(s));
}

function cockroachSteps(env: Environment, db: CockroachDbStore, firstCluster: string): RunbookStep[] {
  const node = db.peers.find((p) => p.cluster === firstCluster && p.ordinal === 0)!;
  const cli = (args: string): string => `kubectl --context ${firstCluster} -n ${db.namespace} exec -i ${node.pod} -- ${BOOTSTRAP.cockroachBinary} ${args} --certs-dir=${BOOTSTRAP.cockroachCertsDir} --host=${node.host}`;
  const sql = (statements: readonly string[]): string => `${cli('sql')} <<'SQL'\n${statements.join('\n')}\nSQL`;
  const steps: RunbookStep[] = [
    {
      id: 'cockroachdb-init',
      title: `Check that CockroachDB was initialized (the init Job in ${firstCluster})`,
      why: `\`cockroach init\` must run exactly once for the whole cluster; the bundle runs it as an idempotent Argo CD Sync-hook Job in ${firstCluster} only, so there is nothing to type, only to verify`,
      commands: [cli('node status')],
      expect: `${db.quorum.voters} nodes, all is_live = true, ${Object.entries(db.quorum.votersPerCluster).map(([c, n]) => `${n} in ${c}`).join(', ')}`,
    },
  ];
  const users = sqlUsers(env);
  if (users.length > 0 || db.databases.length > 0) {
    steps.push({
      id: 'cockroachdb-users',
      title: 'Create the SQL users of the services and their databases',
      why: `Services authenticate with client certificates whose common name is their SQL user (${users.join(', ') || 'none'}); the users and databases must exist before they connect. The model does not say which service owns which database, so every service that uses CockroachDB gets all privileges on every listed database: narrow the grants if that is too wide`,
      commands: [
        sql([
          ...users.map((u) => `CREATE USER IF NOT EXISTS ${u};`),
          ...db.databases.map((d) => `CREATE DATABASE IF NOT EXISTS ${d};`),
          ...db.databases.flatMap((d) => users.map((u) => `GRANT ALL ON DATABASE ${d} TO ${u};`)),
        ]),
      ],
    });
  }
  if (db.databases.length > 0) {
    const regions = [...new Set(env.clusters.map((c) => c.region))];
    const goal = db.survivalGoal === 'region' ? 'REGION' : 'ZONE';
    steps.push({
      id: 'cockroachdb-multi-region',
      title: `Make ${db.databases.join(', ')} multi-region and ${goal === 'REGION' ? 'survive the loss of a region' : 'survive the loss of a zone'}`,
      why: `Nodes start with --locality=region=<region>, but a database only spreads its replicas by region once it is told its regions; ${goal === 'REGION' ? `SURVIVE REGION FAILURE places voting replicas in at least 3 regions (${regions.length} here) so a whole region can fail` : 'SURVIVE ZONE FAILURE keeps all voters in the primary region'}`,
      commands: [sql(db.databases.flatMap((d) => [`ALTER DATABASE ${d} PRIMARY REGION "${regions[0]!}";`, ...regions.slice(1).map((r) => `ALTER DATABASE ${d} ADD REGION IF NOT EXISTS "${r}";`), `ALTER DATABASE ${d} SURVIVE ${goal} FAILURE;`]))],
      expect: `SHOW REGIONS FROM DATABASE lists ${regions.join(', ')} with ${regions[0]!} primary`,
    });
  }
  return steps;
}
