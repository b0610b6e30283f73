// Placement (vault.clusters, cockroachdb.clusters) and hub clusters (clusters[].role): what the model
// and the cluster views derive from the one member list, and what a hub gets.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTopology, clusterView, parseEnvironment } from '../../src/topology';
import { serviceWiring } from '../../src/topology/service-wiring';
import { FIXTURE_ENVIRONMENTS, topologyOf } from '../helpers';

const place = topologyOf(`${FIXTURE_ENVIRONMENTS}/placement.yaml`).environments[0]!;
const hubbed = topologyOf(`${FIXTURE_ENVIRONMENTS}/hub.yaml`).environments[0]!;

describe('placement on a subset', () => {
  it('keeps the members in cluster order and derives peers and quorum from them only', () => {
    expect(place.vault!.clusters).toEqual(['pla', 'plc', 'ple']);
    expect(place.cockroachdb!.clusters).toEqual(['plb', 'plc', 'pld']);
    expect([...new Set(place.cockroachdb!.peers.map((p) => p.cluster))]).toEqual(['plb', 'plc', 'pld']);
    expect(place.vault!.quorum).toMatchObject({ voters: 3, quorum: 2, votersPerCluster: { pla: 1, plc: 1, ple: 1 } });
  });

  it('gives member views the store and the others the client wiring by clusterset name', () => {
    const pla = clusterView(place, 'pla');
    const plb = clusterView(place, 'plb');
    expect([pla.vaultMember !== undefined, pla.cockroachdbMember !== undefined]).toEqual([true, false]);
    expect([plb.vaultMember !== undefined, plb.cockroachdbMember !== undefined]).toEqual([false, true]);
    expect(plb.vaultURL).toBe('https://vault.vault.svc.clusterset.local:8200');
    expect(pla.vaultURL).toBe('https://vault.vault.svc:8200');
    const api = place.services.find((s) => s.name === 'api')!;
    const env = (cluster: string): Record<string, string> => Object.fromEntries(serviceWiring(place, api, 'm', cluster).env.map((v) => [v.name, v.value]));
    expect(env('pla').DATABASE_URL).toContain('@cockroachdb-public.cockroachdb.svc.clusterset.local:26257/api?');
    expect(env('plb').DATABASE_URL).toContain('@cockroachdb-public.cockroachdb.svc.cluster.local:26257/api?');
    expect(env('plb').VAULT_ADDR).toBe('https://vault.vault.svc.clusterset.local:8200');
    // the init Job runs in the first member cluster, not in the environment's first cluster
    expect(clusterView(place, 'plb').cockroachdbMember!.runsInit).toBe(true);
    // peers: the other members only; clients: the other workload clusters, on the client port
    expect(plb.cockroachdbMember!.peerCIDRs).toEqual(['10.22.0.0/16', '10.23.0.0/16']);
    expect(plb.cockroachdbMember!.remoteClientCIDRs).toEqual(['10.20.0.0/16', '10.24.0.0/16']);
    expect(pla.vaultMember!.peerNetworks).toEqual(['10.22.0.0/16', '10.24.0.0/16']);
    expect(pla.vaultMember!.remoteClientNetworks).toEqual(['10.21.0.0/16', '10.23.0.0/16']);
    // CockroachDB's namespace only where its nodes run; Vault's everywhere (auth mount configuration)
    expect(pla.namespaces).not.toContain('cockroachdb');
    expect(pla.namespaces).toContain('vault');
    expect(plb.namespaces).toContain('vault');
  });
});

describe('hub clusters', () => {
  it('run no store and no service by default, and get nothing of them', () => {
    expect(hubbed.vault!.clusters).toEqual(['hwa', 'hwb', 'hwc']);
    expect(hubbed.cockroachdb!.clusters).toEqual(['hwa', 'hwb', 'hwc']);
    expect(hubbed.services.every((s) => !s.activeIn.includes('hubc'))).toBe(true);
    const hub = clusterView(hubbed, 'hubc');
    expect([hub.vault, hub.cockroachdb, hub.vaultMember, hub.cockroachdbMember, hub.vaultURL]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(hub.namespaces).toEqual(['submariner-k8s-broker']);
    expect([hub.isBroker, hub.isHub]).toEqual([true, true]);
  });

  it('warns about a hub that runs neither the broker nor the GSLB controller', () => {
    const text = fs.readFileSync(`${FIXTURE_ENVIRONMENTS}/hub.yaml`, 'utf8').replace('broker: hubc', 'broker: hwa').replace('hub: hubc', 'hub: hwa');
    const t = buildTopology([parseEnvironment(text, 'hub.yaml')]);
    expect(t.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'clusters[0].role: cluster "hubc" has role hub but runs neither the Submariner broker (submariner.broker: hwa) nor the GSLB controller (globalLoadBalancer.hub: hwa), so it runs nothing but its Submariner join; name it in submariner.broker or globalLoadBalancer.hub, or set role: workload',
    ]);
  });
});

describe('the even-voter warning under placement', () => {
  it('counts the voters of the member clusters only', () => {
    // 1 pod on each of four members of five clusters: 4 voters (even); over all five it would be 5 (odd)
    const text = fs.readFileSync(`${FIXTURE_ENVIRONMENTS}/placement.yaml`, 'utf8').replace('clusters: [pla, plc, ple]', 'clusters: [pla, plb, plc, ple]');
    const t = buildTopology([parseEnvironment(text, 'placement.yaml')]);
    expect(t.environments[0]!.vault!.quorum.voters).toBe(4);
    expect(t.warnings.map((w) => w.message).filter((m) => m.includes('Vault voters'))).toEqual([
      '4 Vault voters (even): quorum 3 tolerates 1 failures, as many as 3 voters would, while every write waits for one more acknowledgement; use an odd total',
    ]);
  });
});
