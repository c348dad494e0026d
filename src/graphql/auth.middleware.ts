import type { MiddlewareFn } from 'type-graphql';
import { UnauthenticatedError } from '../errors.js';
import type { Context } from './context.js';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** Every root field needs an account; applied globally so that a new resolver cannot forget it. */
export const requireAccount: MiddlewareFn<Context> = ({ context, info }, next) => {
  if (ROOT_TYPES.has(info.parentType.name) && !context.account) throw new UnauthenticatedError();
  return next();
};
