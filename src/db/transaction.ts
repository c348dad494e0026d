import type { Pool, PoolClient } from 'pg';

/** Where a repository's statement runs: on the pool (a connection of its own) or in the caller's transaction. */
export type Queryable = Pool | PoolClient;

/** The connection of a transaction begun by withTransaction: statements that must commit together take it. */
export type Transaction = PoolClient;

/** Runs `work` in one transaction on one connection: committed if it returns, rolled back if it throws. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * A repository that begins transactions: the service holds the repository, never the pool, keeps
 * its transaction boundaries with `transaction`, and passes the `tx` it gets to the statements
 * (its repositories' and other modules') that must commit together.
 */
export abstract class TransactionalRepository {
  constructor(protected readonly pool: Pool) {}

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }
}
