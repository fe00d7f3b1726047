// data/SqlScript (Zeal's tpl_sql_script, which EXECUTES here): a SQL script with :name
// parameters, run on PostgreSQL, MySQL/MariaDB or SQLite for each message of parameters — every
// statement in order, in one transaction, the values bound by the database, never pasted in.
import { CONNECTION_REQUIRED, serverConnectionProperties, type ServerConnectionConfig } from './connection.ts';
import { openMysql } from './mysql.ts';
import { openPostgres } from './postgres.ts';
import { defineSqlActor, type SqlRunConfig } from './sql-actor.ts';
import { openSqlite, SQLITE_PROPERTIES, type SqliteConnectionConfig } from './sqlite.ts';

type SqlScriptConfig = SqlRunConfig & ServerConnectionConfig & Partial<SqliteConnectionConfig> & {
  engine: 'postgres' | 'mysql' | 'sqlite';
  script: string;
};

const serverProperties = serverConnectionProperties('postgres');

export const SqlScript = defineSqlActor<SqlScriptConfig>({
  name: 'data/SqlScript',
  description: 'Runs a SQL script on PostgreSQL, MySQL/MariaDB or SQLite for each message on `in`: the message holds the values of the script\'s :name '
    + 'parameters, which the database binds (never pasted into the SQL). The statements (separated by ;) run in order in one transaction; `output` '
    + 'shapes the last statement\'s result, or \'all\' emits every statement\'s. Connection settings are those of data/Postgres, data/MySql or data/Sqlite.',
  icon: 'file-code',
  properties: {
    engine: { enum: ['postgres', 'mysql', 'sqlite'], description: 'The database engine the script runs on' },
    script: { type: 'string', minLength: 1, description: 'The SQL script: statements separated by ;, parameters written :name' },
    ...serverProperties,
    connectionString: { type: 'string', pattern: '^(postgres|postgresql|mysql|mariadb)://', description: 'Server URL (postgres:// or mysql://); the fields below override its parts' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Server port (default 5432 for PostgreSQL, 3306 for MySQL)' },
    ...SQLITE_PROPERTIES,
  },
  clauses: {
    required: ['engine', 'script'],
    allOf: [
      { if: { properties: { engine: { const: 'sqlite' } }, required: ['engine'] }, then: { required: ['path'] } },
      { if: { properties: { engine: { enum: ['postgres', 'mysql'] } }, required: ['engine'] }, then: CONNECTION_REQUIRED },
    ],
  },
  open(config, env) {
    if (config.engine === 'sqlite') return openSqlite({ path: config.path!, readOnly: config.readOnly ?? false, busyTimeoutMs: config.busyTimeoutMs ?? 5000 }, env);
    return config.engine === 'postgres' ? openPostgres(config, env) : openMysql(config, env);
  },
  sqlOf: (config) => config.script,
  inDescription: 'The values of the script\'s :name parameters ({name: value}); a bang runs a script without parameters',
});
