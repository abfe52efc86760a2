/**
 * Strict streaming gunzip: RFC 1952 members over RFC 1951 deflate, checked the way zlib checks
 * them. Hand-written because it parses untrusted files and must refuse what zlib refuses: fflate,
 * used before, decodes over-subscribed and incomplete Huffman code sets that zlib rejects (the fuzz
 * suite found such files among 10,000 bit flips of a corpus .gz — they decoded to the original bytes,
 * but they are not valid deflate). Refused, as zlib does: a bad magic, method or reserved flag; a
 * header CRC that does not match; block type 3; a stored block whose length and its complement
 * disagree; too many length or distance symbols; an over-subscribed code, or an incomplete one
 * (allowed only for a single code of length 1, as zlib allows); a code-length repeat with nothing to
 * repeat or past the end; a missing end-of-block code; literal/length codes 286–287 and distance codes
 * 30–31; a distance before the start of the member; every member's CRC-32 and length (ISIZE) against
 * its trailer; a stream that ends early; bytes after the last member that do not start another one.
 *
 * Input may arrive in pieces of any size ({@link GunzipStrict.push}); output is delivered in chunks of
 * about 64 KiB through `onData`, with the last 32 KiB kept as the match window. Huffman codes are
 * decoded through one lookup table per code (2^maxLength entries of symbol << 4 | length).
 */
import { crc32 } from './crc32';
import { GzipError, gzipHeaderEnd } from './gzipHeader';
import { buildTable, CL_ORDER, DIST_BASE, DIST_EXTRA, FIXED_DIST, FIXED_LIT, LEN_BASE, LEN_EXTRA } from './huffman';
import type { HuffTable } from './huffman';

const WINDOW = 1 << 15;
const CHUNK = 1 << 16;
/** Bytes a dynamic block header can take at most (14 + 19·3 + 316·14 bits), so it is parsed whole. */
const HEADER_BYTES = 600;
/** Bytes one literal/length + distance symbol can take at most (15 + 5 + 15 + 13 bits, rounded up). */
const SYMBOL_BYTES = 8;

type Stage = 'member' | 'block' | 'stored' | 'codes' | 'trailer' | 'between';

/**
 * Streaming strict gunzip. `push(data, final)` feeds input; decoded bytes go to `onData`. Throws
 * {@link GzipError} on the first fault; after that the object is unusable.
 */
export class GunzipStrict {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private bitBuf = 0;
  private bitCnt = 0;
  private stage: Stage = 'member';
  private last = false;
  private storedLeft = 0;
  private lit: HuffTable = FIXED_LIT;
  private dist: HuffTable = FIXED_DIST;
  private readonly out = new Uint8Array(WINDOW + CHUNK + 258);
  private outPos = 0;
  private flushFrom = 0;
  private memberOut = 0;
  private crc = 0;
  private member = 1;

  constructor(private readonly onData: (chunk: Uint8Array) => void) {}

  /** Feeds the next input bytes; `final` says no more will come (then a short stream is refused). */
  push(data: Uint8Array, final: boolean): void {
    const rest = this.buf.length - this.pos;
    if (rest === 0) this.buf = data;
    else if (data.length) {
      const joined = new Uint8Array(rest + data.length);
      joined.set(this.buf.subarray(this.pos));
      joined.set(data, rest);
      this.buf = joined;
    } else this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
    for (;;) {
      const avail = this.buf.length - this.pos;
      switch (this.stage) {
        case 'member':
          if (!this.readMemberHeader(final)) return;
          break;
        case 'block':
          if (this.last) {
            this.stage = 'trailer';
            break;
          }
          if (!final && avail < HEADER_BYTES) return;
          this.readBlockHeader();
          break;
        case 'stored':
          if (!this.copyStored(final)) return;
          break;
        case 'codes':
          if (!this.decodeCodes(final)) return;
          break;
        case 'trailer':
          if (!this.readTrailer(final)) return;
          break;
        case 'between':
          if (avail === 0 && this.bitCnt === 0) {
            if (final) this.flush();
            return;
          }
          if (avail < 2 && !final) return;
          if (this.buf[this.pos] !== 0x1f || this.buf[this.pos + 1] !== 0x8b)
            throw this.fail('trailing', `${avail} byte${avail === 1 ? '' : 's'} after the end of the gzip stream`);
          this.member++;
          this.stage = 'member';
          break;
      }
    }
  }

  private fail(kind: GzipError['kind'], message: string): GzipError {
    return new GzipError(kind, message, this.member);
  }

  private truncated(): GzipError {
    return this.fail('truncated', 'the file ends early (truncated download?)');
  }

  /** Takes `n` ≤ 16 bits (LSB first); past the input's end, zero bits are counted and refused. */
  private bits(n: number): number {
    while (this.bitCnt < n) {
      if (this.pos >= this.buf.length) throw this.truncated();
      this.bitBuf |= this.buf[this.pos++] << this.bitCnt;
      this.bitCnt += 8;
    }
    const v = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCnt -= n;
    return v;
  }

  /** Decodes one symbol of `h` with {@link bits}' refill (used for block headers only). */
  private symbol(h: HuffTable, what: string): number {
    while (this.bitCnt < h.bits && this.pos < this.buf.length) {
      this.bitBuf |= this.buf[this.pos++] << this.bitCnt;
      this.bitCnt += 8;
    }
    const e = h.table[this.bitBuf & ((1 << h.bits) - 1)];
    const len = e & 15;
    if (len === 0) throw this.fail('corrupt', `invalid ${what} code`);
    if (len > this.bitCnt) throw this.truncated();
    this.bitBuf >>>= len;
    this.bitCnt -= len;
    return e >> 4;
  }

  /** The gzip member header (RFC 1952 §2.3); false when more input is needed. */
  private readMemberHeader(final: boolean): boolean {
    const p = gzipHeaderEnd(this.buf, this.pos, final, this.member);
    if (p === null) return false;
    this.pos = p;
    this.bitBuf = 0;
    this.bitCnt = 0;
    this.last = false;
    this.memberOut = 0;
    this.crc = 0;
    this.stage = 'block';
    return true;
  }

  /** A block header (RFC 1951 §3.2.3–3.2.7): stored length, fixed codes, or dynamic code lengths. */
  private readBlockHeader(): void {
    this.last = this.bits(1) === 1;
    const type = this.bits(2);
    if (type === 0) {
      const drop = this.bitCnt & 7;
      this.bitBuf >>>= drop;
      this.bitCnt -= drop;
      const len = this.bits(16);
      const nlen = this.bits(16);
      if ((len ^ 0xffff) !== nlen) throw this.fail('corrupt', 'invalid stored block lengths');
      this.storedLeft = len;
      this.stage = 'stored';
      return;
    }
    if (type === 1) {
      this.lit = FIXED_LIT;
      this.dist = FIXED_DIST;
      this.stage = 'codes';
      return;
    }
    if (type === 3) throw this.fail('corrupt', 'invalid block type');
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw this.fail('corrupt', 'too many length or distance symbols');
    const clLengths = new Uint8Array(19);
    for (let i = 0; i < ncode; i++) clLengths[CL_ORDER[i]] = this.bits(3);
    const cl = buildTable(clLengths, 'code-length');
    if (typeof cl === 'string') throw this.fail('corrupt', cl);
    const lengths = new Uint8Array(nlen + ndist);
    for (let i = 0; i < lengths.length;) {
      const sym = this.symbol(cl, 'code-length');
      if (sym < 16) {
        lengths[i++] = sym;
        continue;
      }
      let value = 0;
      let repeat: number;
      if (sym === 16) {
        if (i === 0) throw this.fail('corrupt', 'invalid bit length repeat');
        value = lengths[i - 1];
        repeat = 3 + this.bits(2);
      } else if (sym === 17) repeat = 3 + this.bits(3);
      else repeat = 11 + this.bits(7);
      if (i + repeat > lengths.length) throw this.fail('corrupt', 'invalid bit length repeat');
      lengths.fill(value, i, i + repeat);
      i += repeat;
    }
    if (lengths[256] === 0) throw this.fail('corrupt', 'invalid code -- missing end-of-block');
    const lit = buildTable(lengths.subarray(0, nlen), 'literal/length');
    if (typeof lit === 'string') throw this.fail('corrupt', lit);
    const dist = buildTable(lengths.subarray(nlen), 'distance');
    if (typeof dist === 'string') throw this.fail('corrupt', dist);
    this.lit = lit;
    this.dist = dist;
    this.stage = 'codes';
  }

  /** Copies a stored block's bytes; false when more input is needed. */
  private copyStored(final: boolean): boolean {
    // whole bytes still in the bit buffer come first (none with this reader's refill, kept for safety)
    while (this.bitCnt >= 8 && this.storedLeft > 0) {
      if (this.outPos >= WINDOW + CHUNK) this.flush();
      this.out[this.outPos++] = this.bitBuf & 0xff;
      this.bitBuf >>>= 8;
      this.bitCnt -= 8;
      this.memberOut++;
      this.storedLeft--;
    }
    while (this.storedLeft > 0) {
      const avail = this.buf.length - this.pos;
      if (avail === 0) {
        if (final) throw this.truncated();
        return false;
      }
      if (this.outPos >= WINDOW + CHUNK) this.flush();
      const n = Math.min(this.storedLeft, avail, WINDOW + CHUNK - this.outPos);
      this.out.set(this.buf.subarray(this.pos, this.pos + n), this.outPos);
      this.pos += n;
      this.outPos += n;
      this.memberOut += n;
      this.storedLeft -= n;
    }
    this.stage = 'block';
    return true;
  }

  /**
   * Decodes literal/length and distance symbols until the end-of-block code (true) or until fewer
   * than {@link SYMBOL_BYTES} input bytes are left and more may come (false; resumes at that symbol).
   */
  private decodeCodes(final: boolean): boolean {
    const buf = this.buf;
    const end = buf.length;
    const out = this.out;
    const litT = this.lit.table;
    const litMask = (1 << this.lit.bits) - 1;
    const litBits = this.lit.bits;
    const distT = this.dist.table;
    const distMask = (1 << this.dist.bits) - 1;
    const distBits = this.dist.bits;
    const flushAt = WINDOW + CHUNK;
    let pos = this.pos;
    let bitBuf = this.bitBuf;
    let bitCnt = this.bitCnt;
    let outPos = this.outPos;
    let memberOut = this.memberOut;
    let over = 0; // zero bits read past the end of a final stream (refused if consumed)
    let done = false;
    for (;;) {
      if (!final && end - pos < SYMBOL_BYTES) break;
      if (outPos >= flushAt) {
        this.outPos = outPos;
        this.flush();
        outPos = this.outPos;
      }
      // literal/length symbol (≤ 15 bits, then ≤ 5 extra)
      while (bitCnt < litBits) {
        if (pos < end) bitBuf |= buf[pos++] << bitCnt;
        else over += 8;
        bitCnt += 8;
      }
      let e = litT[bitBuf & litMask];
      let len = e & 15;
      if (len === 0) throw over ? this.truncated() : this.fail('corrupt', 'invalid literal/length code');
      bitBuf >>>= len;
      bitCnt -= len;
      if (bitCnt < over) throw this.truncated();
      const sym = e >> 4;
      if (sym < 256) {
        out[outPos++] = sym;
        memberOut++;
        continue;
      }
      if (sym === 256) {
        done = true;
        break;
      }
      const li = sym - 257;
      if (li >= 29) throw this.fail('corrupt', 'invalid literal/length code');
      let length = LEN_BASE[li];
      const lx = LEN_EXTRA[li];
      if (lx) {
        while (bitCnt < lx) {
          if (pos < end) bitBuf |= buf[pos++] << bitCnt;
          else over += 8;
          bitCnt += 8;
        }
        length += bitBuf & ((1 << lx) - 1);
        bitBuf >>>= lx;
        bitCnt -= lx;
      }
      // distance symbol (≤ 15 bits, then ≤ 13 extra)
      while (bitCnt < distBits) {
        if (pos < end) bitBuf |= buf[pos++] << bitCnt;
        else over += 8;
        bitCnt += 8;
      }
      e = distT[bitBuf & distMask];
      len = e & 15;
      if (len === 0) throw over ? this.truncated() : this.fail('corrupt', 'invalid distance code');
      bitBuf >>>= len;
      bitCnt -= len;
      const di = e >> 4;
      if (di >= 30) throw this.fail('corrupt', 'invalid distance code');
      let distance = DIST_BASE[di];
      const dx = DIST_EXTRA[di];
      if (dx) {
        while (bitCnt < dx) {
          if (pos < end) bitBuf |= buf[pos++] << bitCnt;
          else over += 8;
          bitCnt += 8;
        }
        distance += bitBuf & ((1 << dx) - 1);
        bitBuf >>>= dx;
        bitCnt -= dx;
      }
      if (bitCnt < over) throw this.truncated();
      if (distance > memberOut) throw this.fail('corrupt', 'invalid distance too far back');
      let from = outPos - distance;
      for (let k = 0; k < length; k++) out[outPos++] = out[from++];
      memberOut += length;
    }
    // give back whole bytes still in the bit buffer that came from zero padding past the end
    if (over) {
      const real = bitCnt - over;
      bitBuf &= real > 0 ? (1 << real) - 1 : 0;
      bitCnt = real;
    }
    this.pos = pos;
    this.bitBuf = bitBuf;
    this.bitCnt = bitCnt;
    this.outPos = outPos;
    this.memberOut = memberOut;
    if (done) this.stage = 'block';
    return done;
  }

  /** The member's trailer: CRC-32 and ISIZE of its output; false when more input is needed. */
  private readTrailer(final: boolean): boolean {
    const drop = this.bitCnt & 7;
    this.bitBuf >>>= drop;
    this.bitCnt -= drop;
    // whole bytes left in the bit buffer are the trailer's first bytes (they may predate this buffer)
    const held = this.bitCnt >> 3;
    if (this.buf.length - this.pos < 8 - held) {
      if (final) throw this.truncated();
      return false;
    }
    const t = new Uint8Array(8);
    for (let i = 0; i < held; i++) t[i] = (this.bitBuf >>> (8 * i)) & 0xff;
    t.set(this.buf.subarray(this.pos, this.pos + 8 - held), held);
    this.pos += 8 - held;
    this.bitBuf = 0;
    this.bitCnt = 0;
    this.flush();
    const wantCrc = (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0;
    const wantSize = (t[4] | (t[5] << 8) | (t[6] << 16) | (t[7] << 24)) >>> 0;
    if (wantCrc !== this.crc || wantSize !== this.memberOut % 2 ** 32)
      throw this.fail('trailer', 'CRC-32 or length does not match its trailer');
    this.stage = 'between';
    return true;
  }

  /** Emits the bytes decoded since the last flush and keeps the last 32 KiB as the window. */
  private flush(): void {
    if (this.outPos > this.flushFrom) {
      const chunk = this.out.slice(this.flushFrom, this.outPos);
      this.crc = crc32(chunk, this.crc);
      this.onData(chunk);
    }
    if (this.outPos > WINDOW) {
      this.out.copyWithin(0, this.outPos - WINDOW, this.outPos);
      this.outPos = WINDOW;
    }
    this.flushFrom = this.outPos;
  }
}
