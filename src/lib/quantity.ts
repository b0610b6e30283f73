// Kubernetes resource quantities in the two forms the environment schema admits, as numbers, so that
// requests and limits can be compared before the API server refuses a Deployment for it.

const MEMORY_FACTOR: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** `250m` -> 250, `1.5` -> 1500 (millicores). */
export function cpuMillis(quantity: string): number {
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Math.round(Number(quantity) * 1000);
}

/** `512Mi` -> 536870912, `1G` -> 1e9 (bytes). */
export function memoryBytes(quantity: string): number {
  const m = /^([0-9]+)([A-Za-z]*)$/.exec(quantity);
  const factor = m ? MEMORY_FACTOR[m[2]!] : undefined;
  if (!m || factor === undefined) throw new Error(`"${quantity}" is not a memory quantity such as 512Mi`);
  return Number(m[1]) * factor;
}
