import { describe, expect, it } from 'vitest';
import { HttpsGateway, type HttpsListener } from '../../src/constructs/gateway';
import { chart, synthValid } from './helpers';

const listener: HttpsListener = { name: 'shop-global', hostname: 'shop.global.example.com', certificateSecret: 'shop-gateway-tls', routeNamespaces: ['shop'] };

describe('HttpsGateway', () => {
  it('terminates TLS on 443 per hostname and admits routes only from the named namespaces', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new HttpsGateway(c, 'gw', { name: 'meridian-gateway', namespace: 'meridian-ingress', gatewayClassName: 'istio', listeners: [listener] });
    // THEN
    const [gw] = synthValid(c);
    expect(gw.spec.gatewayClassName).toBe('istio');
    expect(gw.spec.listeners).toEqual([
      {
        name: 'shop-global',
        hostname: 'shop.global.example.com',
        port: 443,
        protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-gateway-tls' }] },
        allowedRoutes: {
          kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
          namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] } },
        },
      },
    ]);
  });

  it('fails without listeners', () => {
    expect(() => new HttpsGateway(chart(), 'gw', { name: 'g', namespace: 'n', gatewayClassName: 'istio', listeners: [] })).toThrow(/no listener/);
  });

  it('fails with two listeners of the same name or hostname', () => {
    const same = (l: Partial<HttpsListener>) => () =>
      new HttpsGateway(chart(), 'gw', { name: 'g', namespace: 'n', gatewayClassName: 'istio', listeners: [listener, { ...listener, name: 'other', hostname: 'other.example.com', ...l }] });
    expect(same({ name: 'shop-global' })).toThrow(/two listeners with name shop-global/);
    expect(same({ hostname: 'shop.global.example.com' })).toThrow(/two listeners with hostname shop.global.example.com/);
  });

  it('fails beyond the 64 listeners Gateway API allows', () => {
    const many = Array.from({ length: 65 }, (_, i) => ({ ...listener, name: `s${i}`, hostname: `s${i}.example.com` }));
    expect(() => new HttpsGateway(chart(), 'gw', { name: 'g', namespace: 'n', gatewayClassName: 'istio', listeners: many })).toThrow(/at most 64/);
  });
});
