// Bytes cross the contract as lowercase hex; these convert and validate at the boundary.

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(h: string, what = 'data'): Uint8Array {
  // Buffer stops decoding at the first pair that is not hex: a short result is the validation (a regex over MiB strings was slow)
  const b = typeof h === 'string' && h.length % 2 === 0 ? Buffer.from(h, 'hex') : undefined;
  if (!b || b.length * 2 !== h.length) {
    throw new Error(`${what} must be an even-length hex string, got ${JSON.stringify(h).slice(0, 40)}`);
  }
  return new Uint8Array(b);
}
