// Bytes cross the contract as lowercase hex; these convert and validate at the boundary.

const HEX_CHARS = /^[0-9a-f]*$/;

// Buffer's native comparison, called on a plain array
const { equals } = Buffer.prototype;

/** bytes from which a one-byte fill takes a shortcut either way */
const FILL_MIN = 4096;

/** lowercase hex, two characters a byte: the protocol's Hex, checked by a scan (a capture per byte pair was slow on 64 KiB strings) */
export function isHex(s: string): boolean {
  return s.length % 2 === 0 && HEX_CHARS.test(s);
}

/** hex of `b`; a long one-byte fill (stale-media, zero and "x" x 4096 data) is sliced from the cached fill string, not encoded */
export function toHex(b: Uint8Array): string {
  // each byte equals the next: one comparison of the array with itself shifted by a byte, nothing allocated
  if (b.length >= FILL_MIN && b[0] === b[b.length - 1] && equals.call(b.subarray(0, b.length - 1), b.subarray(1))) return hexFill(b[0], b.length);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** per byte pair, the longest one-byte fill seen, as one flat string: shorter fills are slices of it (no copy) */
const fills = new Map<string, string>();

/** `len` bytes of `byte` as hex, sliced from a cached flat string (what zero fills and stale-byte fills send) */
export function hexFill(byte: number, len: number): string {
  const pair = byte.toString(16).padStart(2, '0');
  let fill = fills.get(pair);
  if (fill === undefined || fill.length < 2 * len) {
    if (fills.size >= 16) fills.clear();
    fills.set(pair, (fill = Buffer.alloc(len, byte).toString('hex')));
  }
  return fill.length === 2 * len ? fill : fill.slice(0, 2 * len);
}

/** the byte a long hex string repeats, if it is one byte repeated (comparing with a known fill is a memcmp; decoding hex is several times slower) */
function fillByte(h: string): number | undefined {
  if (h.length < 2 * FILL_MIN || h.length % 2 !== 0) return undefined;
  const pair = h.slice(0, 2);
  if (h.slice(-2) !== pair || !/^[0-9a-f]{2}$/.test(pair)) return undefined;
  const byte = parseInt(pair, 16);
  return h === hexFill(byte, h.length / 2) ? byte : undefined;
}

/** per byte value, the longest fill decoded for reading so far: shorter fills are views of it */
const fillBuffers = new Map<number, Uint8Array>();

/**
 * fromHex for bytes the callee only reads (a write's payload): a one-byte fill is a view of a cached
 * buffer instead of a new one (stale-media and zero fills send MiBs of them). Never write into the result.
 */
export function fromHexToRead(h: string, what = 'data'): Uint8Array {
  const byte = typeof h === 'string' ? fillByte(h) : undefined;
  if (byte === undefined) return decodeHex(h, what);
  return fillBuffer(byte, h.length / 2);
}

/** `len` bytes of `byte`, a view of the longest such fill made so far (never written) */
function fillBuffer(byte: number, len: number): Uint8Array {
  let buf = fillBuffers.get(byte);
  if (buf === undefined || buf.length < len) {
    if (fillBuffers.size >= 16) fillBuffers.clear();
    fillBuffers.set(byte, (buf = new Uint8Array(len).fill(byte)));
  }
  return buf.subarray(0, len);
}

export function fromHex(h: string, what = 'data'): Uint8Array {
  const byte = typeof h === 'string' ? fillByte(h) : undefined;
  if (byte !== undefined) return new Uint8Array(h.length / 2).fill(byte);
  return decodeHex(h, what);
}

/** hex that is not a one-byte fill (both callers have asked fillByte already), decoded and validated */
function decodeHex(h: string, what: string): Uint8Array {
  // Buffer stops decoding at the first pair that is not hex: a short result is the validation (a regex over MiB strings was slow)
  const b = typeof h === 'string' && h.length % 2 === 0 ? Buffer.from(h, 'hex') : undefined;
  if (!b || b.length * 2 !== h.length) {
    throw new Error(`${what} must be an even-length hex string, got ${JSON.stringify(h).slice(0, 40)}`);
  }
  // a Buffer above half the pool size owns its memory: view it rather than copy it
  return b.length > Buffer.poolSize >>> 1 ? new Uint8Array(b.buffer, b.byteOffset, b.length) : new Uint8Array(b);
}
