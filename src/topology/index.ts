export * from './problems';
export * from './schema';
export * from './types';
export { parseEnvironment, type ParsedEnvironment, MAX_FILE_BYTES } from './parse';
export { buildTopology, RESERVED_CLUSTER_NAMES } from './model';
export { clusterView, clusterViews, type ClusterView, type LocalService } from './view';
export { splitEvenly, quorumOf } from './split';
export * from './gslb';
