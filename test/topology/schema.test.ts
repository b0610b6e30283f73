import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentSchema } from '../../src/topology';

describe('environments/schema.json', () => {
  it('is the compiled schema of src/topology/schema.ts (run npm run schema when this fails)', () => {
    const committed = JSON.parse(fs.readFileSync('environments/schema.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(environmentSchema)));
  });

  it('is referenced by every environment file for editor completion', () => {
    for (const f of fs.readdirSync('environments').filter((x) => x.endsWith('.yaml'))) {
      expect(fs.readFileSync(`environments/${f}`, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
    }
  });
});
