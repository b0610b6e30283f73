import { scrubSecrets } from '../lib/secrets';
import { objectName, reportChangeLines, riskText, showValue, WORKING_TREE, type BundleDiff } from '../diff';
import type { Style } from './style';

/** `meridian diff --format text`: the same content as the PR comment, for a terminal. */
export function formatDiffText(d: BundleDiff, s: Style): string {
  const out: string[] = [];
  // risk first: what the change will do to the fleet
  for (const r of d.risks) out.push(`risk: ${r.severe ? s.red(r.class) : s.yellow(r.class)} ${riskText(r)}`);
  for (const r of d.review?.reports ?? []) for (const l of reportChangeLines(r)) out.push(`report: ${r.environment}: ${l}`);
  for (const n of d.review?.notes ?? []) out.push(`note: ${n}`);
  const mark = { added: s.green('+'), removed: s.red('-'), changed: s.yellow('~') } as const;
  for (const f of d.folders) {
    out.push(s.bold(`${f.folder}${f.environment ? s.dim(` (${f.environment})`) : ''}`));
    for (const c of f.components) {
      out.push(`  ${c.component}`);
      for (const e of c.entries) {
        out.push(`    ${mark[e.change]} ${objectName(e)}${e.movedFrom ? s.dim(` (moved from ${e.movedFrom})`) : ''}`);
        for (const field of e.fields ?? []) {
          if (field.change === 'added') out.push(`        ${field.path}: ${s.green(`+ ${showValue(field.new)}`)}`);
          else if (field.change === 'removed') out.push(`        ${field.path}: ${s.red(`- ${showValue(field.old)}`)}`);
          else out.push(`        ${field.path}: ${s.red(showValue(field.old))} -> ${s.green(showValue(field.new))}`);
        }
      }
    }
  }
  const explained = new Set((d.review?.reports ?? []).map((r) => r.file));
  const files = d.files.filter((f) => !explained.has(f.file));
  if (files.length > 0) {
    out.push(s.bold('other files'));
    for (const f of files) out.push(`    ${mark[f.change]} ${f.file} (+${f.linesAdded} -${f.linesRemoved} lines)`);
  }
  for (const r of d.review?.runbooks ?? []) {
    out.push(s.bold(`runbook: ${r.title} (${r.when})`));
    r.steps.forEach((step, i) => {
      out.push(`  ${i + 1}. ${step.title}`, ...step.commands.flatMap((c) => c.split('\n').map((l) => `       ${l}`)));
      if (step.expect) out.push(`     expect: ${step.expect}`);
    });
  }
  const total = d.summary.added + d.summary.removed + d.summary.changed;
  out.push(
    total + d.files.length === 0
      ? `${s.green('no changes')}: dist/ at ${d.base} equals ${d.head === WORKING_TREE ? `a fresh synth of the ${d.head}` : `dist/ at ${d.head}`}`
      : `${total} object change(s) in ${d.folders.length} folder(s) (${d.summary.added} added, ${d.summary.removed} removed, ${d.summary.changed} changed), ${d.files.length} other file(s) ${s.dim(`(${d.base} -> ${d.head})`)}`,
  );
  return scrubSecrets(`${out.join('\n')}\n`);
}
