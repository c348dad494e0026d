/**
 * The fallback load generator of `npm run bench:tracking` when wrk is not installed: autocannon, in
 * its own process (never inside a server's process), each connection cycling through the given paths
 * (never following redirects).
 *
 *   node dist/bench/autocannon-load.js <base-url> <paths.json: { paths, addresses }> <seconds> <connections>
 *
 * Prints one line: `LOAD_RESULT {json}`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  '3xx': number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; average: number };
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: { method: string; path: string; headers?: Record<string, string> }[];
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;

// autocannon ships CommonJS without types; only the few fields above are used.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const [url, pathsFile, seconds, connections] = process.argv.slice(2);
const { paths, addresses } = JSON.parse(readFileSync(pathsFile, 'utf8')) as {
  paths: string[];
  addresses: string[];
};
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  requests: paths.map((path, i) => ({
    method: 'GET',
    path,
    headers: { 'x-forwarded-for': addresses[i % addresses.length] },
  })),
  headers: { 'user-agent': 'Mozilla/5.0 (mailtrace-bench)' },
});
// autocannon's non2xx counts redirects too; like wrk, a 3xx (the click route's 302) is a success here.
const summary = {
  responses: result['2xx'] + result.non2xx,
  badStatus: result.non2xx - result['3xx'],
  socketErrors: result.errors + result.timeouts,
  seconds: result.duration,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
};
process.stdout.write(`LOAD_RESULT ${JSON.stringify(summary)}\n`);
