/**
 * A *restricted* unpickler: it understands only the opcodes (protocols 2–5, binary forms) that a
 * PyTorch state dict needs, and resolves globals only through an explicit allow-list supplied by
 * the caller. It never evaluates anything: an allowed global is a plain TS function, and every
 * other global (`os system`, `builtins eval`, `subprocess Popen`…), every object-construction opcode
 * (`INST`, `OBJ`, `NEWOBJ`, `EXT*`), `REDUCE` on anything not allowed and `BUILD` on anything that
 * does not declare a `build` is a one-line {@link PickleError}. Runs in time linear in the input.
 */
import { InputError } from '../util/errors';

/** A pickle we refuse or cannot parse; one line naming the file, the offset and the reason. */
export class PickleError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** A global the caller allows: callable through REDUCE, optionally BUILD-able instances. */
export interface PickleGlobal {
  readonly module: string;
  readonly name: string;
  /** Called by REDUCE with the argument tuple. Absent: the global may only be referenced (e.g. a storage type). */
  call?(args: unknown[]): unknown;
}

/** An object that accepts BUILD (setstate); e.g. an OrderedDict with `_metadata`. */
export interface PickleBuildable {
  pickleBuild(state: unknown): void;
}

export interface UnpickleOptions {
  /** Display name for errors. */
  file: string;
  /** Resolves `module.name`; undefined means "not allowed". */
  findGlobal(module: string, name: string): PickleGlobal | undefined;
  /** Resolves a persistent id (BINPERSID); throw to reject. */
  persistentLoad?(pid: unknown): unknown;
}

/** A tuple from the pickle (kept distinct from lists only by this marker). */
export type PyTuple = unknown[] & { readonly __tuple?: true };

const MARK = Symbol('mark');
const MAX_MEMO = 10_000_000;

const OPNAMES: Record<number, string> = {
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x50: 'PERSID',
  0x49: 'INT',
  0x4c: 'LONG',
  0x53: 'STRING',
  0x56: 'UNICODE',
  0x46: 'FLOAT',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
  0x64: 'DICT',
  0x6c: 'LIST',
  0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING',
  0x8b: 'LONG4',
  0x67: 'GET',
  0x70: 'PUT',
};

/** Unpickles `bytes` under the restrictions above. Returns the top-of-stack value at STOP. */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): unknown {
  const { file } = opts;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let p = 0;
  const fail = (msg: string, at = p): never => {
    throw new PickleError(`${file}: pickle byte ${at}: ${msg}`);
  };
  const need = (n: number): void => {
    if (n < 0 || p + n > bytes.length) fail(`truncated (needs ${n} more bytes, ${bytes.length - p} left)`);
  };
  const u8 = (): number => {
    need(1);
    return bytes[p++];
  };
  const u16 = (): number => {
    need(2);
    const v = dv.getUint16(p, true);
    p += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = dv.getUint32(p, true);
    p += 4;
    return v;
  };
  const u64 = (): number => {
    const lo = u32();
    const hi = u32();
    const v = hi * 2 ** 32 + lo;
    if (!Number.isSafeInteger(v)) fail('length too large');
    return v;
  };
  const text = (n: number): string => {
    need(n);
    try {
      return decoder.decode(bytes.subarray(p, (p += n)));
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0 || end - p > 1024) fail('unterminated GLOBAL name');
    const s = String.fromCharCode(...bytes.subarray(p, end));
    p = end + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail('stack underflow');
    const v = stack.pop();
    if (v === MARK) fail('unexpected MARK');
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) return fail('no MARK on the stack');
    const items = stack.splice(m);
    return items;
  };
  const resolveGlobal = (module: string, name: string, at: number): PickleGlobal => {
    const g = opts.findGlobal(module, name);
    if (!g)
      fail(`refers to global ${module}.${name}, which is not allowed (a checkpoint may only contain tensors)`, at);
    return g as PickleGlobal;
  };
  const setItem = (dict: unknown, k: unknown, v: unknown, at: number): void => {
    if (!(dict instanceof Map)) fail('SETITEM(S) on something that is not a dict', at);
    (dict as Map<unknown, unknown>).set(k, v);
  };
  const memoPut = (idx: number): void => {
    if (memo.size >= MAX_MEMO) fail('memo too large');
    memo.set(idx, top());
  };

  for (;;) {
    const at = p;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol', at);
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length > 0) fail(`STOP with ${stack.length} items on the stack`, at);
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: {
        // TUPLE
        const items = popMark();
        items.shift(); // the MARK itself
        stack.push(items);
        break;
      }
      case 0x85:
        stack.push([pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      } // TUPLE3
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND to something that is not a list', at);
        (list as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        items.shift();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS to something that is not a list', at);
        for (const v of items) (list as unknown[]).push(v);
        break;
      }
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItem(top(), k, v, at);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        items.shift();
        if (items.length % 2) fail('SETITEMS with an odd number of items', at);
        const dict = top();
        for (let i = 0; i < items.length; i += 2) setItem(dict, items[i], items[i + 1], at);
        break;
      }
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4a: {
        // BININT
        need(4);
        stack.push(dv.getInt32(p, true));
        p += 4;
        break;
      }
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x8a: {
        // LONG1
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[p + i]);
        if (n > 0 && bytes[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: {
        // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(p, false));
        p += 8;
        break;
      }
      case 0x58:
        stack.push(text(u32()));
        break; // BINUNICODE
      case 0x8c:
        stack.push(text(u8()));
        break; // SHORT_BINUNICODE
      case 0x8d:
        stack.push(text(u64()));
        break; // BINUNICODE8
      case 0x42: {
        const n = u32();
        need(n);
        stack.push(bytes.slice(p, (p += n)));
        break;
      } // BINBYTES
      case 0x43: {
        const n = u8();
        need(n);
        stack.push(bytes.slice(p, (p += n)));
        break;
      } // SHORT_BINBYTES
      case 0x8e: {
        const n = u64();
        need(n);
        stack.push(bytes.slice(p, (p += n)));
        break;
      } // BINBYTES8
      case 0x71:
        memoPut(u8());
        break; // BINPUT
      case 0x72:
        memoPut(u32());
        break; // LONG_BINPUT
      case 0x94:
        memoPut(memo.size);
        break; // MEMOIZE
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const idx = op === 0x68 ? u8() : u32();
        if (!memo.has(idx)) fail(`memo ${idx} is not defined`, at);
        stack.push(memo.get(idx));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name, at));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings', at);
        stack.push(resolveGlobal(module as string, name as string, at));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop() as PickleGlobal;
        if (!isGlobal(fn) || !fn.call)
          fail(
            `REDUCE on ${isGlobal(fn) ? `${fn.module}.${fn.name}` : 'something that is not an allowed callable'}, which may not be called`,
            at,
          );
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple', at);
        stack.push(fn.call!(args as unknown[]));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top() as Partial<PickleBuildable>;
        if (obj === null || typeof obj !== 'object' || typeof obj.pickleBuild !== 'function')
          fail('BUILD on an object that does not accept state', at);
        obj.pickleBuild!(state);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail('persistent ids are not allowed here', at);
        stack.push(opts.persistentLoad!(pid));
        break;
      }
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        stack.push(top());
        break; // DUP
      default:
        fail(
          `opcode ${OPNAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`} is not allowed in a checkpoint pickle`,
          at,
        );
    }
    if (stack.length > 1_000_000) fail('stack too deep');
  }
}

function isGlobal(v: unknown): v is PickleGlobal {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as PickleGlobal).module === 'string' &&
    typeof (v as PickleGlobal).name === 'string'
  );
}
