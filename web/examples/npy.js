// Reads NumPy .npy files (version 1 to 3, C order, little-endian) as the package's
// tensors: { data: TypedArray, shape: number[], dtype }.

const ARRAYS = {
  "<f4": ["f32", Float32Array],
  "<i4": ["i32", Int32Array],
  "<i8": ["i64", BigInt64Array],
  "|b1": ["bool", Uint8Array],
  "|u1": ["bool", Uint8Array],
};

export function parseNpy(buffer, name = "array") {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== "\x93NUMPY") throw new Error(`${name} is not a .npy file`);
  const view = new DataView(buffer);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!(descr in ARRAYS)) throw new Error(`${name}: unsupported dtype ${descr}`);
  if (fortran) throw new Error(`${name}: Fortran order is not supported`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const [dtype, Type] = ARRAYS[descr];
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  if (buffer.byteLength - offset < count * Type.BYTES_PER_ELEMENT) {
    throw new Error(`${name}: the header claims ${count} elements, the file is shorter`);
  }
  // Copied, so that the data is aligned whatever the header length.
  const data = new Type(buffer.slice(offset, offset + count * Type.BYTES_PER_ELEMENT));
  return { data, shape, dtype };
}
