// Markdown of the operations part of the report (rollout, backups, alert responses).
import type { OperationsReport } from './operations';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function operationsMarkdown(o: OperationsReport): string[] {
  const out: string[] = ['## Rollout', ''];
  if (o.rollout.mode === 'all-at-once') {
    out.push('all-at-once: every Application syncs automatically and independently; a change reaches every cluster at the same time.', '');
  } else {
    out.push('one-cluster-at-a-time: Argo CD progressive sync (RollingSync), one Application at a time, each step waiting until the previous is Healthy:', '');
    o.rollout.steps.forEach((s, i) => out.push(`${i + 1}. ${s.join(', ')}`));
    out.push('', 'Prerequisites:', '', ...o.rollout.prerequisites.map((p) => `- ${p}`), '');
  }
  if (o.backup) {
    const b = o.backup;
    out.push('## Backups', '', `Destination \`${b.destination}\`, schedule \`${b.schedule}\`, kept ${b.retentionDays} day(s). RPO when restoring from backup: ${b.rpo}.`, '');
    out.push('| store | where | how |', '| --- | --- | --- |', ...b.targets.map((t) => `| ${t.store} | \`${t.where}\` | ${cell(t.how)} |`), '');
    out.push('### Restore', '');
    for (const step of b.restore) out.push(`#### ${step.title}`, '', '```sh', ...step.commands, '```', '');
  }
  if (o.alerts && o.alerts.length > 0) {
    out.push('## Alert responses', '', 'Every cluster carries these alerts (PrometheusRules), with its own numbers and context; commands are shown for the bootstrap cluster. Each alert\'s `runbook` annotation names its entry here.', '');
    for (const a of o.alerts) out.push(`### ${a.name}`, '', `${a.severity}, ${a.component}: ${a.summary}.`, '', '```promql', a.expr, '```', '', `Response: ${a.response}.`, '');
  }
  return out;
}
