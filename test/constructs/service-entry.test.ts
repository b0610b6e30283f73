import { describe, expect, it } from 'vitest';
import { ClustersetServiceEntry, MeshProtocol } from '../../src/constructs/service-entry';
import { chart, synthValid } from './helpers';

describe('ClustersetServiceEntry', () => {
  const props = { name: 'shop-clusterset', namespace: 'shop', host: 'shop.shop.svc.clusterset.local', ports: [{ name: 'http', number: 8080, protocol: MeshProtocol.HTTP }] };

  it('registers the host as mesh-internal, resolved by DNS, with explicit port protocols', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new ClustersetServiceEntry(c, 'entry', { ...props, exportTo: ['.', 'meridian-ingress'] });
    // THEN
    const [se] = synthValid(c);
    expect(se.spec).toEqual({
      hosts: ['shop.shop.svc.clusterset.local'],
      location: 'MESH_INTERNAL',
      resolution: 'DNS',
      ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }],
      exportTo: ['.', 'meridian-ingress'],
    });
  });

  it('is visible only in its own namespace by default', () => {
    const c = chart();
    new ClustersetServiceEntry(c, 'entry', props);
    expect(synthValid(c)[0].spec.exportTo).toEqual(['.']);
  });

  it('fails for a wildcard host', () => {
    expect(() => new ClustersetServiceEntry(chart(), 'entry', { ...props, host: '*.shop.svc.clusterset.local' })).toThrow(/without wildcard/);
  });

  it('fails without ports or with a port number twice', () => {
    expect(() => new ClustersetServiceEntry(chart(), 'e', { ...props, ports: [] })).toThrow(/at least one port/);
    const twice = [props.ports[0]!, { name: 'grpc', number: 8080, protocol: MeshProtocol.GRPC }];
    expect(() => new ClustersetServiceEntry(chart(), 'e', { ...props, ports: twice })).toThrow(/port number twice/);
  });
});
