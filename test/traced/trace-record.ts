// One record of the trace plugin's binary stream (linux/plugin/pmem-trace.c's 24-byte header, then the bytes), for the trace tests.
export function rec(kind: number, sub: number, dev: number, off: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(24);
  h[0] = kind;
  h[1] = sub;
  h.writeUInt16LE(data.length, 2);
  h.writeUInt32LE(dev, 4);
  h.writeBigUInt64LE(BigInt(off), 8);
  return Buffer.concat([h, data]);
}
