/**
 * The layer rules of docs/architecture.md, checked by `npm run lint` (dependency-cruiser).
 * Layers point down only: the entry points and the wiring (top) -> domains (src/<domain>/) ->
 * db/ and the shared base (config, errors, logger, net/, crypto/, csv/, observability/,
 * rate-limits/, http/html.ts).
 */
const TOP =
  '^(src/(app|main|cli|services|entities|startup-banner)\\.ts|src/http/server\\.ts|src/jobs/worker-(thread|thread-host|runner)\\.ts|src/demo/|workers/)';
const DOMAIN =
  '^src/(accounts|campaigns|messages|senders|suppressions|privacy|tracking|live|webhooks|graphql|dashboard|playground|mail)/';
const BASE =
  '^src/((config|errors|logger|project-path)\\.ts|net/|crypto/|csv/|types/|observability/|rate-limits/|http/html\\.ts)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules are one: merge them, or move what both need below them.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'db-knows-no-domain',
      severity: 'error',
      comment: 'db/ (pools, the ORM, migrations, partitions) serves every domain and imports none.',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: ['^src/db/', '^src/(config|logger|errors)\\.ts$'] },
    },
    {
      name: 'base-imports-nothing-above',
      severity: 'error',
      comment: 'The shared base is imported by everyone, so it imports no domain, db/ or wiring.',
      from: { path: BASE },
      to: { path: '^src/', pathNot: BASE },
    },
    {
      name: 'domains-never-import-the-wiring',
      severity: 'error',
      comment:
        'Domains get their dependencies passed in; only the top (app, services, entry points) wires them.',
      from: { path: DOMAIN },
      to: { path: TOP },
    },
    {
      name: 'resolvers-hold-no-pool',
      severity: 'error',
      comment:
        'Resolvers call services and repositories; hand-written SQL lives in *.repository.ts or *.sql.ts.',
      from: { path: '\\.resolver\\.ts$' },
      to: { path: '^node_modules/pg/' },
    },
    {
      name: 'services-hold-no-pool',
      severity: 'error',
      comment:
        'Services run SQL through their repository (*.repository.ts, *.sql.ts) and begin transactions through it (db/transaction.ts).',
      from: { path: '\\.service\\.ts$' },
      to: { path: '^node_modules/pg/' },
    },
    {
      name: 'tracking-ingest-and-processing-know-no-http',
      severity: 'error',
      comment: 'The routes call ingest; ingest and processing never reach back into the routes.',
      from: { path: '^src/tracking/(ingest|processing)/' },
      to: { path: '^src/tracking/http/' },
    },
    {
      name: 'graphile-worker-sql-through-one-door',
      severity: 'error',
      comment: 'Jobs are added through src/jobs/enqueue.ts; domains do not import graphile-worker.',
      from: { path: DOMAIN },
      to: { path: '^node_modules/graphile-worker/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^src/dashboard/public/|^src/playground/public/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
