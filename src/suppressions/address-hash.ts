import { createHash } from 'node:crypto';

/**
 * Suppressions are keyed by a hash of the lower-cased address: matching ignores case (nobody who
 * unsubscribed should be mailed because of a capital letter), and erasure can drop the address itself.
 */
export function hashAddress(email: string): Buffer {
  return createHash('sha256').update(email.trim().toLowerCase()).digest();
}
