// Command line: argument parsing, output and exit codes. The only place with terminal colour and exit codes.
import { tierFolder, TIERS } from '../lib/sync-wave';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { synthToDisk } from '../main';
import { OutputValidationError } from '../synth/synthesize';
import { OutputRefusedError, recoverOutput, WriteError } from '../synth/write';
import { formatProblem, TopologyError } from '../topology';
import { formatSynthSummary } from './summary';
import { formatRules, formatValidation, validationJson } from './validate-output';
import { DEFAULT_ENV_DIR, DEFAULT_OUT_DIR, loadTopology } from '../main';
import { buildReport, reportMarkdown } from '../report';
import { runbook } from '../report/runbook';
import { simulateFirstSync, timelineMarkdown } from '../report/sync-simulator';
import { synthesize } from '../synth/synthesize';
import { DiffInputError, diffMarkdown, diffRefs, diffWorkingTree, GitError, hasChanges, RISK_CLASS_DESCRIPTIONS, RISK_CLASSES, riskClassesPresent, type RiskClass } from '../diff';
import { formatDiffText } from './diff-output';
import { RULES, treeFromDirectory, unknownRules, validateTree } from '../validate';
import { clusterFoldersByEnvironment } from '../validate/manifest';
import { style } from './style';
import { init, InitConflict } from './init';
import { version } from './version';
import { ConfigError } from '../synth/extensions';
import { scrubSecrets } from '../lib/secrets';
import { formatFindings, KubectlUnavailable, prerequisitesOf, runPreflight } from './preflight';

export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, CHANGES: 3, RISK: 4 } as const;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  color: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined,
};

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly run: (args: string[], io: Io) => number;
}

const COMMON = `Options:
  --env <name>            only this environment (all environment files are still loaded and checked)
  --environments <dir>    folder of environment files (default: environments)
  --out <dir>             output folder (default: dist, or $CDK8S_OUTDIR)
  -h, --help              show this help`;

const COMMANDS: Record<string, Command> = {
  synth: {
    summary: 'load, check, synthesize, validate and write dist/ atomically',
    usage: `Usage: meridian synth [--env <name>] [--environments <dir>] [--out <dir>] [--quiet] [--no-cache] [--strict]

Reads every environment file, checks it, synthesizes one folder per cluster plus argocd/, validates
every object against its schema, and only then replaces the output folder, atomically: it holds the
old tree or the new one, never a mix. On any error nothing is written and the exit code is 1. An
object byte-for-byte equal to one that passed its schema in an earlier run is not checked again (the
record lives in the cache folder: $XDG_CACHE_HOME/meridian, else node_modules/.cache/meridian, else
~/.cache/meridian).
Choices that are valid but surprising (globalnet switched on by auto, an even Vault voter count, a
seal key in one region) print as located \`warning:\` lines on stderr; --strict makes them errors.

meridian replaces and removes only the files it wrote, listed in <out>/meridian-owned.txt. It refuses
(exit 2, before writing anything) an --out that is a file or a symbolic link, holds .git, is, holds or
lies inside the environments folder, is not empty and was not written by meridian, or holds files
meridian did not write; and an --out that is not the argocd.path of every environment (relative to the
repository root), since the ApplicationSets would never deploy it. There is no --force: move foreign
files out yourself, or declare them as extraManifests.

${COMMON}
  -q, --quiet             print nothing on success
  --no-cache              check every object against its schema, whatever earlier runs found
  --strict                treat warnings as errors: exit 1 and write nothing`,
    run: synth,
  },
  validate: {
    summary: 'check a dist/ tree: schemas and the cross-cluster rules (exports, join lists, SANs, quorum, policies)',
    usage: `Usage: meridian validate [dir] [--format text|json] [--env <name>] [--rule <id>]... [--list-rules]

Reads every file under dir (default: --out, else dist or $CDK8S_OUTDIR), offline, and runs the schema of
every object and every cross-cluster rule (see --list-rules). Exit code 0 when clean, 1 on violations or
when the folder cannot be read, 2 on a usage error. In text form, violations go to stderr as
  file:line:col: <rule id> <rule name>: <object> <field path>: <what to fix>

Options:
  --format text|json      output form (default: text); json goes to stdout
  --out <dir>             the folder to read when dir is not given
  --env <name>            report only the folders of this environment (by their meridian.dev/environment label)
  --rule <id|name>        run only this rule (repeatable)
  --list-rules            print the rules and exit
  -h, --help              show this help`,
    run: validate,
  },
  diff: {
    summary: 'semantic per-cluster diff of dist/ at a git revision against a fresh synth or another revision (PR comment with --format markdown)',
    usage: `Usage: meridian diff [--base <git-ref>] [--format text|markdown|json] [--fail-on <class>[,<class>]] [--env <name>] [--environments <dir>] [--out <dir>]
       meridian diff --base <git-ref> --head <git-ref> [--format text|markdown|json] [--fail-on <class>[,<class>]] [--env <name>] [--out <dir>]

Synthesizes the environment files of the working tree in memory and compares the result with dist/ as
committed at the base revision (read with git, nothing is checked out): objects added, removed and changed
(identity: apiVersion, kind, namespace and name within a cluster folder), with the path and old -> new value
of every changed field, grouped by cluster and component. With --head, compares dist/ as committed at the
two revisions instead, without synthesis (CI comparing a pull request's dist/ with main's; environments/
is read from git at both revisions, for the report changes and runbooks only). Files identical on both sides are neither read nor parsed. Values of Secrets and secret-looking
fields are never shown. The markdown form is a ready pull-request comment.

List items are matched by identity, never by position: Kubernetes merge keys (containers, env, volumes by
name, volumeMounts by mountPath, ports by port and protocol), GSLB endpoints by cluster, retry_join entries
by leader address; lists of scalars are multisets and a --flag=a,b,c value is a set of items.

Every form starts with the risks of the change (markdown: a Risk section; text: risk: lines; json: the
risks array), in these classes:
${RISK_CLASSES.map((c) => `  ${c.padEnd(11)} ${RISK_CLASS_DESCRIPTIONS[c]}`).join('\n')}
then the changes of each environment's DR report as meaning (voters, quorum and what each store survives,
replica splits, GSLB targets; environment files read from git at the base revision, and at --head), and
the day-2 runbooks the change needs (a cluster added or removed, a store image changed).

Exit code 0 when nothing changed, 3 when something did, 4 when a risk of a --fail-on class is present,
1 on an error (environment files, git), 2 on a usage error.

Options:
  --base <git-ref>        revision of the committed dist/ (default: HEAD)
  --head <git-ref>        compare with dist/ committed at this revision instead of a fresh synth
  --format text|markdown|json   output form (default: text)
  --fail-on <classes>     exit 4 when a risk of one of these comma-separated classes is present (CI gate)
  --env <name>            only this environment's cluster folders (by their meridian.dev/environment label) and report
  --environments <dir>    folder of environment files (default: environments; not with --head)
  --out <dir>             the dist/ folder inside the repository (default: dist, or $CDK8S_OUTDIR)
  -h, --help              show this help`,
    run: diff,
  },
  report: {
    summary: 'DR report per environment: voters and quorum per store, where services run, GSLB reaction, diagram, bootstrap and day-2 runbooks',
    usage: `Usage: meridian report [--env <name>] [--format markdown|json] [--timeline] [--environments <dir>]

Prints the disaster-recovery report of each environment, derived from the environment files: clusters and
regions; per store the voters per cluster, quorum and how many clusters it can lose, and its RPO/RTO class;
per service where it is active, drained, and its replica split; the GSLB policy and the time to react to a
dead region; a Mermaid diagram; the ordered bootstrap runbook with exact commands; and the day-2 runbooks
(each store's image upgrade one cluster at a time, removing a cluster; \`meridian diff\` prints the runbook of
a cluster a change adds). \`meridian synth\` also writes it to dist/<env>.report.md. Exit code 0, or 1 when the environment files have errors.

Options:
  --env <name>            only this environment (json: one object instead of a list)
  --format markdown|json  output form (default: markdown)
  --timeline              print instead the simulated first sync (src/report/sync-simulator.ts) of meridian's
                          own objects: each runbook step, the Applications Argo CD brings up after it, and
                          anything that would go Degraded, wait on a later step or need a retry
  --environments <dir>    folder of environment files (default: environments)
  -h, --help              show this help`,
    run: report,
  },
  init: {
    summary: 'scaffold a GitOps repository: an environment file, .gitignore, a CI workflow and a README',
    usage: `Usage: meridian init [dir] [--name <environment>]

Writes into dir (default: the current folder) environments/<name>.yaml (three clusters and one service,
with a $schema for editors: the schema of the installed package, else a copy beside the file),
.gitignore, .github/workflows/meridian.yml (install, check dist/ is fresh, validate, diff on pull
requests) and README.md naming the commands. It never overwrites anything: when one of these files
exists, nothing is written and the exit code is 2. Then run \`meridian synth\` and commit dist/.

Options:
  --name <environment>    environment name (default: prod)
  -h, --help              show this help`,
    run: initCommand,
  },
  help: {
    summary: 'show the commands, or the options of one command',
    usage: `Usage: meridian help [command]`,
    run: help,
  },
  preflight: {
    summary: "read-only kubectl checks that every cluster has what its bundle relies on (CRDs, operators, Secrets, SCCs, DNS)",
    usage: `Usage: meridian preflight [--env <name>] [--context-for <cluster>=<kube-context>]... [--environments <dir>]

Checks, read-only through kubectl, what each cluster must already have before Argo CD syncs its folder
(the prerequisites meridian derives from the environment file, also in dist/<env>.prerequisites.json):
every API group version and kind the folder uses is served, the operators' Deployments have an available
replica, every out-of-band Secret exists with the keys its consumers read (key names only, never values),
the SCCs the bundle grants exist, and the DNS Service answers on the pod ports the egress policies admit.
Prints one line per finding. Exit code 0 when everything is present, 1 when anything is missing or
kubectl cannot run, 2 on a usage error. Each cluster is addressed through the kube context named like
it unless --context-for maps it.

Options:
  --env <name>                          only this environment
  --context-for <cluster>=<context>     kube context of a cluster (repeatable)
  --environments <dir>                  folder of environment files (default: environments)
  -h, --help                            show this help`,
    run: preflight,
  },
};

export function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return `meridian: Kubernetes bundles for active/active stateful workloads across clusters

Usage: meridian <command> [options]

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`).join('\n')}

Run 'meridian help <command>' (or 'meridian <command> --help') for the options of a command,
'meridian --version' for the version.
`;
}

export function main(argv: readonly string[], io: Io = processIo): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    io.out(usage());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`${version()}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`meridian: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return EXIT.USAGE;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.out(`${command.usage}\n`);
    return EXIT.OK;
  }
  try {
    return command.run([...rest], io);
  } catch (e) {
    return reportError(e, io);
  }
}

/** Errors the user can act on are printed plainly; anything else is a bug and shows its stack. */
export function reportError(e: unknown, io: Io): number {
  const s = style(io.color);
  if (e instanceof TopologyError) {
    io.err(`${e.problems.map((p) => `${s.bold(p.line === 0 ? p.source : `${p.source}:${p.line}:${p.col}`)}: ${p.path === '' ? '' : `${s.yellow(p.path)}: `}${p.message}`).join('\n')}\n`);
    io.err(`${s.red(`${e.problems.length} problem(s) in the environment files`)}; nothing was written\n`);
    return EXIT.ERROR;
  }
  if (e instanceof OutputValidationError) {
    io.err(`${e.violations.join('\n')}\n${s.red(`${e.violations.length} problem(s) in the generated output`)}; nothing was written\n`);
    return EXIT.ERROR;
  }
  if (e instanceof ConfigError) {
    io.err(`${e.message}\n${s.red('problem in the config')}; nothing was written\n`);
    return EXIT.ERROR;
  }
  if (e instanceof OutputRefusedError) {
    io.err(`${e.message}\n${s.red('the output folder was refused')}; nothing was written\n`);
    return EXIT.USAGE;
  }
  if (e instanceof WriteError) {
    io.err(`${e.message}\n`);
    return EXIT.ERROR;
  }
  if (e instanceof UsageError || e instanceof InitConflict) {
    io.err(`meridian: ${e.message}\n`);
    return EXIT.USAGE;
  }
  io.err(scrubSecrets(`meridian: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
  return EXIT.ERROR;
}

export class UsageError extends Error {}

type Flags = Record<string, string | boolean | string[] | undefined>;

function parse(args: string[], extra: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}, maxPositionals = 0): Flags & { _: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: maxPositionals > 0,
      strict: true,
      options: { env: { type: 'string' }, environments: { type: 'string' }, out: { type: 'string' }, ...extra },
    });
    if (positionals.length > maxPositionals) throw new Error(`unexpected argument '${positionals[maxPositionals]!}'`);
    return { ...(values as Flags), _: positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\.$/, '')}; see --help`);
  }
}

/** A `--format` value among the allowed ones. */
function format<T extends string>(value: unknown, allowed: readonly T[]): T {
  if (value === undefined) return allowed[0]!;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--format must be one of ${allowed.join(', ')}, not "${String(value)}"; see --help`);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function synth(args: string[], io: Io): number {
  const flags = parse(args, { quiet: { type: 'boolean', short: 'q' }, 'no-cache': { type: 'boolean' }, strict: { type: 'boolean' } });
  const started = process.hrtime.bigint();
  const result = synthToDisk({
    ...(str(flags.environments) !== undefined ? { envDir: str(flags.environments)! } : {}),
    ...(str(flags.out) !== undefined ? { outDir: str(flags.out)! } : {}),
    ...(str(flags.env) !== undefined ? { environment: str(flags.env)! } : {}),
    cache: flags['no-cache'] !== true,
    strict: flags.strict === true,
  });
  for (const w of result.topology.warnings) io.err(`warning: ${formatProblem(w)}\n`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!flags.quiet) io.out(formatSynthSummary(result, seconds, style(io.color)));
  return EXIT.OK;
}

function validate(args: string[], io: Io): number {
  const flags = parse(args, { format: { type: 'string' }, rule: { type: 'string', multiple: true }, 'list-rules': { type: 'boolean' } }, 1);
  const form = format(flags.format, ['text', 'json'] as const);
  if (flags['list-rules']) {
    io.out(form === 'json' ? `${JSON.stringify(RULES.map((r) => ({ id: r.id, name: r.name, description: r.description, fix: r.fix })), null, 2)}\n` : formatRules(RULES, style(io.color)));
    return EXIT.OK;
  }
  const rules = Array.isArray(flags.rule) ? flags.rule : undefined;
  const unknown = unknownRules(rules ?? []);
  if (unknown.length > 0) throw new UsageError(`unknown rule ${unknown.join(', ')}; see --list-rules`);
  if (str(flags.environments) !== undefined) throw new UsageError('validate reads a dist/ tree, not environment files: give the folder (or --out); see --help');
  const given = flags._[0] ?? str(flags.out) ?? process.env.CDK8S_OUTDIR ?? DEFAULT_OUT_DIR;
  // One cluster folder (`validate dist/cluster1`): the cross-cluster rules need its siblings, so the whole
  // dist/ tree above it is read and only the folder's violations are reported.
  const single = clusterFolderInDist(given);
  const dir = single?.dist ?? given;
  let tree;
  try {
    // A synth killed halfway left the old tree set aside: put back the old tree or the new one first.
    recoverOutput(dir);
    tree = treeFromDirectory(dir, dir.replace(/\/+$/, ''));
  } catch (e) {
    io.err(`meridian: ${(e as Error).message}\n`);
    return EXIT.ERROR;
  }
  const env = str(flags.env);
  let folders: string[] | undefined = single ? [single.folder] : undefined;
  if (env !== undefined) {
    const byEnv = clusterFoldersByEnvironment(tree);
    if (!byEnv.has(env)) throw new UsageError(`no cluster folder of environment "${env}" in ${dir}; environments: ${[...byEnv.keys()].filter((e) => e !== '').join(', ')}`);
    const mine = [...byEnv.get(env)!, 'argocd', ''];
    folders = folders ? folders.filter((f) => mine.includes(f)) : mine;
  }
  const violations = validateTree(tree, { ...(rules ? { rules } : {}), ...(folders ? { folders } : {}) });
  if (form === 'json') io.out(`${JSON.stringify(validationJson(tree, violations, rules), null, 2)}\n`);
  else {
    const all = formatValidation(tree, violations, rules?.length ?? RULES.length, style(io.color));
    const text = single ? `${all.replace(/\n$/, '')} (reported: ${single.folder} only)\n` : all;
    if (violations.length > 0) io.err(text);
    else io.out(text);
  }
  return violations.length > 0 ? EXIT.ERROR : EXIT.OK;
}

/**
 * `dir` as one cluster folder of a dist/ tree: a folder with its own kustomization.yaml and no subfolders but its tiers',
 * whose parent holds the argocd/ folder or an environment report (what `meridian synth` writes).
 */
function clusterFolderInDist(dir: string): { dist: string; folder: string } | undefined {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  try {
    if (!fs.statSync(path.join(abs, 'kustomization.yaml')).isFile()) return undefined;
    const tiers = new Set(TIERS.map(tierFolder).filter((f) => f !== ''));
    if (fs.readdirSync(abs, { withFileTypes: true }).some((e) => e.isDirectory() && !e.name.startsWith('.') && !tiers.has(e.name))) return undefined;
    const siblings = fs.readdirSync(parent);
    if (!siblings.includes('argocd') && !siblings.some((f) => f.endsWith('.report.md'))) return undefined;
  } catch {
    return undefined;
  }
  const rel = path.relative(process.cwd(), parent);
  return { dist: rel === '' ? '.' : rel.startsWith('..') ? parent : rel, folder: path.basename(abs) };
}

function report(args: string[], io: Io): number {
  const flags = parse(args, { format: { type: 'string' }, timeline: { type: 'boolean' } });
  const form = format(flags.format, ['markdown', 'json'] as const);
  if (str(flags.out) !== undefined) throw new UsageError('report prints to stdout and takes no --out; see --help');
  const topology = loadTopology(str(flags.environments) ?? DEFAULT_ENV_DIR);
  for (const w of topology.warnings) io.err(`warning: ${formatProblem(w)}\n`);
  const env = str(flags.env);
  const envs = topology.environments.filter((e) => env === undefined || e.name === env);
  if (envs.length === 0) throw new UsageError(`no environment named "${env ?? ''}"; known: ${topology.environments.map((e) => e.name).join(', ')}`);
  if ((flags as Record<string, unknown>).timeline === true) {
    if (form === 'json') throw new UsageError('--timeline prints Markdown; leave out --format json; see --help');
    // The bundle synthesized in memory (meridian's charts, as `meridian synth` writes them), never read from dist/.
    const bundle = synthesize(topology, { environments: envs.map((e) => e.name) });
    io.out(
      envs
        .map((e) => {
          const steps = runbook(e);
          const objects = bundle.objects.filter((o) => o.environment === e.name || o.folder === 'argocd').map((o) => ({ folder: o.folder, file: o.file, manifest: o.manifest as unknown as Record<string, unknown> }));
          return timelineMarkdown(e.name, steps, simulateFirstSync({ env: e, objects, runbook: steps }));
        })
        .join('\n'),
    );
    return EXIT.OK;
  }
  const reports = envs.map(buildReport);
  if (form === 'json') io.out(`${JSON.stringify(env === undefined ? reports : reports[0], null, 2)}\n`);
  else io.out(reports.map(reportMarkdown).join('\n'));
  return EXIT.OK;
}

function diff(args: string[], io: Io): number {
  const flags = parse(args, { base: { type: 'string' }, head: { type: 'string' }, format: { type: 'string' }, 'fail-on': { type: 'string' } });
  const form = format(flags.format, ['text', 'markdown', 'json'] as const);
  const failOn = riskClasses(str(flags['fail-on']));
  const head = str(flags.head);
  if (head !== undefined && str(flags.environments) !== undefined) {
    throw new UsageError('--environments cannot be used with --head: both sides are read from git and nothing is synthesized; see --help');
  }
  const common = {
    ...(str(flags.base) !== undefined ? { base: str(flags.base)! } : {}),
    ...(str(flags.out) !== undefined ? { outDir: str(flags.out)! } : {}),
    ...(str(flags.env) !== undefined ? { environment: str(flags.env)! } : {}),
  };
  let result;
  try {
    result = head !== undefined ? diffRefs({ ...common, head }) : diffWorkingTree({ ...common, ...(str(flags.environments) !== undefined ? { envDir: str(flags.environments)! } : {}) });
  } catch (e) {
    if (!(e instanceof GitError) && !(e instanceof DiffInputError)) throw e;
    io.err(scrubSecrets(`meridian: ${(e as Error).message}\n`));
    return EXIT.ERROR;
  }
  // Values are masked field by field (src/diff/semantic.ts); the text forms scrub keys, paths and names, and so does this.
  if (form === 'json') io.out(scrubSecrets(`${JSON.stringify(result, null, 2)}\n`));
  else if (form === 'markdown') io.out(diffMarkdown(result));
  else io.out(formatDiffText(result, style(io.color)));
  if (failOn.length > 0) {
    const present = riskClassesPresent(result.risks, failOn);
    if (present.length > 0) {
      io.err(`meridian: risk of class ${present.join(', ')} present (--fail-on ${failOn.join(',')})\n`);
      return EXIT.RISK;
    }
  }
  return hasChanges(result) ? EXIT.CHANGES : EXIT.OK;
}

function help(args: string[], io: Io): number {
  if (args.length === 0) {
    io.out(usage());
    return EXIT.OK;
  }
  const command = COMMANDS[args[0]!];
  if (!command || args.length > 1) throw new UsageError(`help takes one command name; commands: ${Object.keys(COMMANDS).join(', ')}`);
  io.out(`${command.usage}\n`);
  return EXIT.OK;
}

function initCommand(args: string[], io: Io): number {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { name: { type: 'string' } } }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\.$/, '')}; see --help`);
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]!}'; see --help`);
  const dir = positionals[0] ?? '.';
  const result = init(dir, values.name ?? 'prod');
  const s = style(io.color);
  io.out(`${result.written.map((f) => `  ${s.green('created')} ${f}`).join('\n')}\nnext: npx meridian synth, then commit environments/ and dist/\n`);
  return EXIT.OK;
}

/** The classes of `--fail-on a,b`. */
function riskClasses(value: string | undefined): RiskClass[] {
  if (value === undefined) return [];
  const names = value.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const unknown = names.filter((n) => !(RISK_CLASSES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new UsageError(`--fail-on takes classes among ${RISK_CLASSES.join(', ')}${unknown.length > 0 ? `, not ${unknown.map((u) => `"${u}"`).join(', ')}` : ''}; see --help`);
  return [...new Set(names)] as RiskClass[];
}

function preflight(args: string[], io: Io): number {
  const flags = parse(args, { 'context-for': { type: 'string', multiple: true } });
  if (str(flags.out) !== undefined) throw new UsageError('preflight reads live clusters and takes no --out; see --help');
  const topology = loadTopology(str(flags.environments) ?? DEFAULT_ENV_DIR);
  const env = str(flags.env);
  const envs = topology.environments.filter((e) => env === undefined || e.name === env);
  if (envs.length === 0) throw new UsageError(`no environment named "${env ?? ''}"; known: ${topology.environments.map((e) => e.name).join(', ')}`);
  const clusters = new Set(envs.flatMap((e) => e.clusters.map((c) => c.name)));
  const contexts = new Map<string, string>();
  for (const pair of (flags['context-for'] as string[] | undefined) ?? []) {
    const m = /^([a-z][a-z0-9]{0,62})=(\S+)$/.exec(pair);
    if (!m) throw new UsageError(`--context-for takes <cluster>=<kube-context>, not "${pair}"; see --help`);
    if (!clusters.has(m[1]!)) throw new UsageError(`--context-for names cluster "${m[1]!}", which is not in ${envs.map((e) => e.name).join(', ')}; clusters: ${[...clusters].join(', ')}`);
    contexts.set(m[1]!, m[2]!);
  }
  let findings;
  try {
    findings = runPreflight(prerequisitesOf(topology, envs.map((e) => e.name)), contexts);
  } catch (e) {
    if (!(e instanceof KubectlUnavailable)) throw e;
    io.err(`meridian: ${e.message}\n`);
    return EXIT.ERROR;
  }
  io.out(formatFindings(findings));
  return findings.every((f) => f.ok) ? EXIT.OK : EXIT.ERROR;
}
