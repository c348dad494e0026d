/**
 * The load generators of the tracking benches: wrk when installed (apt-get install -y wrk), else
 * autocannon in a process of its own (bench/autocannon-load.ts). Each request goes to the next of
 * the given paths, from the next of the given client addresses (X-Forwarded-For).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** What one load run measured, whichever tool ran it. */
export interface LoadResult {
  /** Responses received (any status). */
  responses: number;
  /** Responses with an error status (4xx, 5xx): 2xx and 3xx (the click's 302) are successes. */
  badStatus: number;
  socketErrors: number;
  seconds: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export type LoadTool = 'wrk' | 'autocannon';

/** `n` client addresses for X-Forwarded-For (with TRUST_PROXY=1): public ones, in 5.0.0.0/8. */
export function clientAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `5.${(i >> 8) & 255}.${i & 255}.${1 + (i % 250)}`);
}

/** The load's inputs on disk: the wrk script, and the paths and addresses as JSON (autocannon). */
export interface LoadFiles {
  lua: string;
  paths: string;
}

export function pickLoadTool(): LoadTool {
  const wanted = process.env.BENCH_LOAD_TOOL;
  if (wanted && wanted !== 'wrk' && wanted !== 'autocannon') {
    throw new Error('BENCH_LOAD_TOOL must be wrk or autocannon');
  }
  if (wanted === 'autocannon') return 'autocannon';
  if (!spawnSync('wrk', ['--version']).error) return 'wrk';
  console.warn(
    'wrk is not installed: falling back to autocannon (a Node load generator, slower than wrk, so the\n' +
      'figures are lower and less telling). Install wrk for the real benchmark:  apt-get install -y wrk',
  );
  return 'autocannon';
}

/** Writes the inputs of a load over `paths` from `addresses` under `dir`, named `name`. */
export function writeLoadFiles(
  dir: string,
  name: string,
  paths: string[],
  addresses: string[],
  userAgent: string,
): LoadFiles {
  const files = { lua: join(dir, `${name}.lua`), paths: join(dir, `${name}.json`) };
  writeFileSync(files.lua, wrkScript(paths, addresses, userAgent));
  writeFileSync(files.paths, JSON.stringify({ paths, addresses }));
  return files;
}

function wrkScript(paths: string[], addresses: string[], userAgent: string): string {
  return `
local paths = { ${paths.map((p) => JSON.stringify(p)).join(',\n  ')} }
local count = #paths
local addresses = { ${addresses.map((a) => JSON.stringify(a)).join(', ')} }
local i = 0
local j = 0
wrk.headers["User-Agent"] = ${JSON.stringify(userAgent)}

request = function()
  i = i + 1
  if i > count then i = 1 end
  j = j + 1
  if j > #addresses then j = 1 end
  return wrk.format("GET", paths[i], { ["X-Forwarded-For"] = addresses[j] })
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOAD_RESULT {"responses":%.0f,"badStatus":%.0f,"socketErrors":%.0f,"seconds":%.6f,"p50Ms":%.4f,"p99Ms":%.4f}\\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;
}

/** The children this bench started, killed on any exit. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs one load and returns what it measured; throws with the tool's output when it fails. */
export async function runLoad(
  tool: LoadTool,
  baseUrl: string,
  files: LoadFiles,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const args =
    tool === 'wrk'
      ? ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', files.lua, baseUrl]
      : [join(HERE, 'autocannon-load.js'), baseUrl, files.paths, String(seconds), String(connections)];
  const child = track(
    spawn(tool === 'wrk' ? 'wrk' : process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const line = output.split('\n').find((l) => l.startsWith('LOAD_RESULT '));
  if (code !== 0 || !line) throw new Error(`${tool} failed (exit code ${code}):\n${output}`);
  return JSON.parse(line.slice('LOAD_RESULT '.length)) as LoadResult;
}
