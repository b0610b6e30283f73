import { describe, expect, it } from 'vitest';
import { ServiceExport } from '../../src/constructs/service-export';
import { chart, synthValid } from './helpers';

describe('ServiceExport', () => {
  it('exports the Service under its exact name and namespace with an empty spec', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new ServiceExport(c, 'export', { serviceName: 'catalog', namespace: 'catalog' });
    // THEN
    const [e] = synthValid(c);
    expect(e.apiVersion).toBe('multicluster.x-k8s.io/v1alpha1');
    expect(e.kind).toBe('ServiceExport');
    expect(e.metadata).toMatchObject({ name: 'catalog', namespace: 'catalog' });
    expect(e.spec).toBeUndefined();
  });
});
