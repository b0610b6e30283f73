// Fixed facts of the CockroachDB deployment meridian generates: shared by the topology (addresses,
// runbook) and the constructs (pods, certificates), so neither imports the other.

/** Fixed facts of the CockroachDB deployment meridian generates. */
export const COCKROACHDB = {
  /** StatefulSet name: pods are `<statefulSet>-<ordinal>`, the names the model's peers carry. */
  statefulSet: 'cockroachdb',
  /** Inter-node gRPC and SQL (one port). */
  grpcPort: 26257,
  /** DB Console and the health endpoints (HTTPS). */
  httpPort: 8080,
  binary: '/cockroach/cockroach',
  certsDir: '/cockroach/cockroach-certs',
  dataDir: '/cockroach/cockroach-data',
  /** Container environment variable holding the pod's own name (downward API). */
  podNameVariable: 'POD_NAME',
  /** Certificate `node`: server and client auth between nodes, server auth towards SQL clients. */
  nodeCertificate: 'cockroachdb-node',
  nodeSecret: 'cockroachdb-node-tls',
  /** Certificate `root`: the init Job and operators inside the pods (runbook SQL). */
  rootCertificate: 'cockroachdb-root-client',
  rootSecret: 'cockroachdb-root-client-tls',
  initJob: 'cockroachdb-init',
} as const;

/** The file names CockroachDB reads from `--certs-dir`, and which Secret key each comes from. */
export const NODE_CERT_FILES: readonly { readonly key: string; readonly path: string }[] = [
  { key: 'ca.crt', path: 'ca.crt' },
  { key: 'tls.crt', path: 'node.crt' },
  { key: 'tls.key', path: 'node.key' },
];
export const ROOT_CLIENT_CERT_FILES: readonly { readonly key: string; readonly path: string }[] = [
  { key: 'tls.crt', path: 'client.root.crt' },
  { key: 'tls.key', path: 'client.root.key' },
];
