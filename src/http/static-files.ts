import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** What the browser pages we serve may do: our own scripts and styles, our own API, nothing else. */
const PAGE_SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

/** A file of an installed npm package (its own browser build), to serve from our origin. */
export function packageFile(pkg: string, file: string): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

interface StaticFile {
  body: Buffer;
  etag: string;
  contentType: string;
}

/**
 * A fixed set of files, read once and served from memory with an ETag (a 304 when the browser has it).
 * Only the names given are served, so no request path can reach another file.
 */
export class StaticFiles {
  private readonly files = new Map<string, StaticFile>();

  /** `routes` maps a URL path to the file on disk that answers it. */
  constructor(routes: Record<string, string>) {
    for (const [urlPath, filePath] of Object.entries(routes)) {
      const body = readFileSync(filePath);
      this.files.set(urlPath, {
        body,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        contentType: CONTENT_TYPES[extname(filePath)] ?? 'application/octet-stream',
      });
    }
  }

  /** Answers GET and HEAD for a known path; false when the path is not one of ours. */
  serve(req: IncomingMessage, res: ServerResponse, urlPath: string): boolean {
    const file = this.files.get(urlPath);
    if (!file) return false;
    const headers = {
      ...PAGE_SECURITY_HEADERS,
      'Content-Type': file.contentType,
      ETag: file.etag,
      // revalidate every time: cheap (a 304), and a new version is seen at once
      'Cache-Control': 'no-cache',
    };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'Content-Length': String(file.body.length) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  }
}
