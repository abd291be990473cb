import { DatabaseConfigSchema, loadConfig } from '@cp/shared/config';
import { migrate } from '@cp/shared/event-store';

/** `node dist/apps/auditor/src/migrate.js`: creates the database if missing and applies migrations. */
migrate(loadConfig(DatabaseConfigSchema).CP_DATABASE_URL).then(
  (applied) => {
    process.stdout.write(JSON.stringify({ level: 'info', msg: 'migrations applied', applied }) + '\n');
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(JSON.stringify({ level: 'fatal', msg: `migration failed: ${err instanceof Error ? err.message : String(err)}` }) + '\n');
    process.exit(1);
  },
);
