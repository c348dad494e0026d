import { readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { projectPath } from '../project-path.js';
import { StaticFiles } from '../http/static-files.js';

export const DASHBOARD_PATH = '/dashboard';

/** The dashboard's files (src/dashboard/public/), each at /dashboard/<name>; /dashboard itself is index.html. */
export function createDashboardHandler() {
  const dir = projectPath('src/dashboard/public');
  const routes: Record<string, string> = {};
  for (const name of readdirSync(dir)) routes[`${DASHBOARD_PATH}/${name}`] = join(dir, name);
  routes[`${DASHBOARD_PATH}/`] = join(dir, 'index.html');
  const files = new StaticFiles(routes);

  /** Answers the dashboard's paths; false for any other path. */
  return function handleDashboard(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (path === '/' || path === DASHBOARD_PATH) {
      res.writeHead(302, { Location: `${DASHBOARD_PATH}/`, 'Content-Length': '0' });
      res.end();
      return true;
    }
    return files.serve(req, res, path);
  };
}
