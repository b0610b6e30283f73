import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTopology, parseEnvironment, type Environment } from '../../src/topology';

function env(file: string): Environment {
  const source = `test/fixtures/environments/${file}`;
  return buildTopology([parseEnvironment(fs.readFileSync(source), source)]).environments[0]!;
}

describe('resources', () => {
  const withResources = (resources: string): Environment =>
    buildTopology([
      parseEnvironment(
        fs.readFileSync('test/fixtures/environments/minimal.yaml', 'utf8').replace('expose: clusterset }', `expose: clusterset, resources: ${resources} }`),
        'r.yaml',
      ),
    ]).environments[0]!;

  it('applies the defaults', () => {
    expect(env('minimal.yaml').services[0]!.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } });
  });

  it('raises a default limit to a larger explicit request, and lowers a default request to a smaller explicit limit', () => {
    expect(withResources('{ requests: { cpu: "2", memory: 1Gi } }').services[0]!.resources).toEqual({
      requests: { cpu: '2', memory: '1Gi' },
      limits: { cpu: '2', memory: '1Gi' },
    });
    expect(withResources('{ limits: { cpu: 50m, memory: 64Mi } }').services[0]!.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '50m', memory: '64Mi' },
    });
  });

  it('fails when an explicit request is above its explicit limit', () => {
    expect(() => withResources('{ requests: { memory: 1G }, limits: { memory: 512Mi } }')).toThrow(/memory request 1G is above its limit 512Mi/);
  });
});
