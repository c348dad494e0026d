import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { packageFile, StaticFiles } from '../http/static-files.js';
import { projectPath } from '../project-path.js';

const PLAYGROUND_ASSETS = '/playground/';

/**
 * GraphiQL on GET /graphql for browsers (Accept: text/html); API clients' GET and POST requests go
 * on to Apollo. Its files come from npm packages (graphiql, react, react-dom), never a CDN: their own
 * browser builds, served from node_modules so the playground works offline.
 */
export function createPlaygroundHandler() {
  const here = projectPath('src/playground');
  const files = new StaticFiles({
    '/graphql': join(here, 'playground.html'),
    [`${PLAYGROUND_ASSETS}playground.js`]: join(here, 'playground.js'),
    [`${PLAYGROUND_ASSETS}graphiql.min.js`]: packageFile('graphiql', 'graphiql.min.js'),
    [`${PLAYGROUND_ASSETS}graphiql.min.css`]: packageFile('graphiql', 'graphiql.min.css'),
    [`${PLAYGROUND_ASSETS}react.production.min.js`]: packageFile('react', 'umd/react.production.min.js'),
    [`${PLAYGROUND_ASSETS}react-dom.production.min.js`]: packageFile(
      'react-dom',
      'umd/react-dom.production.min.js',
    ),
  });

  return function handlePlayground(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (path === '/graphql') {
      const query = (req.url ?? '').includes('?');
      const wantsPage = (req.headers.accept ?? '').includes('text/html');
      // a GET with a query string is an API request (GraphQL over GET), whatever it accepts
      if (!wantsPage || query) return false;
    }
    return files.serve(req, res, path);
  };
}
