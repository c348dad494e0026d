/**
 * The clients of `npm run bench:api-flood`, in a process of their own so that neither their CPU nor
 * their timers are the service's:
 * - `probe <url> <seconds>`: pixel hits one after another (keep-alive), each timed; prints
 *   `{ latenciesMs, failures }` as JSON.
 * - `flood <url> <kind> <concurrency> <seconds> [key]`: `concurrency` loops sending the same hostile
 *   GraphQL body; prints `{ statuses, latenciesMs }` as JSON.
 * - `mixed <base> <pixels.json> <key> <seconds>`: in turn, a pixel hit (the next of the URLs in the
 *   file) and the GraphQL `me` query with the key, each timed (bench:click-flood); prints
 *   `{ pixelMs, meMs, failures }`.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

type FloodKind = 'aliases-5.9MB' | 'aliases-1MiB' | 'key-me-aliases';

/** The attack documents of issue 12, and the largest that fits the 1 MiB body limit. */
function floodBody(kind: FloodKind): string {
  if (kind === 'aliases-5.9MB') return aliasDocument(300_000, '__typename');
  if (kind === 'aliases-1MiB') return aliasDocument(50_000, '__typename');
  return aliasDocument(20_000, 'me { id name }');
}

function aliasDocument(count: number, field: string): string {
  const fields = Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');
  return JSON.stringify({ query: `{ ${fields} }` });
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(url: URL, method: string, headers: Record<string, string>, body?: Buffer) {
  return new Promise<number>((resolve) => {
    const req = request(url, { method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function probe(url: string, seconds: number) {
  const target = new URL(url);
  const latenciesMs: number[] = [];
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    const status = await send(target, 'GET', { 'user-agent': 'Mozilla/5.0 (bench probe)' });
    latenciesMs.push(performance.now() - started);
    if (status !== 200) failures++;
  }
  return { latenciesMs, failures };
}

async function flood(url: string, kind: FloodKind, concurrency: number, seconds: number, key?: string) {
  const target = new URL(url);
  const body = Buffer.from(floodBody(kind));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  };
  const statuses: Record<string, number> = {};
  const latenciesMs: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        const status = await send(target, 'POST', headers, body);
        latenciesMs.push(performance.now() - started);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return { statuses, latenciesMs, bodyBytes: body.length };
}

async function mixed(base: string, pixelsFile: string, key: string, seconds: number) {
  const pixels = (JSON.parse(readFileSync(pixelsFile, 'utf8')) as string[]).map((u) => new URL(u));
  const graphql = new URL(`${base}/graphql`);
  const me = Buffer.from(JSON.stringify({ query: '{ me { id name } }' }));
  const meHeaders = {
    'content-type': 'application/json',
    'content-length': String(me.length),
    authorization: `Bearer ${key}`,
  };
  const pixelMs: number[] = [];
  const meMs: number[] = [];
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    let started = performance.now();
    if ((await send(pixels[i % pixels.length], 'GET', { 'user-agent': 'Mozilla/5.0 (probe)' })) !== 200)
      failures++;
    pixelMs.push(performance.now() - started);
    started = performance.now();
    if ((await send(graphql, 'POST', meHeaders, me)) !== 200) failures++;
    meMs.push(performance.now() - started);
  }
  return { pixelMs, meMs, failures };
}

const [mode, url, ...rest] = process.argv.slice(2);
const result =
  mode === 'probe'
    ? await probe(url, Number(rest[0]))
    : mode === 'mixed'
      ? await mixed(url, rest[0], rest[1], Number(rest[2]))
      : await flood(url, rest[0] as FloodKind, Number(rest[1]), Number(rest[2]), rest[3]);
process.stdout.write(JSON.stringify(result));
agent.destroy();
