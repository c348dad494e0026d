import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGraphqlSchema, printSchemaFile } from '../src/graphql/schema.js';

describe('schema.graphql', () => {
  it('is what the code emits (run `npm run schema` after changing the API)', async () => {
    const emitted = printSchemaFile(await buildGraphqlSchema());
    expect(readFileSync('schema.graphql', 'utf8')).toBe(emitted);
  });
});
