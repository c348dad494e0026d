import 'reflect-metadata';
import { bootstrap } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { runDemo } from './demo/demo.js';
import { printSchemaFile } from './graphql/schema.js';
import { createLogger } from './logger.js';

const USAGE = `usage: npm run cli -- <command>
  create-account <name>   create an account; its first API key is printed alone on the last line
  demo [--recipients N] [--seconds N]
                          a sample campaign in the demo account, opened and clicked live (npm run demo)
  migrate                 apply database migrations (also done at every start)
  print-schema            print the GraphQL schema (what schema.graphql holds)`;

async function withApp<T>(
  work: (app: Awaited<ReturnType<typeof bootstrap>>) => Promise<T>,
  { quiet = false } = {},
): Promise<T> {
  const config = loadConfig();
  // quiet: stdout carries the command's output alone (its errors still end the command)
  const logger = createLogger(quiet ? 'silent' : config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase(config, logger);
  try {
    const app = await bootstrap(config, logger, database.url);
    try {
      return await work(app);
    } finally {
      await app.stop();
    }
  } finally {
    await database.close();
  }
}

async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case 'create-account': {
      const name = rest.join(' ').trim();
      if (!name) throw new ConfigError('create-account needs a name: npm run cli -- create-account "Acme"');
      await withApp(async (app) => {
        const { account, key } = await app.services.accounts.create(app.services.orm.em.fork(), name);
        console.log(`created account "${account.name}" (${account.id})`);
        console.log('its API key (shown once; send it as "Authorization: Bearer <key>"):');
        console.log(key.secret);
      });
      return;
    }
    case 'demo':
      await runDemo(rest);
      return;
    case 'migrate':
      await withApp(async () => console.log('database is up to date'));
      return;
    case 'print-schema':
      // the schema the service serves: built from its resolvers, as wired (services.ts)
      await withApp(async (app) => process.stdout.write(printSchemaFile(await app.schema())), {
        quiet: true,
      });
      return;
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const prefix = error instanceof ConfigError ? 'configuration error' : 'error';
  console.error(`mailtrace: ${prefix}: ${(error as Error).message}`);
  process.exit(1);
});
