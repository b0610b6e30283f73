// Command line: argument parsing, output and exit codes. The only place with terminal colour and exit codes.
import { parseArgs } from 'node:util';
import { synthToDisk } from '../main';
import { OutputValidationError } from '../synth/synthesize';
import { TopologyError } from '../topology';
import { formatSynthSummary } from './summary';
import { style } from './style';

export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, CHANGES: 3 } as const;

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
    usage: `Usage: meridian synth [--env <name>] [--environments <dir>] [--out <dir>] [--quiet]

Reads every environment file, checks it, synthesizes one folder per cluster plus argocd/, validates
every object against its schema, and only then replaces the output folder. On any error nothing is
written and the exit code is 1.

${COMMON}
  -q, --quiet             print nothing on success`,
    run: synth,
  },
};

export function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return `meridian: Kubernetes bundles for active/active stateful workloads across clusters

Usage: meridian <command> [options]

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`).join('\n')}

Run 'meridian <command> --help' for the options of a command.
`;
}

export function main(argv: readonly string[], io: Io = processIo): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(usage());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
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
    io.err(`${e.problems.map((p) => `${s.bold(`${p.source}:${p.line}:${p.col}`)}: ${p.path === '' ? '' : `${s.yellow(p.path)}: `}${p.message}`).join('\n')}\n`);
    io.err(`${s.red(`${e.problems.length} problem(s) in the environment files`)}; nothing was written\n`);
    return EXIT.ERROR;
  }
  if (e instanceof OutputValidationError) {
    io.err(`${e.violations.join('\n')}\n${s.red(`${e.violations.length} problem(s) in the generated output`)}; nothing was written\n`);
    return EXIT.ERROR;
  }
  if (e instanceof UsageError) {
    io.err(`meridian: ${e.message}\n`);
    return EXIT.USAGE;
  }
  io.err(`meridian: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT.ERROR;
}

export class UsageError extends Error {}

function parse(args: string[], extra: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: { env: { type: 'string' }, environments: { type: 'string' }, out: { type: 'string' }, ...extra },
    });
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\.$/, '')}; see --help`);
  }
}

function synth(args: string[], io: Io): number {
  const flags = parse(args, { quiet: { type: 'boolean', short: 'q' } });
  const started = process.hrtime.bigint();
  const result = synthToDisk({
    ...(typeof flags.environments === 'string' ? { envDir: flags.environments } : {}),
    ...(typeof flags.out === 'string' ? { outDir: flags.out } : {}),
    ...(typeof flags.env === 'string' ? { environment: flags.env } : {}),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!flags.quiet) io.out(formatSynthSummary(result, seconds, style(io.color)));
  return EXIT.OK;
}
