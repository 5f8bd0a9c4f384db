// Step 1: the source table, checked before anything is written: it must exist and have every
// column the configuration names, so a typo in SOURCE_* is one clear error, not a failed run later.
import type { PostgresSource } from '../adapters/postgres/source.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
import type { ResolvedConfig } from '../config.js';
import { ConfigError } from '../errors.js';

/** Checks, before anything is written, that the table has what the configuration names. */
export async function checkSourceTable(source: PostgresSource, config: ResolvedConfig): Promise<ColumnInfo[]> {
  const columns = await source.describeTable();
  if (!columns) throw new ConfigError([`table "${config.sourceTable}" does not exist in the database (SOURCE_TABLE)`]);
  const names = new Set(columns.map((c) => c.name));
  const problems: string[] = [];
  const need: [string, string][] = [[config.idColumn, 'SOURCE_ID_COLUMN'], [config.timestampColumn, 'SOURCE_TIMESTAMP_COLUMN']];
  for (const c of config.uniqueKeyColumns ?? []) need.push([c, 'UNIQUE_KEY_COLUMNS']);
  if (config.raiseOnBehalfOfColumn) need.push([config.raiseOnBehalfOfColumn, 'RAISE_ON_BEHALF_OF_COLUMN']);
  for (const [col, variable] of need) {
    if (!names.has(col)) problems.push(`column "${col}" (${variable}) does not exist in table "${config.sourceTable}"; it has: ${[...names].join(', ')}`);
  }
  const ts = columns.find((c) => c.name === config.timestampColumn);
  if (ts && ts.kind !== 'timestamp' && ts.kind !== 'date') {
    problems.push(`column "${ts.name}" (SOURCE_TIMESTAMP_COLUMN) is ${ts.pgType}; it must be a timestamp or date column`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return columns;
}
