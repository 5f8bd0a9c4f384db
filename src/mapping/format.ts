// The field_mapping.json format. Users edit this file by hand, so every property
// is plain JSON and documented in the README ("field_mapping.json").

/** How a value is converted for Jira; derived from the field's jiraSchema. */
export type FieldKind =
  | 'summary'
  | 'text'
  | 'number'
  | 'date'
  | 'datetime'
  | 'select'
  | 'multiselect'
  | 'labels'
  | 'cascade'
  | 'unsupported';

/** A Jira option as cached from the request type's validValues. */
export interface ValidValue {
  value: string; // Jira's option id
  label: string;
  children?: ValidValue[];
}

/** Where a field's value comes from. Exactly one of the properties is set. */
export type FieldSource =
  | { column: string; match?: 'exact' | 'synonym' | 'prefix' | 'manual' }
  | { template: string }
  | { constant: unknown };

export interface MappedField {
  fieldId: string;
  name: string;
  required: boolean;
  kind: FieldKind;
  /** Jira's jiraSchema for the field, kept for reference and for change detection. */
  jiraSchema?: { type?: string; items?: string; system?: string; custom?: string; customId?: number };
  validValues?: ValidValue[];
  /** null: nothing feeds this field (allowed only for optional fields). */
  source: FieldSource | null;
}

/** What a mapping file was made for: a service desk's request type, or a plain project's issue type. */
export type MappingIds = { serviceDeskId: string; requestTypeId: string } | { projectKey: string; issueTypeId: string; issueTypeName: string };

export interface MappingFile {
  version: 1;
  /** Request mode: the service desk and request type the file was made for. */
  serviceDeskId?: string;
  requestTypeId?: string;
  /** Issue mode: the project and issue type (its id, and its name for people) the file was made for. */
  projectKey?: string;
  issueTypeId?: string;
  issueTypeName?: string;
  generatedAt: string;
  /** Delimiter for multi-select / checkbox / labels values held in one text column. */
  delimiter: string;
  fields: MappedField[];
  /** Columns of the source table that no field uses (informational). */
  unusedColumns: string[];
  /** Required fields without a source; `run` refuses to start while this is non-empty. */
  unmappedRequired: string[];
  /** The table's columns and their Postgres types when map-fields last wrote the file
   *  (informational): `map-fields --check` reports columns added, removed or retyped since. */
  columns?: Record<string, string>;
}

export function kindFromSchema(schema: MappedField['jiraSchema'] | undefined, fieldId: string): FieldKind {
  const type = schema?.type;
  if (fieldId === 'summary' || schema?.system === 'summary') return 'summary';
  if (schema?.system === 'labels' || (type === 'array' && schema?.items === 'string' && fieldId === 'labels')) return 'labels';
  switch (type) {
    case 'string':
      return 'text';
    case 'number':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'option':
    case 'priority':
      return 'select';
    case 'option-with-child':
      return 'cascade';
    case 'array':
      if (schema?.items === 'option') return 'multiselect';
      if (schema?.items === 'string') return 'labels';
      return 'unsupported';
    default:
      return 'unsupported';
  }
}

/** The ids a file was made for, in the file's own order of properties. */
export function mappingIdsOf(m: MappingFile): MappingIds {
  if (m.projectKey !== undefined) return { projectKey: m.projectKey, issueTypeId: m.issueTypeId ?? '', issueTypeName: m.issueTypeName ?? '' };
  return { serviceDeskId: m.serviceDeskId ?? '', requestTypeId: m.requestTypeId ?? '' };
}
