// `meridian preflight`: runs the read-only checks of src/preflight against live clusters through
// kubectl (the only process it starts), one line per finding.
import { spawnSync } from 'node:child_process';
import { judge, preflightChecks, type Finding } from '../preflight';
import { synthesize } from '../synth/synthesize';
import type { Topology } from '../topology';
import { prerequisitesFile, type PrerequisitesDocument } from '../topology/prerequisites';

/** Runs kubectl; a missing binary is an error of the run, not a missing prerequisite. */
export function runKubectl(args: readonly string[]): { status: number; stdout: string } {
  const r = spawnSync('kubectl', [...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new KubectlUnavailable((r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'kubectl is not on PATH; install it or add it to PATH' : `kubectl failed to run: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout ?? '' };
}

export class KubectlUnavailable extends Error {}

/** The prerequisites documents of the environments, from an in-memory synthesis (nothing is written). */
export function prerequisitesOf(topology: Topology, environments: readonly string[]): PrerequisitesDocument[] {
  const bundle = synthesize(topology, { environments: [...environments] });
  return environments.map((e) => JSON.parse(bundle.files.get(prerequisitesFile(e))!) as PrerequisitesDocument);
}

export function runPreflight(docs: readonly PrerequisitesDocument[], contexts: ReadonlyMap<string, string>): Finding[] {
  return docs.flatMap((doc) => preflightChecks(doc, (c) => contexts.get(c) ?? c).map((check) => judge(check, runKubectl(check.args))));
}

export function formatFindings(findings: readonly Finding[]): string {
  const lines = findings.map((f) => (f.ok ? `${f.cluster}: ok ${f.subject}` : `${f.cluster}: MISSING ${f.subject}: ${f.message}`));
  const missing = findings.filter((f) => !f.ok).length;
  lines.push(missing === 0 ? `preflight: all ${findings.length} prerequisite(s) present` : `preflight: ${missing} of ${findings.length} prerequisite(s) missing`);
  return `${lines.join('\n')}\n`;
}
