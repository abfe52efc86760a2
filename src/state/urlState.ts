/**
 * Typed view state in the URL hash (DESIGN.md "Typed URL state"): one versioned table of
 * parameters, each with a type, a default and clamping, so a shared or hand-edited link always
 * parses to a valid view (`#view=senses&word=bank&sense=12&lambda=0.6`). Unknown keys are ignored;
 * out-of-range numbers are clamped; defaults are left out when serialising, keeping links short.
 */

/** One parameter's codec. */
export interface ParamCodec<T> {
  default: T;
  parse(raw: string): T | undefined;
  format(value: T): string;
  clamp?(value: T): T;
}

export const param = {
  string(defaultValue = '', maxLength = 200): ParamCodec<string> {
    return { default: defaultValue, parse: (raw) => raw.slice(0, maxLength), format: (v) => v };
  },
  number(defaultValue: number, min = -Infinity, max = Infinity): ParamCodec<number> {
    return {
      default: defaultValue,
      parse: (raw) => (raw.trim() === '' || !Number.isFinite(Number(raw)) ? undefined : Number(raw)),
      format: (v) => String(v),
      clamp: (v) => Math.min(max, Math.max(min, v)),
    };
  },
  int(defaultValue: number, min = -Infinity, max = Infinity): ParamCodec<number> {
    return {
      default: defaultValue,
      parse: (raw) => (/^-?\d+$/.test(raw.trim()) ? Number.parseInt(raw, 10) : undefined),
      format: (v) => String(v),
      clamp: (v) => Math.min(max, Math.max(min, Math.round(v))),
    };
  },
  boolean(defaultValue = false): ParamCodec<boolean> {
    return {
      default: defaultValue,
      parse: (raw) => (raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined),
      format: (v) => (v ? '1' : '0'),
    };
  },
  oneOf<T extends string>(values: readonly T[], defaultValue: T): ParamCodec<T> {
    return {
      default: defaultValue,
      parse: (raw) => ((values as readonly string[]).includes(raw) ? (raw as T) : undefined),
      format: (v) => v,
    };
  },
};

export type Table = Record<string, ParamCodec<unknown>>;
export type StateOf<T extends Table> = { [K in keyof T]: T[K] extends ParamCodec<infer V> ? V : never };

/** The hash's schema version; bump it when a parameter changes meaning, and migrate in `parseHash`. */
export const URL_STATE_VERSION = 1;

/** Parses `#a=1&b=x` against a table; invalid values fall back to defaults, numbers are clamped. */
export function parseHash<T extends Table>(table: T, hash: string): StateOf<T> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const out: Record<string, unknown> = {};
  for (const [key, codec] of Object.entries(table)) {
    const raw = params.get(key);
    let value = raw === null ? undefined : codec.parse(raw);
    if (value === undefined) value = codec.default;
    out[key] = codec.clamp ? codec.clamp(value) : value;
  }
  return out as StateOf<T>;
}

/** Serialises state to a hash (without '#'), omitting defaults; the version is written when anything is. */
export function formatHash<T extends Table>(table: T, state: Partial<StateOf<T>>): string {
  const params = new URLSearchParams();
  for (const [key, codec] of Object.entries(table)) {
    const value = (state as Record<string, unknown>)[key];
    if (value === undefined || value === codec.default) continue;
    params.set(key, codec.format(codec.clamp ? codec.clamp(value) : value));
  }
  const text = params.toString();
  return text ? `v=${URL_STATE_VERSION}&${text}` : '';
}
