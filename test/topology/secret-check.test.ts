// The topology's secret check walks every key and string of the file, so a URL-valued field the
// schema does not know yet (DESIGN's backup.destination) is covered as soon as it exists.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PathSegment } from '../../src/topology';
import type { EnvironmentSpec } from '../../src/topology/schema';
import { refuseSecrets } from '../../src/topology/secret-check';

function problems(edit: (spec: any) => void): string[] {
  const spec = parse(fs.readFileSync('test/fixtures/environments/minimal.yaml', 'utf8'));
  edit(spec);
  const out: string[] = [];
  refuseSecrets(spec as EnvironmentSpec, (path: readonly PathSegment[], message: string) => out.push(`${path.join('.')}: ${message}`));
  return out;
}

describe('refuseSecrets', () => {
  it('finds nothing in a clean environment whose *Secret fields name Secrets', () => {
    expect(problems(() => undefined)).toEqual([]);
  });

  it('refuses credentials in any URL-valued field, by its path', () => {
    const found = problems((spec) => {
      spec.backup = { destination: 's3://backup:Sup3rS3cret@meridian-backups/prod', mirror: 's3://AKIAIOSFODNN7EXAMPLE@meridian-backups/prod' };
    });
    expect(found).toEqual([
      expect.stringMatching(/^backup\.mirror: holds an AWS access key; /),
      expect.stringMatching(/^backup\.destination: holds a password in a URL; .*remove the user and password from the URL/),
    ]);
  });

  it('refuses a secret used as a key and a config key named like a secret; messages never echo a value (TopologyError scrubs the path)', () => {
    const found = problems((spec) => {
      spec.services[0].config = { 'glpat-AbCdEfGhIjKlMnOpQrSt': 'x', DB_PASS: 'hunter2' };
    });
    expect(found.sort()).toEqual([
      expect.stringMatching(/^services\.0\.config\.DB_PASS: "DB_PASS" looks like a secret; /),
      expect.stringMatching(/^services\.0\.config\.glpat-AbCdEfGhIjKlMnOpQrSt: key holds a GitLab token; /),
    ]);
    expect(found.join('\n')).not.toContain('hunter2');
  });
});
