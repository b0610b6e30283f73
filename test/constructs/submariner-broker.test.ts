import { describe, expect, it } from 'vitest';
import { SubmarinerBroker } from '../../src/constructs/submariner-broker';
import { chart, synthValid } from './helpers';

describe('SubmarinerBroker', () => {
  it('enables service discovery and connectivity with globalnet off', () => {
    const c = chart();
    new SubmarinerBroker(c, 'broker', { namespace: 'submariner-k8s-broker' });
    const [broker] = synthValid(c);
    expect(broker.kind).toBe('Broker');
    expect(broker.metadata).toMatchObject({ name: 'submariner-broker', namespace: 'submariner-k8s-broker' });
    expect(broker.spec).toEqual({ components: ['service-discovery', 'connectivity'], globalnetEnabled: false });
  });

  it('carries the globalnet supernet and cluster size when globalnet is on', () => {
    const c = chart();
    new SubmarinerBroker(c, 'broker', { namespace: 'brokers', globalnet: { cidrRange: '242.0.0.0/16', clusterSize: 4096 } });
    expect(synthValid(c)[0].spec).toEqual({
      components: ['service-discovery', 'connectivity'],
      globalnetEnabled: true,
      globalnetCIDRRange: '242.0.0.0/16',
      defaultGlobalnetClusterSize: 4096,
    });
  });

  it('fails when the cluster size is not a power of two', () => {
    expect(() => new SubmarinerBroker(chart(), 'broker', { namespace: 'b', globalnet: { cidrRange: '242.0.0.0/8', clusterSize: 1000 } })).toThrow(/power of two/);
  });
});
