import { describe, expect, it } from 'vitest';
import { cpuMillis, memoryBytes } from '../../src/topology/quantity';

describe('quantities', () => {
  it('reads CPU as millicores', () => {
    expect([cpuMillis('250m'), cpuMillis('1'), cpuMillis('0.5'), cpuMillis('1.25')]).toEqual([250, 1000, 500, 1250]);
  });

  it('reads memory as bytes, binary and decimal suffixes apart', () => {
    expect([memoryBytes('1Ki'), memoryBytes('1k'), memoryBytes('512Mi'), memoryBytes('1G'), memoryBytes('100')]).toEqual([1024, 1000, 512 * 2 ** 20, 1e9, 100]);
    expect(memoryBytes('1Gi')).toBeGreaterThan(memoryBytes('1G'));
  });

  it('fails for an unknown memory suffix', () => {
    expect(() => memoryBytes('1Xi')).toThrow(/not a memory quantity/);
  });
});
