// Runs the shared contract check and fails on any violation that is not listed in
// contract-pending.txt (the parts of the contract that later issues will build).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const pending = new Set(
  readFileSync(new URL('./contract-pending.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#')),
);
let output;
try {
  output = execFileSync('node', ['../shared/contract/check.mjs', 'schema.graphql'], { encoding: 'utf8' });
} catch (error) {
  output = error.stdout ?? '';
  if (!output) throw error;
}
const violations = output
  .split('\n')
  .filter((line) => line.startsWith('missing or incompatible: '))
  .map((line) => line.slice('missing or incompatible: '.length));
const unexpected = violations.filter((v) => !pending.has(v));
const done = [...pending].filter((p) => !violations.includes(p));
console.log(
  `contract: ${violations.length} violations, ${violations.length - unexpected.length} of them pending later issues`,
);
for (const v of done) console.log(`contract: now satisfied, remove from .ci/contract-pending.txt: ${v}`);
for (const v of unexpected) console.log(`contract: VIOLATION: ${v}`);
process.exit(unexpected.length === 0 ? 0 : 1);
