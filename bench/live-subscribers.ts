/**
 * The subscribers of `npm run bench:live`, in their own process: N graphql-ws clients on
 * trackingEvents(types: [OPEN]); each event is reported to the parent with the wall-clock time it
 * arrived (performance.timeOrigin + now(), comparable across processes of one machine).
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, key, count] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const now = () => performance.timeOrigin + performance.now();
const clients = Array.from({ length: count }, () =>
  createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    lazy: false,
    retryAttempts: 0,
  }),
);
for (const [index, client] of clients.entries()) {
  client.subscribe<{ trackingEvents: { messageId: string } }>(
    { query: 'subscription { trackingEvents(types: [OPEN]) { messageId location { country } } }' },
    {
      next: (result) =>
        process.send?.({ subscriber: index, messageId: result.data?.trackingEvents.messageId, at: now() }),
      error: (error) => process.send?.({ error: String(error) }),
      complete: () => {},
    },
  );
}
process.send?.({ ready: true });
process.on('disconnect', async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  process.exit(0);
});
