// Every rule `meridian validate`, `meridian synth` and the cdk8s plugin run, in id order.
import type { Rule } from '../rule';
import { certificateIssuerExists, certificateRotationReloads, certificateSecretsIssued } from './certificates';
import { clustersetHostExported, clustersetHostHasServiceEntry, drainedNotExported, routeReferencesResolve, serviceExportMatchesService } from './connectivity';
import { applicationSetCoversClusters, gslbTargetsServingClusters } from './delivery';
import { cockroachLocalityTiers, cockroachMemoryFlags, sqlClientOwnDatabase, storeContainerResources } from './resources';
import { noSecretMaterial, podSecurityRestricted, statefulNamespaceNetworkPolicy } from './policy';
import { certificateCoversPeers, clusterIdentity, quorumSurvivesClusterLoss, storeDisruptionBudget, storeJoinComplete, storePeersExported } from './stores';
import { kustomizationListsEveryManifest, namespaceScope, ownershipLabels, schema, uniqueIdentity } from './structure';
import { meshMtlsStrict, tlsOnEveryListener } from './tls';

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
  podSecurityRestricted,
  statefulNamespaceNetworkPolicy,
  tlsOnEveryListener,
  meshMtlsStrict,
  quorumSurvivesClusterLoss,
  storeDisruptionBudget,
  storeContainerResources,
  cockroachMemoryFlags,
  sqlClientOwnDatabase,
  cockroachLocalityTiers,
  kustomizationListsEveryManifest,
  applicationSetCoversClusters,
  gslbTargetsServingClusters,
];
