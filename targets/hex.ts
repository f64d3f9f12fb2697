// Bytes cross the contract as lowercase hex; these convert and validate at the boundary.

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(h: string, what = 'data'): Uint8Array {
  if (typeof h !== 'string' || h.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(h)) {
    throw new Error(`${what} must be an even-length hex string, got ${JSON.stringify(h).slice(0, 40)}`);
  }
  return new Uint8Array(Buffer.from(h, 'hex'));
}
