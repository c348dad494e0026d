/**
 * `npm run bench:live`: latency from a pixel hit to the graphql-ws subscribers that receive it, with
 * BENCH_SUBSCRIBERS (100) subscribers connected (in a child process), over BENCH_HITS (200) opens
 * of distinct messages sent BENCH_GAP_MS (20) apart. Target: median under 250 ms. The baseline
 * measured in the same run is the pixel's own response time.
 *
 * Its own database (see bench/support.ts).
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchService, benchAccount, envInt, percentile, startBenchService } from './support.js';

const SUBSCRIBERS = envInt('BENCH_SUBSCRIBERS', 100);
const HITS = envInt('BENCH_HITS', 200);
const GAP_MS = envInt('BENCH_GAP_MS', 20);
const HERE = dirname(fileURLToPath(import.meta.url));
const now = () => performance.timeOrigin + performance.now();

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  let service: BenchService | null = null;
  try {
    service = await startBenchService('live', {
      ROLE: 'api',
      HOST: '127.0.0.1',
      PORT: '0',
      TRACKING_LIMIT_PER_IP_PER_MINUTE: '100000000',
    });
    const { app, config } = service;
    const { services } = app;
    const { em, account, key, sender } = await benchAccount(services, 'live');
    const pixels = new Map<string, string>();
    for (let i = 0; i < HITS; i++) {
      const message = await services.messages.queue(em, account.id, {
        senderId: sender.id,
        recipient: `live${i}@example.com`,
        subject: 'Live',
        body: 'Hello',
      });
      pixels.set(message.id, services.urls.openPixel(message.id));
    }
    const port = await app.listen();
    const base = `http://127.0.0.1:${port}`;

    const arrivals = new Map<string, number[]>();
    const child = fork(join(HERE, 'live-subscribers.js'), [
      `ws://127.0.0.1:${port}/graphql`,
      key.secret,
      String(SUBSCRIBERS),
    ]);
    child.on('message', (message: { messageId?: string; at?: number; error?: string }) => {
      if (message.error) console.error(`subscriber error: ${message.error}`);
      if (message.messageId && message.at) {
        const list = arrivals.get(message.messageId) ?? [];
        list.push(message.at);
        arrivals.set(message.messageId, list);
      }
    });
    const deadline = Date.now() + 30_000;
    while (app.liveSubscribers() < SUBSCRIBERS) {
      if (Date.now() > deadline) throw new Error(`only ${app.liveSubscribers()} subscribers connected`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // publishers learn who is watched within two seconds
    await new Promise((r) => setTimeout(r, 2_500));

    const sentAt = new Map<string, number>();
    const responseMs: number[] = [];
    for (const [messageId, url] of pixels) {
      const started = now();
      sentAt.set(messageId, started);
      await fetch(url.replace(config.publicUrl, base), { headers: { 'user-agent': 'Mozilla/5.0 (bench)' } });
      responseMs.push(now() - started);
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    child.disconnect();

    const latencies: number[] = [];
    let missing = 0;
    for (const [messageId, started] of sentAt) {
      // the first arrival per subscriber is the new event (a later one would be its processed update)
      const list = (arrivals.get(messageId) ?? []).sort((a, b) => a - b).slice(0, SUBSCRIBERS);
      missing += SUBSCRIBERS - list.length;
      for (const at of list) latencies.push(at - started);
    }
    console.log('');
    console.log('summary');
    console.log(
      `  ${SUBSCRIBERS} subscribers, ${HITS} opens ${GAP_MS} ms apart; ${latencies.length} deliveries, ${missing} missing`,
    );
    console.log(
      `  pixel hit -> subscriber: median ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, ` +
        `max ${ms(Math.max(...latencies))} (target: median < 250 ms) ${percentile(latencies, 50) < 250 ? 'ok' : 'ABOVE TARGET'}`,
    );
    console.log(`  baseline, the pixel's own response: median ${ms(percentile(responseMs, 50))}`);
    if (missing > 0) process.exitCode = 1;
  } finally {
    await service?.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:live failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
