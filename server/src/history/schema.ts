// The history database's tables, created and migrated in order by `PRAGMA user_version`.
import type { DatabaseSync } from 'node:sqlite';

/** Migration N brings the database from version N to N+1; never edit one that has shipped. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE graphs (
     hash  TEXT PRIMARY KEY,
     graph TEXT NOT NULL
   );
   CREATE TABLE runs (
     seq            INTEGER PRIMARY KEY AUTOINCREMENT,
     id             TEXT NOT NULL UNIQUE,
     workflow_id    TEXT,
     graph_name     TEXT,
     source         TEXT NOT NULL,
     status         TEXT NOT NULL,
     created_at     INTEGER NOT NULL,
     started_at     INTEGER,
     finished_at    INTEGER,
     metadata       TEXT NOT NULL,
     graph_hash     TEXT NOT NULL REFERENCES graphs(hash),
     input          TEXT NOT NULL,
     results        TEXT,
     stats          TEXT,
     errors         TEXT NOT NULL DEFAULT '[]',
     error          TEXT,
     events_dropped INTEGER NOT NULL DEFAULT 0,
     webhook        TEXT
   );
   CREATE INDEX runs_by_status ON runs(status, seq);
   CREATE INDEX runs_by_finish ON runs(finished_at) WHERE finished_at IS NOT NULL;
   CREATE INDEX runs_by_workflow ON runs(workflow_id, seq);
   CREATE TABLE run_events (
     run_id  TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
     events  TEXT NOT NULL,
     dropped INTEGER NOT NULL
   );
   CREATE TABLE idempotency_keys (
     scope        TEXT NOT NULL,
     key          TEXT NOT NULL,
     request_hash TEXT NOT NULL,
     run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     PRIMARY KEY (scope, key)
   );
   CREATE INDEX idempotency_by_run ON idempotency_keys(run_id);
   CREATE INDEX runs_by_graph ON runs(graph_hash);`,
  // What integrations report about a run after it ended (e.g. the Zeal bridge: delivered and dropped counts).
  `ALTER TABLE runs ADD COLUMN integrations TEXT;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to the current schema; refuses a database from a newer version. */
export function migrate(db: DatabaseSync, path: string): void {
  const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (version > SCHEMA_VERSION) {
    throw new Error(`history database ${path} has schema version ${version}, newer than this server's ${SCHEMA_VERSION}: upgrade Actorflow or point ACTORFLOW_DB elsewhere`);
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.exec('BEGIN');
    try {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
