/**
 * `sensescape <area> <verb> [options]` — the Node CLI over src/engine.
 * Results go to stdout (JSON with --json), progress to stderr. Bad arguments or bad input files
 * exit with code 2 and one line saying what is wrong; anything else unexpected exits with 1.
 */
import { AREAS } from './registry';
import { UsageError, verbHelp, type CliIO, type VerbSpec } from './command';
import { parseArgs } from './parseArgs';
import { SOFTWARE_VERSION } from '../engine/version';
import { isInputError } from '../engine/util/errors';

// `sensescape … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

function mainHelp(): string {
  const lines = [
    `sensescape ${SOFTWARE_VERSION} — Word2Sense sense embeddings and BERT loss landscapes, locally.`,
    '',
    'usage: sensescape <area> <verb> [options]     (sensescape <area> <verb> --help for options)',
    '',
  ];
  for (const area of AREAS) {
    lines.push(`${area.name}: ${area.summary}`);
    for (const v of area.verbs)
      lines.push(`  sensescape ${[v.area, v.verb].filter(Boolean).join(' ').padEnd(26)} ${v.summary}`);
    if (area.verbs.length === 0) lines.push('  (no verbs yet)');
  }
  lines.push('', 'Global options: --json (JSON on stdout), --help.');
  return lines.join('\n');
}

function findVerb(argv: string[]): { spec: VerbSpec; rest: string[] } {
  const [areaName, verbName] = argv;
  const area = AREAS.find((a) => a.name === areaName);
  if (!area)
    throw new UsageError(
      `unknown command '${areaName}' (areas: ${AREAS.map((a) => a.name).join(', ')}; see sensescape --help)`,
    );
  const single = area.verbs.find((v) => v.verb === '');
  if (single) return { spec: single, rest: argv.slice(1) };
  if (verbName === undefined || verbName.startsWith('-')) {
    throw new UsageError(`'${areaName}' needs a verb: ${area.verbs.map((v) => v.verb).join(', ') || '(none yet)'}`);
  }
  const spec = area.verbs.find((v) => v.verb === verbName);
  if (!spec)
    throw new UsageError(
      `unknown verb '${areaName} ${verbName}' (verbs: ${area.verbs.map((v) => v.verb).join(', ') || 'none yet'})`,
    );
  return { spec, rest: argv.slice(2) };
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code. `out` replaces
 * stdout/stderr (the fuzz suite and tests call the CLI in-process this way).
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.stdout(mainHelp());
      return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] === '--version') {
      io.stdout(SOFTWARE_VERSION);
      return 0;
    }
    const { spec, rest } = findVerb(argv);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(verbHelp(spec));
      return 0;
    }
    const args = parseArgs(spec, rest);
    const code = await spec.run(args, io);
    return code ?? 0;
  } catch (err) {
    if (err instanceof UsageError || isInputError(err)) {
      io.stderr(`sensescape: ${(err as Error).message.split('\n')[0]}`);
      return 2;
    }
    io.stderr(`sensescape: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
