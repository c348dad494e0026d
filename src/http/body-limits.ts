import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { parse } from 'graphql';

/** The mutations that carry a whole CSV: only they may send more than the general limit. */
const IMPORT_FIELDS = new Set(['importRecipients', 'importSenders']);

export interface BodyLimits {
  general: number;
  imports: number;
  /** Whether the request's Authorization header holds a valid key (the large limit needs one). */
  authenticates: (req: Request) => Promise<boolean>;
}

/**
 * JSON bodies of /graphql, refused with 413 before parsing when too large. Everything gets the
 * general limit (1 MiB by default) except an authenticated request that declares a larger
 * Content-Length: it may send up to the import limit, and is then accepted only if its one
 * operation asks for nothing but the import mutations. A caller without a key never makes us read
 * more than the general limit.
 */
export function graphqlBodyParser(limits: BodyLimits): [RequestHandler, ErrorRequestHandler] {
  const general = express.json({ limit: limits.general });
  const large = express.json({ limit: limits.imports });
  const chooseLimit = async (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared > limits.general)) return general(req, res, next);
    if (declared > limits.imports || !(await limits.authenticates(req))) return tooLarge(res, limits);
    large(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (!onlyImports(req.body)) return tooLarge(res, limits);
      next();
    });
  };
  return [
    (req, res, next) => void chooseLimit(req, res, next).catch(next),
    (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') return tooLarge(res, limits);
      if (type === 'entity.parse.failed') {
        return void res.status(400).json({ detail: 'the request body is not valid JSON' });
      }
      next(error);
    },
  ];
}

function tooLarge(res: Response, limits: BodyLimits): void {
  res.status(413).json({
    detail: `request bodies are at most ${limits.general} bytes; only importRecipients and importSenders, with a valid API key, may send up to ${limits.imports}`,
  });
}

function onlyImports(body: unknown): boolean {
  const query = (body as { query?: unknown } | null)?.query;
  if (typeof query !== 'string') return false;
  try {
    const document = parse(query, { maxTokens: 1_000 });
    return document.definitions.every(
      (definition) =>
        definition.kind === 'OperationDefinition' &&
        definition.operation === 'mutation' &&
        definition.selectionSet.selections.every(
          (selection) => selection.kind === 'Field' && IMPORT_FIELDS.has(selection.name.value),
        ),
    );
  } catch {
    return false;
  }
}
