// `jira-sync map-fields`: reads the request type's fields (or, for a plain project, the issue type's create screen) from Jira and the table's columns,
// and writes field_mapping.json: built from scratch the first time (or with --force), merged
// with the existing file otherwise, so a person's edits survive. `--check` compares only.
import fs from 'node:fs';
import type { RequestTypeField } from '../adapters/jira/gateway.js';
import type { ColumnInfo, Row } from '../adapters/postgres/values.js';
import type { ResolvedConfig } from '../config.js';
import { targetWords } from '../configTarget.js';
import { ConfigError, ExitCode } from '../errors.js';
import { checkSourceTable } from '../steps/checkSourceTable.js';
import { describeChange, jiraChanges, tableChanges } from '../mapping/changes.js';
import { checkMapping, checkPassed, formatCheck } from '../mapping/check.js';
import { discoverMapping } from '../mapping/discover.js';
import type { MappingFile, MappingIds } from '../mapping/format.js';
import { issueTypeFields } from '../doctor/issueTarget.js';
import { idMismatch, idMismatchFix, mappingProblems, readMappingFile } from '../mapping/load.js';
import { mergeMapping, replacedSources, sameMapping, type MergeNote } from '../mapping/merge.js';
import { mappingTable } from '../mapping/table.js';
import { CONSOLE_WIDTH, wrapText } from '../wrap.js';
import { writeMappingFile } from '../mapping/write.js';
import { describeJiraFailure } from '../preflight.js';
import { listExisting } from '../doctor/existing.js';
import { connectSource, makeJira, makeLogging, makeNow, newRunId } from '../runtime.js';
import { asJiraError } from '../adapters/jira/errors.js';

export interface MapFieldsOptions {
  /** Rebuild the file from scratch, discarding hand edits (they are listed). */
  force: boolean;
  /** Compare the file with Jira and the table; write nothing. */
  check: boolean;
  /** Console width the output is fitted to (default 100; Infinity: never wrapped). */
  width?: number;
}

type Print = (line: string) => void;

interface Inputs {
  config: ResolvedConfig;
  fields: RequestTypeField[];
  /** What the file is made for, as Jira names it now. */
  ids: MappingIds;
  columns: ColumnInfo[];
  sample: () => Promise<Row | null>;
  now: Date;
  print: Print;
  width: number;
}

/** Exit code: 0 when the file is ready for `run` (or, with --check, matches); 2 otherwise. */
export async function mapFieldsCommand(config: ResolvedConfig, opts: MapFieldsOptions, print: Print): Promise<number> {
  if (opts.force && opts.check) throw new ConfigError(['map-fields: --check changes nothing, so it cannot be combined with --force']);
  const now = makeNow();
  // --check changes nothing, not even the log folder (like run --dry-run).
  const logging = makeLogging(config, newRunId(), now, !opts.check);
  const log = logging.forModule('field_mapping');
  const source = await connectSource(config);
  try {
    const columns = await checkSourceTable(source, config);
    const { fields, ids } = await jiraFields(config, now, logging);
    // Every line fits the console; a list item's continuation lines sit under its text.
    const width = opts.width ?? CONSOLE_WIDTH;
    const fit: Print = (line) => print(wrapText(line, /^ *- /.test(line) ? 4 : 2, width));
    const inputs: Inputs = { config, fields, ids, columns, sample: () => source.newestRow(columns), now: now(), print: fit, width };
    const logWrite = (m: MappingFile, wrote: boolean) =>
      log.info({ file: config.fieldMappingPath, fields: m.fields.length, unmappedRequired: m.unmappedRequired, wrote }, wrote ? 'field mapping written' : 'field mapping unchanged');
    const code = opts.check ? check(inputs) : await refresh(inputs, opts.force, logWrite);
    log.info({ check: opts.check, force: opts.force, exitCode: code }, 'map-fields finished');
    return code;
  } finally {
    await source.close();
    logging.close();
  }
}

/** The fields a ticket takes: the request type's, or (issue mode) the create screen's, every page. */
async function jiraFields(config: ResolvedConfig, now: () => Date, logging: ReturnType<typeof makeLogging>): Promise<{ fields: RequestTypeField[]; ids: MappingIds }> {
  const jira = makeJira(config, now, logging);
  if (config.target.kind === 'issue') {
    const { type, fields } = await issueTypeFields(jira, config);
    return { fields, ids: { projectKey: config.target.projectKey, issueTypeId: type.id, issueTypeName: type.name } };
  }
  try {
    return { fields: await jira.getRequestTypeFields(), ids: { serviceDeskId: config.serviceDeskId, requestTypeId: config.requestTypeId } };
  } catch (err) {
    const e = asJiraError(err, 'get request type fields');
    if (e.kind === 'not-found') throw await notFound(jira, config);
    throw describeJiraFailure(e, config);
  }
}

/** Which id is wrong, with the ones that exist to choose from (the same listing doctor prints). */
async function notFound(jira: ReturnType<typeof makeJira>, config: ResolvedConfig): Promise<ConfigError> {
  const listed = (head: string, items: string[]) => [head, ...items.map((l) => `    ${l}`)].join('\n');
  let deskExists = true;
  try {
    await jira.getServiceDesk();
  } catch (err) {
    if (asJiraError(err, 'get service desk').kind !== 'not-found') throw describeJiraFailure(asJiraError(err, 'get service desk'), config);
    deskExists = false;
  }
  if (!deskExists) {
    const desks = await listExisting(() => jira.listServiceDesks(), 'service desks');
    return new ConfigError([listed(`JSM_SERVICE_DESK_ID: service desk ${config.serviceDeskId} was not found in Jira, or this account cannot see it; set JSM_SERVICE_DESK_ID to one of the desks it can see:`, desks)]);
  }
  const types = await listExisting(() => jira.listRequestTypes(), 'request types');
  return new ConfigError([listed(`JSM_REQUEST_TYPE_ID: request type ${config.requestTypeId} was not found on service desk ${config.serviceDeskId}; set JSM_REQUEST_TYPE_ID to one of its request types:`, types)]);
}

function check(i: Inputs): number {
  const file = i.config.fieldMappingPath;
  if (!fs.existsSync(file)) {
    i.print(`${file} does not exist yet: run \`jira-sync map-fields\` to create it.`);
    return ExitCode.usage;
  }
  let cached: MappingFile;
  try {
    cached = readMappingFile(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    i.print(`${file} cannot be used:`);
    for (const p of err.problems) i.print(`  - ${p}`);
    return ExitCode.usage;
  }
  const result = checkMapping(cached, i.fields, i.columns, i.config, file);
  for (const line of formatCheck(result, file)) i.print(line);
  return checkPassed(result) ? ExitCode.ok : ExitCode.usage;
}

/** The existing file, when a refresh may build on it; a reason to stop otherwise. */
function existing(i: Inputs, force: boolean): { old: MappingFile | null; stop?: string[] } {
  const file = i.config.fieldMappingPath;
  if (!fs.existsSync(file)) return { old: null };
  try {
    const old = readMappingFile(file);
    const ids = idMismatch(old, i.config, file);
    if (ids) {
      // With --force the old file describes another request or issue type: nothing in it carries over.
      if (force) return { old: null };
      return { old, stop: [`${ids}. Nothing was changed: ${idMismatchFix(i.config)}.`] };
    }
    return { old };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Never overwrite a file a person is half-way through editing: say what is wrong instead.
    if (force) return { old: null };
    return { old: null, stop: [...err.problems, `Nothing was changed. Fix ${file}, or run \`jira-sync map-fields --force\` to rebuild it from scratch (your edits in it are then lost).`] };
  }
}

async function refresh(i: Inputs, force: boolean, logWrite: (m: MappingFile, wrote: boolean) => void): Promise<number> {
  const file = i.config.fieldMappingPath;
  const { old, stop } = existing(i, force);
  if (stop) {
    for (const line of stop) i.print(line);
    return ExitCode.usage;
  }
  const build = { ids: i.ids, idColumn: i.config.idColumn, now: i.now };
  let mapping: MappingFile;
  let notes: MergeNote[] = [];
  if (old && !force) ({ mapping, notes } = mergeMapping(old, i.fields, i.columns, build));
  else {
    mapping = discoverMapping(i.fields, i.columns, build);
    if (old) notes = replacedSources(old, mapping);
  }

  const table = mappingTable(mapping, i.columns, await i.sample(), i.width);
  i.print(table.text);
  i.print('');
  for (const line of table.marked) i.print(line);
  if (table.marked.length > 0) i.print('');

  if (old) {
    const changes = jiraChanges(old.fields, i.fields).map((c) => describeChange(c, i.config.target.kind));
    i.print(changes.length > 0 ? 'Changed in Jira since the last map-fields:' : 'Nothing changed in Jira since the last map-fields.');
    for (const c of changes) i.print(`  - ${c}`);
    const table = tableChanges(old.columns, i.columns);
    if (table.length > 0) i.print('Changed in the table since the last map-fields:');
    for (const c of table) i.print(`  - ${c}`);
  }
  if (notes.length > 0) {
    i.print(force ? 'Rebuilt from scratch (--force):' : 'Mapping updates:');
    for (const n of notes) i.print(`  - ${n.name} (${n.fieldId}): ${n.text}`);
  }
  if (mapping.unusedColumns.length > 0) i.print(`Columns no field uses (they still appear in the description and the attachment): ${mapping.unusedColumns.join(', ')}`);

  const unchanged = old !== null && sameMapping(old, mapping);
  if (!unchanged) writeMappingFile(file, mapping);
  logWrite(mapping, !unchanged);
  i.print(unchanged ? `${file} is up to date; not rewritten.` : `Wrote ${file} (${mapping.fields.length} fields).`);

  const problems = mappingProblems(mapping, i.columns, i.config, file);
  if (problems.length > 0) {
    i.print(`\`run\` refuses to start until these are fixed in ${file}:`);
    for (const p of problems) i.print(`  - ${p}`);
    return ExitCode.usage;
  }
  if (!mapping.fields.some((f) => f.fieldId === 'description' || f.fieldId === 'labels')) {
    // The marker lives in the description or a label; without either, a lost create answer cannot be settled.
    const where = targetWords(i.config.target.kind).fieldsIn;
    i.print(`Warning: ${where} has neither a Description nor a Labels field, so jira-sync cannot mark its tickets; after a crash it cannot tell whether a ticket was created. Add one of them to ${where} in Jira.`);
  }
  return ExitCode.ok;
}
