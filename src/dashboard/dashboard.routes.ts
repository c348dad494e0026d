import { readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';
import { projectPath } from '../project-path.js';
import { packageFile, StaticFiles } from '../http/static-files.js';

export const DASHBOARD_PATH = '/dashboard';

/**
 * The dashboard's files: everything under src/dashboard/public/ (views/ and components/ included)
 * at /dashboard/<path>, /dashboard/ itself is index.html, and graphql-ws's browser client (its npm
 * package's own build) at /dashboard/vendor/graphql-ws.js, from our origin for `script-src 'self'`.
 * The list is made once at start: a request can only name one of these, never a path of its own.
 */
export function dashboardRoutes(dir = projectPath('src/dashboard/public')): Record<string, string> {
  const routes: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    // files only (no links), and nothing hidden, nor in a hidden folder (editor and OS leftovers)
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const segments = relative(dir, path).split(sep);
    if (segments.some((segment) => segment.startsWith('.'))) continue;
    routes[`${DASHBOARD_PATH}/${segments.join('/')}`] = path;
  }
  routes[`${DASHBOARD_PATH}/`] = join(dir, 'index.html');
  routes[`${DASHBOARD_PATH}/vendor/graphql-ws.js`] = packageFile('graphql-ws', 'umd/graphql-ws.min.js');
  return routes;
}

/** Answers the dashboard's paths; false for any other path. */
export function createDashboardHandler() {
  const files = new StaticFiles(dashboardRoutes());

  return function handleDashboard(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (path === '/' || path === DASHBOARD_PATH) {
      res.writeHead(302, { Location: `${DASHBOARD_PATH}/`, 'Content-Length': '0' });
      res.end();
      return true;
    }
    return files.serve(req, res, path);
  };
}
