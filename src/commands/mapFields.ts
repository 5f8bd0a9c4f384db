// `jira-sync map-fields`: asks Jira for the request type's fields and writes field_mapping.json.
import type { ResolvedConfig } from '../config.js';
import { describeSource } from '../main.js';
import { discoverMapping } from '../mapping/discover.js';
import type { MappingFile } from '../mapping/format.js';
import { writeMappingFile } from '../mapping/write.js';
import { describeJiraFailure } from '../preflight.js';
import { connectSource, makeJira, makeLogging, makeNow, newRunId } from '../runtime.js';
import { asJiraError } from '../steps/createTicket.js';
import { ConfigError } from '../errors.js';

function describeSourceOf(m: MappingFile['fields'][number]): string {
  const s = m.source;
  if (!s) return m.fieldId === 'description' || m.fieldId === 'labels' ? '(filled by jira-sync)' : m.required ? 'UNMAPPED (required)' : '-';
  if ('column' in s) return `column ${s.column}${s.match ? ` (${s.match})` : ''}`;
  if ('template' in s) return `template "${s.template}"`;
  return `constant ${JSON.stringify(s.constant)}`;
}

export function formatMappingTable(m: MappingFile): string {
  const rows = [['Jira field', 'required', 'type', 'source'], ...m.fields.map((f) => [`${f.name} (${f.fieldId})`, f.required ? 'yes' : 'no', f.kind, describeSourceOf(f)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export async function mapFieldsCommand(config: ResolvedConfig, print: (line: string) => void): Promise<number> {
  const now = makeNow();
  const logging = makeLogging(config, newRunId(), now);
  const log = logging.forModule('field_mapping');
  const source = await connectSource(config);
  try {
    const columns = await describeSource(source, config);
    const jira = makeJira(config, now, logging);
    let fields;
    try {
      fields = await jira.getRequestTypeFields();
    } catch (err) {
      const e = asJiraError(err, 'get request type fields');
      if (e.kind === 'not-found') {
        throw new ConfigError([`request type ${config.requestTypeId} on service desk ${config.serviceDeskId} was not found in Jira (JSM_SERVICE_DESK_ID, JSM_REQUEST_TYPE_ID)`]);
      }
      throw describeJiraFailure(e, config);
    }
    const mapping = discoverMapping(fields, columns, { serviceDeskId: config.serviceDeskId, requestTypeId: config.requestTypeId, idColumn: config.idColumn, now: now() });
    writeMappingFile(config.fieldMappingPath, mapping);
    log.info({ file: config.fieldMappingPath, fields: mapping.fields.length, unmappedRequired: mapping.unmappedRequired }, 'field mapping written');
    print(formatMappingTable(mapping));
    print('');
    print(`Wrote ${config.fieldMappingPath} (${mapping.fields.length} fields).`);
    if (mapping.unusedColumns.length > 0) print(`Columns no field uses (they still appear in the description and the attachment): ${mapping.unusedColumns.join(', ')}`);
    if (mapping.unmappedRequired.length > 0) {
      print(`Required fields without a source: ${mapping.unmappedRequired.join(', ')}. Edit ${config.fieldMappingPath} to give each a column, template or constant; \`run\` refuses to start until then.`);
      return 2;
    }
    return 0;
  } finally {
    await source.close();
    logging.close();
  }
}
