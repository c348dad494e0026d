import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

async function withServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withServer(serverUrl, (client) =>
    client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
  );
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const name = `mailtrace_test_${randomBytes(6).toString('hex')}`;
  const sql = `create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(inject('templateDatabase'))}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await withServer(serverUrl, (client) => client.query(sql));
      break;
    } catch (error) {
      // 55006: another file is cloning the template at this very moment
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  return { url: `${serverUrl}/${name}`, name, drop: () => dropDatabase(serverUrl, name) };
}
