import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { parse } from 'graphql';
import { callerOf } from './api-gate.js';

/** The mutations that carry a whole CSV: only they may send more than the general limit. */
const IMPORT_FIELDS = new Set(['importRecipients', 'importSenders']);

export interface BodyLimits {
  /** Without a valid key: room for any query worth answering, never enough to keep the loop busy. */
  anonymous: number;
  general: number;
  imports: number;
}

/**
 * JSON bodies of /graphql, refused with 413 before parsing when too large (after the API gate,
 * which knows the caller). A caller without a valid key gets the anonymous limit (16 KiB by
 * default), an authenticated one the general limit (1 MiB), and an authenticated request that
 * declares a larger Content-Length may send up to the import limit, accepted only if its one
 * operation asks for nothing but the import mutations.
 */
export function graphqlBodyParser(limits: BodyLimits): [RequestHandler, ErrorRequestHandler] {
  const anonymous = express.json({ limit: limits.anonymous });
  const general = express.json({ limit: limits.general });
  const large = express.json({ limit: limits.imports });
  const chooseLimit = (req: Request, res: Response, next: NextFunction) => {
    if (!callerOf(res).account) return anonymous(req, res, next);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared > limits.general)) return general(req, res, next);
    if (declared > limits.imports) return tooLarge(res, limits);
    large(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (!onlyImports(req.body)) return tooLarge(res, limits);
      next();
    });
  };
  return [
    chooseLimit,
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

/** Before the body is read; the connection is closed, so the rest of it is never read either. */
function tooLarge(res: Response, limits: BodyLimits): void {
  res
    .status(413)
    .set('Connection', 'close')
    .json({
      detail: `request bodies are at most ${limits.anonymous} bytes without a valid API key and ${limits.general} with one; only importRecipients and importSenders may send up to ${limits.imports}`,
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
