// The Vault voter bound (issue #16): how many Raft voters a Vault layout may have. Pure.
import type { PathSegment } from './problems';
import type { EnvironmentSpec } from './schema';

/**
 * At most this many Vault voters. In open-source Vault every member is a voter (non-voters are
 * Enterprise only: hashicorp/vault physical/raft/raft_util.go, `nonVotersAllowed = false`; REFERENCE
 * §9.4), and "committing a log entry requires a single round trip to half of the peer set"
 * (developer.hashicorp.com/vault/docs/internals/integrated-storage): each write waits for
 * floor(N/2)+1 acknowledgements and the leader replicates to and heartbeats every voter. HashiCorp's
 * deployment table recommends 3 or 5 voters, and its reference architecture is five nodes over three
 * zones (developer.hashicorp.com/well-architected-framework/zero-trust-security/raft-reference-architecture).
 * 9 is the seeds' layout (3 pods in each of 3 clusters: a cluster lost plus one more pod); above it a
 * write needs 6 or more acknowledgements, most of them across regions, while the same regions with
 * fewer pods per cluster survive the same cluster and region losses (e.g. 1 pod on each of 5 clusters).
 */
export const MAX_VAULT_VOTERS = 9;

type Report = (path: readonly PathSegment[], message: string) => void;

/** Refuses a Vault layout above MAX_VAULT_VOTERS, at the field that sets it, with the arithmetic and the fix. */
export function checkVaultVoters(spec: EnvironmentSpec, members: readonly string[], report: Report): void {
  const v = spec.vault;
  if (!v || members.length === 0) return;
  const perCluster = v.replicasPerCluster ?? 3;
  const voters = perCluster * members.length;
  if (voters <= MAX_VAULT_VOTERS) return;
  const quorum = Math.floor(voters / 2) + 1;
  const at: PathSegment[] = v.replicasPerCluster !== undefined ? ['vault', 'replicasPerCluster'] : v.clusters !== undefined ? ['vault', 'clusters'] : ['vault'];
  // The largest pods-per-cluster that fits and gives an odd voter count (an even count adds no tolerance).
  const fitting = Array.from({ length: Math.floor(MAX_VAULT_VOTERS / members.length) }, (_, i) => Math.floor(MAX_VAULT_VOTERS / members.length) - i).find((r) => (r * members.length) % 2 === 1);
  const fix =
    fitting !== undefined
      ? `set replicasPerCluster to ${fitting} (${fitting * members.length} voters)${members.length > 5 ? ', or place vault on three or five clusters with vault.clusters' : ''}`
      : `place vault on three or five clusters in distinct regions with vault.clusters (3 x 3 = 9 voters survive a lost cluster and one more pod; 5 x 1 = 5 voters survive two lost clusters)`;
  report(
    at,
    `${voters} Vault voters (${perCluster} per cluster x ${members.length} clusters) exceed ${MAX_VAULT_VOTERS}: in open-source Vault every pod is a voter and each write waits for a majority (${quorum}) of them, and HashiCorp recommends 3 or 5 voters; ${fix}`,
  );
}
