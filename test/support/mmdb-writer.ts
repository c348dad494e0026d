/**
 * A small MaxMind DB (format v2) writer for test fixtures, so tests build the `.mmdb` files they read
 * instead of committing binaries. Spec: https://maxmind.github.io/MaxMind-DB/
 *
 * File layout: search tree | 16 zero bytes | data section | "\xAB\xCD\xEFMaxMind.com" | metadata map.
 * Each network's record is written in full (no pointers, no deduplication): fixtures are small.
 */
import { isIP } from 'node:net';

export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** e.g. '81.2.69.0/24' or '2001:db8::/32'; a bare address is a /32 or /128. */
  cidr: string;
  data: { [key: string]: MmdbValue };
}

export interface MmdbOptions {
  databaseType: string;
  /** 6 (default) also holds IPv4 networks, under ::/96; 4 holds only IPv4. */
  ipVersion?: 4 | 6;
  recordSize?: 24 | 28 | 32;
  languages?: string[];
  description?: Record<string, string>;
  /** Seconds since the Unix epoch; defaults to now. */
  buildEpoch?: number;
}

// the data field types used here (spec: "Output Data Section")
const Type = { String: 2, Double: 3, Uint16: 5, Uint32: 6, Map: 7, Int32: 8, Uint64: 9, Array: 11, Bool: 14 };

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'); // \xAB\xCD\xEF + "MaxMind.com"

/**
 * Control byte(s) of a field: type in the top 3 bits (types above 7 are "extended": 0 there and
 * type - 7 in the byte after), payload size in the low 5 bits. Sizes of 29 and more spill into 1-3
 * bytes after the type byte(s), with bias 29, 285 and 65,821 respectively.
 */
function control(type: number, size: number): Buffer {
  if (size >= 65_821 + 2 ** 24) throw new Error(`mmdb-writer: field too large (${size})`);
  const [low, bias, bytes] =
    size < 29 ? [size, 0, 0] : size < 285 ? [29, 29, 1] : size < 65_821 ? [30, 285, 2] : [31, 65_821, 3];
  const extra = Buffer.alloc(bytes);
  if (bytes > 0) extra.writeUIntBE(size - bias, 0, bytes);
  return Buffer.concat([Buffer.from(type <= 7 ? [(type << 5) | low] : [low, type - 7]), extra]);
}

/** Unsigned integers use as few payload bytes as the value needs (0 needs none). */
function encodeUint(type: number, value: number | bigint): Buffer {
  const bytes: number[] = [];
  for (let v = BigInt(value); v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const utf8 = Buffer.from(value, 'utf8');
    return Buffer.concat([control(Type.String, utf8.length), utf8]); // size counts bytes, not characters
  }
  if (typeof value === 'boolean') return control(Type.Bool, value ? 1 : 0); // the value is the size
  if (typeof value === 'number') {
    // JavaScript cannot tell 51.0 from 51: integral numbers become integers, everything else a double.
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) return encodeUint(Type.Uint32, value);
    if (Number.isInteger(value) && value >= -(2 ** 31) && value < 0) {
      const payload = Buffer.alloc(4);
      payload.writeInt32BE(value);
      return Buffer.concat([control(Type.Int32, 4), payload]);
    }
    const payload = Buffer.alloc(8);
    payload.writeDoubleBE(value);
    return Buffer.concat([control(Type.Double, 8), payload]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(Type.Array, value.length), ...value.map(encode)]);
  // a map's size is its number of pairs; keys are UTF-8 strings
  const entries = Object.entries(value);
  return Buffer.concat([
    control(Type.Map, entries.length),
    ...entries.flatMap(([k, v]) => [encode(k), encode(v)]),
  ]);
}

/** The 4 or 16 bytes of an address. */
function parseAddress(address: string): number[] {
  const version = isIP(address);
  if (version === 4) return address.split('.').map(Number);
  if (version !== 6) throw new Error(`mmdb-writer: not an IP address: ${address}`);
  // a trailing dotted quad (::ffff:1.2.3.4) becomes the last two 16-bit groups
  const hex = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    [(+a << 8) | +b, (+c << 8) | +d].map((g) => g.toString(16)).join(':'),
  );
  const groups = (part?: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const [head, tail] = hex.split('::');
  const before = groups(head);
  const after = groups(tail);
  const all = [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Network bytes (16 in an IPv6 tree, 4 in an IPv4 one) and prefix length, in the tree's terms. */
function parseNetwork(cidr: string, ipVersion: 4 | 6): { bytes: number[]; prefix: number } {
  const [address, length] = cidr.split('/');
  let bytes = parseAddress(address);
  const bits = bytes.length * 8;
  let prefix = length === undefined ? bits : Number(length);
  if (!/^\d+$/.test(length ?? '0') || prefix > bits) throw new Error(`mmdb-writer: bad prefix in ${cidr}`);
  if (ipVersion === 4 && bytes.length === 16)
    throw new Error(`mmdb-writer: IPv6 ${cidr} in an IPv4 database`);
  if (ipVersion === 6 && bytes.length === 4) {
    // IPv4 lives in the first /96 of an IPv6 tree: ::a.b.c.d, which is where readers start IPv4 lookups
    bytes = [...new Array<number>(12).fill(0), ...bytes];
    prefix += 96;
  }
  return { bytes, prefix };
}

/** A trie node; a child is another node, the index of a network (its data), or undefined for "no data". */
interface TrieNode {
  children: [Child, Child];
  id: number;
}
type Child = TrieNode | number | undefined;

export function buildMmdb(networks: MmdbNetwork[], options: MmdbOptions): Buffer {
  const ipVersion = options.ipVersion ?? 6;
  const recordSize = options.recordSize ?? 28;

  // Broader networks first, so a more specific one inserted later carves its range out of them.
  const parsed = networks
    .map((network, index) => ({ ...parseNetwork(network.cidr, ipVersion), index }))
    .sort((a, b) => a.prefix - b.prefix);
  const root: TrieNode = { children: [undefined, undefined], id: 0 };
  for (const { bytes, prefix, index } of parsed) {
    if (prefix === 0) root.children = [index, index];
    let node = root;
    for (let depth = 0; depth < prefix; depth++) {
      const bit = (bytes[depth >> 3] >> (7 - (depth & 7))) & 1;
      if (depth === prefix - 1) {
        node.children[bit] = index;
        break;
      }
      let next = node.children[bit];
      // Going deeper than a leaf splits it: both halves keep what the leaf held (a broader network or nothing).
      if (typeof next !== 'object') node.children[bit] = next = { children: [next, next], id: 0 };
      node = next;
    }
  }

  // Number the internal nodes in pre-order; the root must be node 0.
  const nodes: TrieNode[] = [];
  const number = (node: TrieNode): void => {
    node.id = nodes.push(node) - 1;
    for (const child of node.children) if (typeof child === 'object') number(child);
  };
  number(root);
  const nodeCount = nodes.length;

  const records = networks.map((network) => encode(network.data));
  const offsets: number[] = [];
  let dataSize = 0;
  for (const record of records) {
    offsets.push(dataSize);
    dataSize += record.length;
  }

  // Record values: < nodeCount is a node, == nodeCount is "no data", and anything above points into the
  // data section, counted from the end of the tree (hence the 16 for the separator).
  const recordValue = (child: Child): number => {
    let value = nodeCount;
    if (typeof child === 'object') value = child.id;
    else if (child !== undefined) value = nodeCount + 16 + offsets[child];
    if (value >= 2 ** recordSize)
      throw new Error(`mmdb-writer: ${value} does not fit a ${recordSize}-bit record`);
    return value;
  };
  const nodeBytes = recordSize / 4; // two records per node
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  for (const node of nodes) {
    const [left, right] = node.children.map(recordValue);
    const at = node.id * nodeBytes;
    if (recordSize === 28) {
      // 7 bytes: left's low 24 bits, a byte of left's top nibble then right's, right's low 24 bits
      tree.writeUIntBE(left & 0xffffff, at, 3);
      tree[at + 3] = ((left >>> 24) << 4) | (right >>> 24);
      tree.writeUIntBE(right & 0xffffff, at + 4, 3);
    } else {
      tree.writeUIntBE(left, at, nodeBytes / 2);
      tree.writeUIntBE(right, at + nodeBytes / 2, nodeBytes / 2);
    }
  }

  // Metadata field types are fixed by the spec, so these are encoded explicitly rather than by encode().
  const metadata: [string, Buffer][] = [
    ['node_count', encodeUint(Type.Uint32, nodeCount)],
    ['record_size', encodeUint(Type.Uint16, recordSize)],
    ['ip_version', encodeUint(Type.Uint16, ipVersion)],
    ['database_type', encode(options.databaseType)],
    ['languages', encode(options.languages ?? [])],
    ['binary_format_major_version', encodeUint(Type.Uint16, 2)],
    ['binary_format_minor_version', encodeUint(Type.Uint16, 0)],
    ['build_epoch', encodeUint(Type.Uint64, options.buildEpoch ?? Math.floor(Date.now() / 1000))],
    ['description', encode(options.description ?? {})],
  ];
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...records,
    METADATA_MARKER,
    control(Type.Map, metadata.length),
    ...metadata.flatMap(([key, value]) => [encode(key), value]),
  ]);
}
