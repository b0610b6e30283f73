import { describe, expect, it } from 'vitest';
import { FailoverDestinationRule } from '../../src/constructs/destination-rule';
import { chart, synthValid } from './helpers';

describe('FailoverDestinationRule', () => {
  it('ejects failing endpoints without limit and uses Istio mutual TLS', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new FailoverDestinationRule(c, 'rule', { name: 'shop-clusterset', namespace: 'shop', host: 'shop.shop.svc.clusterset.local' });
    // THEN
    const [dr] = synthValid(c);
    expect(dr.spec).toEqual({
      host: 'shop.shop.svc.clusterset.local',
      exportTo: ['.'],
      trafficPolicy: {
        tls: { mode: 'ISTIO_MUTUAL' },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100, minHealthPercent: 0 },
      },
    });
  });

  it('takes tuned thresholds', () => {
    const c = chart();
    new FailoverDestinationRule(c, 'rule', { name: 'r', namespace: 'n', host: 'a.b.svc.clusterset.local', consecutive5xxErrors: 3, intervalSeconds: 5, baseEjectionSeconds: 60 });
    expect(synthValid(c)[0].spec.trafficPolicy.outlierDetection).toMatchObject({ consecutive5xxErrors: 3, interval: '5s', baseEjectionTime: '60s' });
  });

  it('fails for a threshold below one', () => {
    expect(() => new FailoverDestinationRule(chart(), 'r', { name: 'r', namespace: 'n', host: 'a.b.svc.clusterset.local', consecutive5xxErrors: 0 })).toThrow(/positive integer/);
  });
});
