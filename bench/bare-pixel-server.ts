/**
 * The baseline of `npm run bench:tracking`: a bare node:http server that answers like mailtrace's
 * tracking routes and does nothing else.
 * - `/api/v1/tracking/click/...?url=<url>`: the click's 302 to that url, with the same headers as
 *   mailtrace's click route (no token check, no database lookup, nothing recorded).
 * - anything else: the open pixel (same bytes, same headers) as mailtrace's open route.
 * It runs in its own process; it prints `listening <port>` once ready and stops on SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NO_CACHE_HEADERS, PIXEL_GIF, PIXEL_HEADERS } from '../src/tracking/http/pixel.js';
import { TRACKING_PREFIX } from '../src/tracking/tracking-urls.js';

// The tracking routes add X-Robots-Tag; so does the baseline, so both send the same bytes.
const ROBOTS = { 'X-Robots-Tag': 'noindex, nofollow' } as const;
const PIXEL_RESPONSE_HEADERS = { ...PIXEL_HEADERS, ...ROBOTS };
const CLICK_PREFIX = `${TRACKING_PREFIX}click/`;

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith(CLICK_PREFIX)) {
    const query = url.indexOf('?');
    const location = query === -1 ? null : new URLSearchParams(url.slice(query + 1)).get('url');
    if (!location) {
      res.writeHead(400, { ...NO_CACHE_HEADERS, ...ROBOTS, 'Content-Length': '0' });
      res.end();
      return;
    }
    // The same headers, in the same order, as mailtrace's click route.
    res.writeHead(302, { Location: location, ...NO_CACHE_HEADERS, ...ROBOTS, 'Content-Length': '0' });
    res.end();
    return;
  }
  res.writeHead(200, PIXEL_RESPONSE_HEADERS);
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
