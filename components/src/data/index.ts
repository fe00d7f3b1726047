// Data store components: PostgreSQL, MySQL/MariaDB, SQLite, and SQL scripts on any of them.
export { MySql } from './mysql.ts';
export { Postgres } from './postgres.ts';
export { SqlScript } from './sql-script.ts';
export { Sqlite } from './sqlite.ts';
