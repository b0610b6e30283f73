import { describe, expect, it } from 'vitest';
import { ExternalNameService } from '../../src/constructs/external-name-service';
import { chart, synthValid } from './helpers';

describe('ExternalNameService', () => {
  it('is an alias of the clusterset host with a named port and no selector', () => {
    const c = chart();
    new ExternalNameService(c, 'alias', { name: 'shop-clusterset', namespace: 'shop', externalName: 'shop.shop.svc.clusterset.local', port: 8080 });
    const [svc] = synthValid(c);
    expect(svc.spec).toEqual({
      type: 'ExternalName',
      externalName: 'shop.shop.svc.clusterset.local',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
    });
  });

  it('fails for a URL instead of a DNS name', () => {
    expect(() => new ExternalNameService(chart(), 'a', { name: 'a', namespace: 'n', externalName: 'http://shop.shop.svc.clusterset.local', port: 80 })).toThrow(
      /without scheme or port/,
    );
  });
});
