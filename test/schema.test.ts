import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printSchemaFile } from '../src/graphql/schema.js';
import { startTestApp, type TestApp } from './support/app.js';

describe('schema.graphql', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp({ worker: false });
  });
  afterAll(() => test?.stop());

  it('is what the service serves (run `npm run schema` after changing the API)', async () => {
    const served = printSchemaFile(await test.app.schema());
    expect(readFileSync('schema.graphql', 'utf8')).toBe(served);
  });
});
