/**
 * argv (after the area and verb) → the typed flag values a verb declared (command.ts): kinds
 * converted and checked, enum values and minimums enforced, defaults applied, required flags and
 * conflicting pairs named. Every mistake is a one-line UsageError.
 */
import { commandName, UsageError, type FlagSpec, type ParsedArgs, type VerbSpec } from './command';

type Value = string | string[] | number | boolean;

export function parseArgs(spec: VerbSpec, argv: readonly string[]): ParsedArgs {
  const flags: Record<string, Value | undefined> = {};
  const positionals: string[] = [];
  let json = false;
  const command = commandName(spec);
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
    const flag = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
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
  const given = new Set(Object.keys(flags));
  for (const [name, flag] of Object.entries(spec.flags)) {
    for (const other of flag.conflicts ?? [])
      if (given.has(name) && given.has(other)) throw new UsageError(`use either --${name} or --${other}, not both`);
    if (flags[name] !== undefined) continue;
    if (flag.required) throw new UsageError(`'${command}' needs --${name} ${flag.placeholder ?? ''}`.trimEnd());
    if (flag.default !== undefined) flags[name] = flag.default;
    else if (flag.kind === 'boolean') flags[name] = false;
    else if (flag.kind === 'strings') flags[name] = [];
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
  return { flags, positionals, json, given } as ParsedArgs;
}

function convert(name: string, flag: FlagSpec, value: string): string | number {
  if (flag.kind === 'string') return value;
  if (flag.kind === 'enum') {
    if (!flag.values?.includes(value))
      throw new UsageError(`--${name} must be ${listOf(flag.values ?? [])}, got '${value}'`);
    return value;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${value}'`);
  if (flag.kind === 'int' && !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${value}'`);
  if (flag.min !== undefined && n < flag.min)
    throw new UsageError(
      `--${name} must be ${flag.kind === 'int' ? 'an integer' : 'a number'} ≥ ${flag.min}, got ${value}`,
    );
  if (flag.max !== undefined && n > flag.max)
    throw new UsageError(`--${name} must be at most ${flag.max}, got ${value}`);
  return n;
}

/** "a, b or c". */
function listOf(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

function parseBoolean(value: string, name: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new UsageError(`--${name} takes true or false, got '${value}'`);
}
