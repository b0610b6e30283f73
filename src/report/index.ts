// DR report per environment (`meridian report`, and dist/<env>.report.md written by synth).
import type { Environment } from '../topology';
import { reportMarkdown } from './markdown';
import { buildReport } from './model';

export { buildReport, type EnvironmentReport } from './model';
export { reportMarkdown } from './markdown';
export { runbook, type RunbookStep } from './runbook';
export { addClusterRunbook, day2Markdown, day2Runbooks, removeClusterRunbook, runbooksForChange, upgradeStoreRunbook, type Day2Runbook } from './day2';
export { renderPrerequisites } from './prerequisites';

/**
 * The report's path relative to dist/: beside the cluster folders, never inside one, so the
 * ApplicationSets (git directory generators) never deploy it.
 */
export function reportFile(environment: string): string {
  return `${environment}.report.md`;
}

export function renderReport(env: Environment): string {
  return reportMarkdown(buildReport(env));
}
