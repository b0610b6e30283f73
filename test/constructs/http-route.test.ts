import { describe, expect, it } from 'vitest';
import { HttpRoute } from '../../src/constructs/http-route';
import { chart, synthValid } from './helpers';

describe('HttpRoute', () => {
  it('attaches to the named listeners of a Gateway in another namespace and sends everything to one Service', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new HttpRoute(c, 'route', {
      name: 'shop',
      namespace: 'shop',
      hostnames: ['shop.global.example.com', 'shop.apps.cluster1.example.com'],
      parent: { gateway: 'meridian-gateway', namespace: 'meridian-ingress', sectionNames: ['shop-global', 'shop-cluster'] },
      backend: { name: 'shop-clusterset', port: 8080 },
      labels: { 'meridian.dev/drained': 'true' },
    });
    // THEN
    const [route] = synthValid(c);
    expect(route.metadata.labels).toEqual({ 'meridian.dev/drained': 'true' });
    expect(route.spec.parentRefs.map((p: any) => [p.name, p.namespace, p.sectionName])).toEqual([
      ['meridian-gateway', 'meridian-ingress', 'shop-global'],
      ['meridian-gateway', 'meridian-ingress', 'shop-cluster'],
    ]);
    expect(route.spec.rules).toEqual([
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ group: '', kind: 'Service', name: 'shop-clusterset', port: 8080 }] },
    ]);
  });

  it('fails without hostnames (it would take every hostname of the listeners)', () => {
    const parent = { gateway: 'g', namespace: 'n', sectionNames: ['a'] };
    expect(() => new HttpRoute(chart(), 'r', { name: 'r', namespace: 'n', hostnames: [], parent, backend: { name: 's', port: 80 } })).toThrow(/no hostname/);
  });
});
