/**
 * The CLI's small command framework: verbs declare their flags, the parser turns argv into typed
 * values, and every user mistake becomes a {@link UsageError} — one line on stderr, exit code 2.
 * Verbs live one area per file in `verbs/` and are listed in `registry.ts`.
 */
import { InputError } from '../engine/util/errors';

/** Flag kinds. `strings` takes one or more values (`--corpus a.txt b.txt`), until the next `--flag`. */
export type FlagKind = 'string' | 'strings' | 'number' | 'int' | 'boolean';

export interface FlagSpec {
  kind: FlagKind;
  description: string;
  required?: boolean;
  /** Shown in help as the value placeholder, e.g. FILE, N, MIN:MAX:N. */
  placeholder?: string;
}

/** Parsed flag values, keyed by flag name without dashes. */
export type FlagValues = Record<string, string | string[] | number | boolean | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
  json: boolean;
}

/** Where a verb writes: results on stdout, progress and notes on stderr. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface VerbSpec {
  area: string;
  /** Empty for single-word commands such as `doctor`. */
  verb: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Positional arguments, for help text; `min` is enforced. */
  positionals?: { name: string; description: string; min?: number; variadic?: boolean };
  run(args: ParsedArgs, io: CliIO): Promise<number | void>;
}

/** Bad arguments or bad input: printed as one line, exit code 2. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses argv (after the area and verb) against a verb's flags. Throws UsageError on any mistake. */
export function parseArgs(spec: VerbSpec, argv: readonly string[]): ParsedArgs {
  const flags: FlagValues = {};
  const positionals: string[] = [];
  let json = false;
  const command = [spec.area, spec.verb].filter(Boolean).join(' ');
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--') || token === '--') {
      if (token === '--') {
        positionals.push(...argv.slice(i + 1));
        break;
      }
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : token.slice(eq + 1);
    if (name === 'json') {
      json = inline === undefined ? true : parseBoolean(inline, name);
      continue;
    }
    const flag = spec.flags[name];
    if (!flag) throw new UsageError(`unknown option --${name} for '${command}' (see sensescape ${command} --help)`);
    if (flag.kind === 'boolean') {
      flags[name] = inline === undefined ? true : parseBoolean(inline, name);
      continue;
    }
    if (flag.kind === 'strings') {
      const values = inline !== undefined ? [inline] : [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
      if (values.length === 0) throw new UsageError(`--${name} needs at least one ${flag.placeholder ?? 'value'}`);
      flags[name] = [...((flags[name] as string[] | undefined) ?? []), ...values];
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--'))
        throw new UsageError(`--${name} needs a value (${flag.placeholder ?? flag.kind})`);
      value = argv[++i];
    }
    if (flags[name] !== undefined) throw new UsageError(`--${name} was given twice`);
    flags[name] = convert(name, flag, value);
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.required && flags[name] === undefined)
      throw new UsageError(`'${command}' needs --${name} ${flag.placeholder ?? ''}`.trimEnd());
  }
  const min = spec.positionals?.min ?? 0;
  if (positionals.length < min)
    throw new UsageError(
      `'${command}' needs ${min > 1 ? `at least ${min} ` : ''}${spec.positionals?.name ?? 'arguments'}`,
    );
  if (!spec.positionals && positionals.length > 0)
    throw new UsageError(`unexpected argument '${positionals[0]}' for '${command}'`);
  if (spec.positionals && !spec.positionals.variadic && positionals.length > 1)
    throw new UsageError(`'${command}' takes one ${spec.positionals.name}, got ${positionals.length}`);
  return { flags, positionals, json };
}

function convert(name: string, flag: FlagSpec, value: string): string | number {
  if (flag.kind === 'string') return value;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${value}'`);
  if (flag.kind === 'int' && !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${value}'`);
  return n;
}

function parseBoolean(value: string, name: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new UsageError(`--${name} takes true or false, got '${value}'`);
}

/** Help text for one verb. */
export function verbHelp(spec: VerbSpec): string {
  const command = [spec.area, spec.verb].filter(Boolean).join(' ');
  const pos = spec.positionals ? ` ${spec.positionals.name}${spec.positionals.variadic ? '…' : ''}` : '';
  const lines = [`usage: sensescape ${command}${pos} [options]`, '', spec.summary, ''];
  if (spec.positionals) lines.push(`  ${spec.positionals.name.padEnd(28)} ${spec.positionals.description}`);
  for (const [name, flag] of Object.entries(spec.flags)) {
    const left = `--${name}${flag.kind === 'boolean' ? '' : ` ${flag.placeholder ?? flag.kind.toUpperCase()}${flag.kind === 'strings' ? '…' : ''}`}`;
    lines.push(`  ${left.padEnd(28)} ${flag.description}${flag.required ? ' (required)' : ''}`);
  }
  lines.push(`  ${'--json'.padEnd(28)} machine-readable JSON on stdout`);
  return lines.join('\n');
}

/** Typed getters for verbs, so `run` bodies stay short. */
export const arg = {
  string(a: ParsedArgs, name: string): string | undefined {
    return a.flags[name] as string | undefined;
  },
  requiredString(a: ParsedArgs, name: string): string {
    const v = a.flags[name];
    if (typeof v !== 'string') throw new UsageError(`--${name} is required`);
    return v;
  },
  strings(a: ParsedArgs, name: string): string[] {
    return (a.flags[name] as string[] | undefined) ?? [];
  },
  number(a: ParsedArgs, name: string, fallback: number): number {
    const v = a.flags[name];
    return typeof v === 'number' ? v : fallback;
  },
  optionalNumber(a: ParsedArgs, name: string): number | undefined {
    const v = a.flags[name];
    return typeof v === 'number' ? v : undefined;
  },
  boolean(a: ParsedArgs, name: string): boolean {
    return a.flags[name] === true;
  },
};
