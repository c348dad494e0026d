// The dashboard's static route: nested folders (views/, components/) and the vendored graphql-ws
// client are served, with the page headers; no request path reaches any other file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler, dashboardRoutes } from '../src/dashboard/dashboard.routes.js';

describe('dashboard static files', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const handle = createDashboardHandler();
    server = createServer((req, res) => {
      // as src/http/server.ts does: the raw path, query string cut off
      if (handle(req, res, (req.url ?? '/').split('?', 1)[0])) return;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('lists the files of nested folders, and only files', () => {
    const paths = Object.keys(dashboardRoutes());
    expect(paths).toEqual(
      expect.arrayContaining([
        '/dashboard/',
        '/dashboard/app.js',
        '/dashboard/views/campaign.js',
        '/dashboard/components/message-table.js',
        '/dashboard/vendor/graphql-ws.js',
      ]),
    );
    expect(paths).not.toContain('/dashboard/views');
    expect(paths.every((path) => /^\/dashboard\/[\w/.-]*$/.test(path) && !path.includes('..'))).toBe(true);
  });

  it('leaves out hidden files and everything in hidden folders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailtrace-public-'));
    try {
      mkdirSync(join(dir, '.cache'));
      mkdirSync(join(dir, 'views'));
      for (const file of ['index.html', '.DS_Store', '.cache/x.js', 'views/a.js', 'views/.a.js.swp'])
        writeFileSync(join(dir, file), '');
      const paths = Object.keys(dashboardRoutes(dir)).filter((path) => !path.includes('/vendor/'));
      expect(paths.sort()).toEqual(['/dashboard/', '/dashboard/index.html', '/dashboard/views/a.js']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves views, components and the graphql-ws client as scripts with the page headers', async () => {
    for (const path of [
      '/dashboard/views/campaign.js',
      '/dashboard/components/charts.js',
      '/dashboard/vendor/graphql-ws.js',
    ]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect((await response.text()).length).toBeGreaterThan(0);
    }
    expect(await (await fetch(`${base}/dashboard/vendor/graphql-ws.js`)).text()).toContain('createClient');
  });

  it('answers no path outside its list: traversal, encoded or not, reaches nothing', async () => {
    const attempts = [
      '/dashboard/../package.json',
      '/dashboard/views/../../../package.json',
      '/dashboard/views/..%2f..%2f..%2fpackage.json',
      '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/views/%2e%2e%2fapp.js',
      '/dashboard/vendor/../../../node_modules/graphql-ws/package.json',
      '/dashboard/vendor/',
      '/dashboard/views/',
      '/dashboard/..\\..\\package.json',
      '/dashboard//app.js',
    ];
    for (const path of attempts) {
      // a raw request: fetch would normalise the dots away before sending
      const status = await rawStatus(path);
      expect(status, path).toBe(404);
    }
  });

  function rawStatus(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(`${base}/`, { path, method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }
});
