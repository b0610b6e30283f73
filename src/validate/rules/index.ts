// Every rule `meridian validate`, `meridian synth` and the cdk8s plugin run, in id order.
import type { Rule } from '../rule';
import { certificateIssuerExists, certificateRotationReloads, certificateSecretsIssued } from './certificates';
import { clustersetHostExported, clustersetHostHasServiceEntry, drainedNotExported, routeReferencesResolve, serviceExportMatchesService } from './connectivity';
import { applicationSetCoversClusters, appProjectAdmitsBundle, gslbTargetsServingClusters, syncHookJobBounded, tierDependenciesEarlier } from './delivery';
import { configMapSize, istioSidecarPortsFree, printableEnvironment } from './limits';
import { egressAllowsPlatformDns, fixedIdsHaveSccGrant, openshiftHostsReachGateway, storeClientServiceSelectsReady } from './platform';
import { clusterIssuerNoStoreIdentity, meshSharedRoot, reviewerTokenLongLived, rootKeyOnlyWhereSigned } from './pki';
import { namedSecretsProvisioned } from './provisioned';
import { rolloutCoversClusters, rolloutStepKeepsQuorum, scrapeTargetsAdmitted } from './operate';
import { cockroachLocalityTiers, cockroachMemoryFlags, sqlClientOwnDatabase, storeContainerResources } from './resources';
import { noSecretMaterial, podSecurityRestricted, statefulNamespaceNetworkPolicy } from './policy';
import { noSecretInFiles } from './secrets';
import { certificateCoversPeers, clusterIdentity, quorumSurvivesClusterLoss, storeDisruptionBudget, storeJoinComplete, storePeersExported } from './stores';
import { ownedFilesRecorded } from './ownership';
import { kustomizationListsEveryManifest, namespaceScope, ownershipLabels, schema, uniqueIdentity } from './structure';
import { consumerEdgesAdmitted, namespaceDefaultDeny, policyExcludesOwnNetwork } from './network';
import { meshMtlsStrict, tlsOnEveryListener } from './tls';
import { remoteStoreClientsAdmitted, storeClustersetAddressCovered } from './placement';
import { sealRegionIsOwn, storePolicyExcludesOwnNetwork, vaultClientCanLogIn, vaultStateNotPruned } from './trust';

export const RULES: readonly Rule[] = [
  schema,
  uniqueIdentity,
  namespaceScope,
  ownershipLabels,
  serviceExportMatchesService,
  storePeersExported,
  drainedNotExported,
  clustersetHostExported,
  clustersetHostHasServiceEntry,
  routeReferencesResolve,
  storeJoinComplete,
  certificateCoversPeers,
  clusterIdentity,
  certificateSecretsIssued,
  certificateIssuerExists,
  certificateRotationReloads,
  noSecretMaterial,
  noSecretInFiles,
  podSecurityRestricted,
  fixedIdsHaveSccGrant,
  statefulNamespaceNetworkPolicy,
  egressAllowsPlatformDns,
  storeClientServiceSelectsReady,
  openshiftHostsReachGateway,
  tlsOnEveryListener,
  meshMtlsStrict,
  quorumSurvivesClusterLoss,
  storeDisruptionBudget,
  storeContainerResources,
  cockroachMemoryFlags,
  sqlClientOwnDatabase,
  cockroachLocalityTiers,
  kustomizationListsEveryManifest,
  ownedFilesRecorded,
  applicationSetCoversClusters,
  gslbTargetsServingClusters,
  configMapSize,
  printableEnvironment,
  istioSidecarPortsFree,
  namedSecretsProvisioned,
  rolloutStepKeepsQuorum,
  rolloutCoversClusters,
  scrapeTargetsAdmitted,
  vaultStateNotPruned,
  storePolicyExcludesOwnNetwork,
  sealRegionIsOwn,
  syncHookJobBounded,
  appProjectAdmitsBundle,
  tierDependenciesEarlier,
  vaultClientCanLogIn,
  clusterIssuerNoStoreIdentity,
  rootKeyOnlyWhereSigned,
  meshSharedRoot,
  reviewerTokenLongLived,
  namespaceDefaultDeny,
  policyExcludesOwnNetwork,
  consumerEdgesAdmitted,
  storeClustersetAddressCovered,
  remoteStoreClientsAdmitted,
];
