// `meridian diff --format markdown`: a ready PR comment. A summary table, then one collapsible
// section per cluster folder with its changes grouped by component.
import { scrubSecrets } from '../lib/secrets';
import { day2Markdown } from '../report/day2';
import { reportChangeLines } from './review';
import { riskWhere } from './risk';
import { WORKING_TREE, type BundleDiff, type FieldChange, type ObjectEntry } from './semantic';

const SIGN = { added: '➕', removed: '➖', changed: '✏️' } as const;

/** Inline code that survives backticks inside the value. */
function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${s.replace(/\n/g, '\\n')}${fence.length > 1 ? ' ' : ''}${fence}`;
}

export function showValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? 'null';
}

export function objectName(e: Pick<ObjectEntry, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  return `${e.apiVersion} ${e.kind} ${e.namespace !== undefined ? `${e.namespace}/` : ''}${e.name}`;
}

function fieldLine(f: FieldChange): string {
  if (f.change === 'added') return `  - ${code(f.path)}: added ${code(showValue(f.new))}`;
  if (f.change === 'removed') return `  - ${code(f.path)}: removed (was ${code(showValue(f.old))})`;
  return `  - ${code(f.path)}: ${code(showValue(f.old))} → ${code(showValue(f.new))}`;
}

function counts(x: { added: number; removed: number; changed: number }): string {
  return [x.added ? `${x.added} added` : '', x.removed ? `${x.removed} removed` : '', x.changed ? `${x.changed} changed` : ''].filter((s) => s !== '').join(', ');
}

/**
 * GitHub refuses a comment body longer than 65,536 characters ("Body is too long (maximum is 65536
 * characters)", the 422 of docs.github.com/rest/issues/comments#create-an-issue-comment). JavaScript
 * counts UTF-16 units, which is never fewer than the code points GitHub counts, so the check is safe.
 */
export const COMMENT_LIMIT = 65_536;

/** How much of the per-object detail a comment keeps; the first level that fits the limit wins. */
type Detail = 'fields' | 'objects' | 'counts';

const OMITTED: Record<Exclude<Detail, 'fields'>, string> = {
  objects: 'The field changes of each object are left out',
  counts: 'The per-object changes are left out',
};

/**
 * The PR comment for a diff. When the full comment is longer than `limit` characters (GitHub's comment
 * limit by default), it keeps the risks, the report changes, the summary table and the runbooks and
 * drops detail in steps, first the field changes, then the object lists, and says so in the comment.
 */
export function diffMarkdown(d: BundleDiff, limit: number = COMMENT_LIMIT): string {
  let text = '';
  for (const detail of ['fields', 'objects', 'counts'] as const) {
    text = renderMarkdown(d, detail, limit);
    if (text.length <= limit) return text;
  }
  // Even the counts alone are too long (thousands of risks or runbook steps): cut at a line boundary.
  const note = `\n_The comment is cut here to fit GitHub's limit of ${limit} characters: run \`meridian diff\` for the whole change._\n`;
  const cut = text.slice(0, Math.max(0, limit - note.length));
  return `${cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))}${note}`;
}

function renderMarkdown(d: BundleDiff, detail: Detail, limit: number): string {
  const synth = d.head === WORKING_TREE;
  const out: string[] = [`### meridian diff: \`${d.base}\` → ${synth ? d.head : `\`${d.head}\``}`, ''];
  if (d.folders.length === 0 && d.files.length === 0) {
    out.push(`No changes: \`dist/\` at \`${d.base}\` equals ${synth ? `a fresh synth of the ${d.head}` : `\`dist/\` at \`${d.head}\``}.`);
    return `${out.join('\n')}\n`;
  }
  out.push('#### Risk', '');
  if (d.risks.length === 0) out.push('None found: no pod restarts, prunes, store membership, certificate identity, GSLB target or NetworkPolicy changes.', '');
  else out.push(...d.risks.map((r) => `- ${r.severe ? '⚠️ ' : ''}**${r.class}** ${code(r.subject)} in ${riskWhere(r)}: ${r.detail}`), '');
  const reports = d.review?.reports ?? [];
  if (reports.length > 0 || (d.review?.notes.length ?? 0) > 0) {
    out.push('#### Report changes', '');
    for (const r of reports) out.push(`**${r.environment}** (${code(r.file)}):`, '', ...reportChangeLines(r).map((l) => `- ${l}`), '');
    for (const n of d.review?.notes ?? []) out.push(`Note: ${n}.`, '');
  }
  if (d.folders.length > 0) {
    out.push('#### Objects', '', '| cluster | environment | added | removed | changed |', '| --- | --- | ---: | ---: | ---: |');
    for (const f of d.folders) out.push(`| ${f.folder} | ${f.environment ?? ''} | ${f.added} | ${f.removed} | ${f.changed} |`);
    out.push(`| **total** | | **${d.summary.added}** | **${d.summary.removed}** | **${d.summary.changed}** |`, '');
  } else {
    out.push('No Kubernetes object changes.', '');
  }
  const explained = new Set(reports.map((r) => r.file));
  const files = d.files.filter((f) => !explained.has(f.file));
  if (files.length > 0) {
    out.push(`Other files: ${files.map((f) => `${code(f.file)} ${f.change} (+${f.linesAdded} −${f.linesRemoved} lines)`).join(', ')}.`, '');
  }
  if (detail !== 'fields' && d.folders.length > 0) {
    out.push(`_${OMITTED[detail]} to fit GitHub's limit of ${limit} characters per comment: \`meridian diff --format text\` (or \`--format json\`) shows all of them._`, '');
  }
  for (const f of detail === 'counts' ? [] : d.folders) {
    out.push('<details>', `<summary><b>${f.folder}</b>: ${counts(f)}</summary>`, '');
    for (const c of f.components) {
      out.push(`**${c.component}**`, '');
      for (const e of c.entries) {
        out.push(`- ${SIGN[e.change]} ${e.change} ${code(objectName(e))}${e.movedFrom ? ` (moved from ${code(e.movedFrom)})` : ''}`);
        if (detail === 'fields') for (const field of e.fields ?? []) out.push(fieldLine(field));
      }
      out.push('');
    }
    out.push('</details>', '');
  }
  const runbooks = d.review?.runbooks ?? [];
  if (runbooks.length > 0) {
    out.push('#### Runbooks this change needs', '');
    for (const r of runbooks) out.push('<details>', `<summary><b>${r.title}</b>: ${r.steps.length} steps, in order</summary>`, '', ...day2Markdown([r], '#####').slice(2), '</details>', '');
  }
  // Values are masked field by field (semantic.ts); this pass also covers keys, paths and names.
  return scrubSecrets(`${out.join('\n').replace(/\n+$/, '')}\n`);
}
