// Golden output per fixture environment: reviewable YAML that does not depend on environments/.
// Update deliberately with `npx vitest run test/golden -u` and review the diff.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURE_ENVIRONMENTS, synthFixture } from '../helpers';

const fixtures = fs
  .readdirSync(FIXTURE_ENVIRONMENTS)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

describe.each(fixtures)('golden output of %s', (fixture) => {
  const bundle = synthFixture(fixture);
  it.each([...bundle.files.keys()])('%s', async (file) => {
    await expect(bundle.files.get(file)).toMatchFileSnapshot(`__golden__/${fixture}/${file}`);
  });
});
