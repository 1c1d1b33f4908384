/**
 * Thrift's compact protocol, only what a Parquet footer and page header need
 * (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md):
 * structs of i32, i64, binary, booleans, nested structs and lists of them.
 */

export type ThriftValue =
  | { i32: number }
  | { i64: number }
  | { bool: boolean }
  | { binary: string }
  | { struct: ThriftStruct }
  | { list: 'i32'; of: number[] }
  | { list: 'binary'; of: string[] }
  | { list: 'struct'; of: ThriftStruct[] };

/** Fields by id; an undefined value is left out (an unset optional field). */
export type ThriftStruct = Array<[id: number, value: ThriftValue | undefined]>;

// The compact protocol's type ids.
const [BOOLEAN_TRUE, BOOLEAN_FALSE, I32, I64, BINARY, LIST, STRUCT] = [1, 2, 5, 6, 8, 9, 12];

const ELEMENT = { i32: I32, binary: BINARY, struct: STRUCT } as const;

/** Encodes one struct. Whole numbers up to ±2^53 (offsets, counts): plain arithmetic, no BigInt. */
export function encodeStruct(fields: ThriftStruct): Buffer {
  const bytes: number[] = [];
  const varint = (n: number): void => {
    while (n >= 0x80) {
      bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    bytes.push(n);
  };
  const zigzag = (n: number): void => varint(n >= 0 ? n * 2 : -n * 2 - 1);
  const binary = (text: string): void => {
    const utf8 = Buffer.from(text, 'utf8');
    varint(utf8.length);
    for (const b of utf8) bytes.push(b);
  };
  const struct = (s: ThriftStruct): void => {
    let last = 0;
    for (const [id, value] of s) {
      if (value === undefined) continue;
      const type = 'i32' in value ? I32 : 'i64' in value ? I64 : 'bool' in value ? (value.bool ? BOOLEAN_TRUE : BOOLEAN_FALSE) : 'binary' in value ? BINARY : 'struct' in value ? STRUCT : LIST;
      if (id > last && id - last <= 15) bytes.push(((id - last) << 4) | type);
      else {
        bytes.push(type);
        zigzag(id);
      }
      last = id;
      if ('i32' in value) zigzag(value.i32);
      else if ('i64' in value) zigzag(value.i64);
      else if ('binary' in value) binary(value.binary);
      else if ('struct' in value) struct(value.struct);
      else if ('list' in value) {
        const n = value.of.length;
        const element = ELEMENT[value.list];
        if (n < 15) bytes.push((n << 4) | element);
        else {
          bytes.push(0xf0 | element);
          varint(n);
        }
        for (const item of value.of) {
          if (value.list === 'i32') zigzag(item as number);
          else if (value.list === 'binary') binary(item as string);
          else struct(item as ThriftStruct);
        }
      }
    }
    bytes.push(0);
  };
  struct(fields);
  return Buffer.from(bytes);
}
