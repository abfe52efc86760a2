/**
 * The CLI's small command framework: a verb declares its flags (kind, default, enum values, minimum)
 * and `defineVerb` infers the type of every flag value from that declaration, so a verb's `run`
 * reads `args.flags.out` as a `string`, `args.flags.senses` as a `number`, `args.flags.init` as
 * `'anchors' | 'random' | 'rows'` — never a lookup by a flag-name string. Parsing (parseArgs.ts)
 * turns argv into those values, applying defaults and checking kinds, enums and minimums; every user
 * mistake becomes a {@link UsageError} — one line on stderr, exit code 2. Verbs live one area per
 * file (or folder) in `verbs/` and are listed in `registry.ts`.
 */
import { InputError } from '../engine/util/errors';

/** Flag kinds. `strings` takes one or more values (`--corpus a.txt b.txt`), until the next `--flag`. */
export type FlagKind = 'string' | 'strings' | 'number' | 'int' | 'boolean' | 'enum';

export interface FlagSpec {
  kind: FlagKind;
  description: string;
  required?: boolean;
  /** Shown in help as the value placeholder, e.g. FILE, N, MIN:MAX:N. */
  placeholder?: string;
  /** The value when the flag is not given (shown in help). */
  default?: string | number | boolean;
  /** The allowed values of an `enum` flag. */
  values?: readonly string[];
  /** Smallest allowed value of a `number`/`int` flag. */
  min?: number;
  /** Largest allowed value of a `number`/`int` flag. */
  max?: number;
  /** Flag names this one may not be combined with. */
  conflicts?: readonly string[];
}

type BaseValue<F> = F extends { kind: 'boolean' }
  ? boolean
  : F extends { kind: 'strings' }
    ? string[]
    : F extends { kind: 'number' | 'int' }
      ? number
      : F extends { kind: 'enum'; values: readonly (infer E)[] }
        ? E
        : string;
type Always<F> = F extends { kind: 'boolean' | 'strings' }
  ? true
  : F extends { required: true }
    ? true
    : F extends { default: string | number | boolean }
      ? true
      : false;

/** The parsed value of each flag of `S`: present (required, defaulted, boolean, list) or possibly undefined. */
export type FlagValues<S extends Record<string, FlagSpec>> = {
  [K in keyof S]: Always<S[K]> extends true ? BaseValue<S[K]> : BaseValue<S[K]> | undefined;
};

export interface ParsedArgs<S extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  flags: FlagValues<S>;
  positionals: string[];
  json: boolean;
  /** The flags the user actually gave (defaults not counted). */
  given: ReadonlySet<string>;
}

/** Where a verb writes: results on stdout, progress and notes on stderr. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface VerbSpec<S extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  area: string;
  /** Empty for single-word commands such as `doctor`. */
  verb: string;
  summary: string;
  flags: S;
  /** Positional arguments, for help text; `min` is enforced. */
  positionals?: { name: string; description: string; min?: number; variadic?: boolean };
  run(args: ParsedArgs<S>, io: CliIO): Promise<number | void>;
}

/** Declares a verb, keeping the literal types of its flags so `run` sees typed values. */
export function defineVerb<const S extends Record<string, FlagSpec>>(spec: VerbSpec<S>): VerbSpec {
  return spec as unknown as VerbSpec;
}

/** Bad arguments or bad input: printed as one line, exit code 2. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `area verb`, as the user types it. */
export const commandName = (spec: Pick<VerbSpec, 'area' | 'verb'>): string =>
  [spec.area, spec.verb].filter(Boolean).join(' ');

/** Help text for one verb. */
export function verbHelp(spec: VerbSpec): string {
  const command = commandName(spec);
  const pos = spec.positionals ? ` ${spec.positionals.name}${spec.positionals.variadic ? '…' : ''}` : '';
  const lines = [`usage: sensescape ${command}${pos} [options]`, '', spec.summary, ''];
  if (spec.positionals) lines.push(`  ${spec.positionals.name.padEnd(28)} ${spec.positionals.description}`);
  for (const [name, flag] of Object.entries(spec.flags)) {
    const placeholder = flag.placeholder ?? (flag.kind === 'enum' ? flag.values?.join('|') : flag.kind.toUpperCase());
    const left = `--${name}${flag.kind === 'boolean' ? '' : ` ${placeholder}${flag.kind === 'strings' ? '…' : ''}`}`;
    lines.push(`  ${left.padEnd(28)} ${flag.description}${flag.required ? ' (required)' : ''}`);
  }
  lines.push(`  ${'--json'.padEnd(28)} machine-readable JSON on stdout`);
  return lines.join('\n');
}

/**
 * Untyped getters for verbs still declared as a plain `VerbSpec` (being converted to
 * {@link defineVerb}; new verbs must not use these).
 */
export const arg = {
  string(a: ParsedArgs, name: string): string | undefined {
    return (a.flags as Record<string, unknown>)[name] as string | undefined;
  },
  requiredString(a: ParsedArgs, name: string): string {
    const v = (a.flags as Record<string, unknown>)[name];
    if (typeof v !== 'string') throw new UsageError(`--${name} is required`);
    return v;
  },
  strings(a: ParsedArgs, name: string): string[] {
    return ((a.flags as Record<string, unknown>)[name] as string[] | undefined) ?? [];
  },
  number(a: ParsedArgs, name: string, fallback: number): number {
    const v = (a.flags as Record<string, unknown>)[name];
    return typeof v === 'number' ? v : fallback;
  },
  optionalNumber(a: ParsedArgs, name: string): number | undefined {
    const v = (a.flags as Record<string, unknown>)[name];
    return typeof v === 'number' ? v : undefined;
  },
  boolean(a: ParsedArgs, name: string): boolean {
    return (a.flags as Record<string, unknown>)[name] === true;
  },
};
