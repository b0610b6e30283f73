/** Splits `total` over `keys` as evenly as possible; the remainder goes to the first keys. */
export function splitEvenly(total: number, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  if (keys.length === 0) return out;
  const base = Math.floor(total / keys.length);
  const rest = total % keys.length;
  keys.forEach((k, i) => {
    out[k] = base + (i < rest ? 1 : 0);
  });
  return out;
}

/** Majority quorum facts for voters spread over clusters (REFERENCE §6.1). */
export function quorumOf(votersPerCluster: Readonly<Record<string, number>>): {
  voters: number;
  quorum: number;
  clustersItCanLose: number;
} {
  const counts = Object.values(votersPerCluster).sort((a, b) => b - a);
  const voters = counts.reduce((a, b) => a + b, 0);
  const quorum = Math.floor(voters / 2) + 1;
  // Worst case: the largest clusters fail first.
  let lost = 0;
  let remaining = voters;
  for (const c of counts) {
    if (remaining - c < quorum) break;
    remaining -= c;
    lost++;
  }
  return { voters, quorum, clustersItCanLose: lost };
}
