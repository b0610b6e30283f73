import { describe, expect, it } from 'vitest';
import { StrictMtls } from '../../src/constructs/peer-authentication';
import { chart, synthValid } from './helpers';

describe('StrictMtls', () => {
  it('is a namespace-wide PeerAuthentication in STRICT mode', () => {
    const c = chart();
    new StrictMtls(c, 'mtls', { namespace: 'shop' });
    const [pa] = synthValid(c);
    expect(pa).toMatchObject({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' } });
    expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
  });
});
