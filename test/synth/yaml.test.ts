// The YAML text of generated files: every reader gets back exactly the values that were written, under
// YAML 1.1 (kubectl, kustomize, Argo CD) and YAML 1.2 alike, with no anchors and no folded lines.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { CORE_SCHEMA, loadAll, YAML11_SCHEMA } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../../src/synth/yaml';

/** Strings that some YAML reader takes for something other than a string when left unquoted. */
const AMBIGUOUS = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'True', 'FALSE', 'null', 'Null', '~', '',
  '0777', '0o17', '0x1F', '0b101', '1_000', '1e3', '1E-3', '.5', '5.', '.', '..', '+1', '-1', '12:30', '1:20:30',
  '.inf', '-.Inf', '.nan', 'e0', 'E5', '.e1', '1_0e1_0', '2024-01-01', '2001-12-14t21:59:43.10-05:00', '=', '<<', '-', '?', ':', '#', '- x', 'a: b',
  '@x', '`x', '!tag', '&anchor', '*alias', '%TAG', '{}', '[]', '"q"', "'q'", '---', '...', ' leading', 'trailing ',
  'multi\nline', 'trailing newline\n', '\ttab', 'nbsp\u00a0', 'emoji 🚀', 'a #comment', 'key:value',
];

const scalar = fc.oneof(
  fc.constantFrom(...AMBIGUOUS),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...AMBIGUOUS), fc.string()), tie('node'), { maxKeys: 4 }),
})).map;

/** Documents as each reader sees them. */
const readers: Record<string, (text: string) => unknown[]> = {
  'yaml 1.1': (t) => parseAllDocuments(t, { version: '1.1', uniqueKeys: true }).map((d) => d.toJS()),
  'yaml 1.2': (t) => parseAllDocuments(t, { version: '1.2', uniqueKeys: true }).map((d) => d.toJS()),
  'js-yaml YAML 1.1': (t) => loadAll(t, { schema: YAML11_SCHEMA }),
  'js-yaml core': (t) => loadAll(t, { schema: CORE_SCHEMA }),
};

describe('toYaml', () => {
  test.prop([fc.array(value, { minLength: 1, maxLength: 3 })], { numRuns: 300 })('every reader reads back the documents written', (documents) => {
    const text = toYaml(...documents);
    for (const [name, read] of Object.entries(readers)) expect(read(text), name).toEqual(documents);
  });

  it('quotes each ambiguous string, whatever YAML version reads it', () => {
    const text = toYaml(Object.fromEntries(AMBIGUOUS.map((s, i) => [`k${i}`, s])));
    for (const [name, read] of Object.entries(readers)) expect(read(text)[0], name).toEqual(Object.fromEntries(AMBIGUOUS.map((s, i) => [`k${i}`, s])));
    const line = (s: string): string => text.split('\n').find((l) => l.startsWith(`k${AMBIGUOUS.indexOf(s)}: `))!;
    expect(line('yes')).toMatch(/: "yes"$/);
    expect(line('0777')).toMatch(/: "0777"$/);
    expect(line('.')).toMatch(/: "\."$/);
    expect(line('2024-01-01')).toMatch(/: "2024-01-01"$/);
  });

  it('writes repeated objects out in full, never as anchors and aliases', () => {
    const shared = { app: 'vault' };
    const text = toYaml({ a: shared, b: shared, list: [shared, shared] });
    expect(text).not.toMatch(/[&*]ref/);
    expect(text).not.toMatch(/ [&*][A-Za-z]/);
    expect(loadAll(text)).toEqual([{ a: shared, b: shared, list: [shared, shared] }]);
  });

  it('never folds a long string: one value is one line of a diff', () => {
    const long = Array.from({ length: 60 }, (_, i) => `--flag-${i}=value`).join(' ');
    const text = toYaml({ args: [long] });
    expect(text.split('\n').filter((l) => l.includes('--flag-0'))).toEqual([`  - ${long}`]);
  });

  it('writes multi-line strings as literal blocks', () => {
    expect(toYaml({ script: 'set -e\nexit 0\n' })).toBe('script: |\n  set -e\n  exit 0\n');
  });

  it('separates documents with ---', () => {
    expect(toYaml({ a: 1 }, { b: 2 })).toBe('a: 1\n---\nb: 2\n');
  });

  it('leaves undefined fields out, as JSON does, and refuses values that are not data', () => {
    expect(toYaml({ a: undefined, b: 1 })).toBe('b: 1\n');
    expect(() => toYaml({ f: () => 1 })).toThrow(/unacceptable kind/);
  });
});
