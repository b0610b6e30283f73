// README.md shows the tool's own review comments for a cluster expansion and a one-cluster drain, and the
// table of risk classes: this keeps them equal to the output (`UPDATE_README=1 npx vitest run
// test/diff/readme.test.ts` rewrites them).
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffMarkdown, RISK_CLASS_DESCRIPTIONS, RISK_CLASSES } from '../../src/diff';
import { DRAINED, EXPANDED, PROD, reviewDiff } from './scenarios';

const README = 'README.md';

function block(readme: string, name: string): { start: number; end: number; text: string } {
  const open = `<!-- meridian-diff:${name} -->\n\`\`\`\`markdown\n`;
  const close = `\`\`\`\`\n<!-- /meridian-diff:${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close, start);
  expect({ name, start: start >= 0, end: end >= 0 }).toEqual({ name, start: true, end: true });
  return { start: start + open.length, end, text: readme.slice(start + open.length, end) };
}

const table = (): string => ['| class | meaning |', '| --- | --- |', ...RISK_CLASSES.map((c) => `| \`${c}\` | ${RISK_CLASS_DESCRIPTIONS[c]} |`)].join('\n');
const TABLE = /(#### The review comment\n\n[^\n]*\n\n)(\| class \|[^]*?\n)\n/;

describe('README review examples', () => {
  const expected = { expanded: diffMarkdown(reviewDiff(PROD, EXPANDED)), drained: diffMarkdown(reviewDiff(PROD, DRAINED)) };

  if (process.env.UPDATE_README === '1') {
    let readme = fs.readFileSync(README, 'utf8').replace('@@RISK_TABLE@@', table()).replace(TABLE, (_m, head: string) => `${head}${table()}\n\n`);
    for (const name of ['expanded', 'drained'] as const) {
      const b = block(readme, name);
      readme = readme.slice(0, b.start) + expected[name] + readme.slice(b.end);
    }
    fs.writeFileSync(README, readme);
  }

  const readme = fs.readFileSync(README, 'utf8');

  it('shows the comment for adding cluster4 and the one for draining shop in cluster2, as the tool writes them', () => {
    expect(block(readme, 'expanded').text).toBe(expected.expanded);
    expect(block(readme, 'drained').text).toBe(expected.drained);
  });

  it('lists every risk class with its description', () => {
    expect(TABLE.exec(readme)?.[2]).toBe(`${table()}\n`);
  });
});
