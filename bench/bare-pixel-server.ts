/**
 * The baseline of `npm run bench:tracking`: a bare node:http server that answers every request with
 * the same open pixel (same bytes, same headers) as mailtrace's tracking route, and does nothing else.
 * It runs in its own process; it prints `listening <port>` once ready and stops on SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PIXEL_GIF, PIXEL_HEADERS } from '../src/tracking/pixel.js';

// The tracking route adds X-Robots-Tag; so does the baseline, so both send the same bytes.
const HEADERS = { ...PIXEL_HEADERS, 'X-Robots-Tag': 'noindex, nofollow' };

const server = createServer((req, res) => {
  res.writeHead(200, HEADERS);
  res.end(req.method === 'HEAD' ? undefined : PIXEL_GIF);
});

const port = Number(process.argv[2] ?? 0);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The bench that started us is gone: do not linger.
process.on('disconnect', stop);
