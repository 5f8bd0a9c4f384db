// Jira Cloud's issue API (v3) takes the description and every paragraph (textarea) field only as
// an Atlassian Document Format document, never as a string. The document is built from the text
// as it is: each line a paragraph, nothing read as markup, so what the form said is what Jira shows.
// Data Center (v2) and the JSM request API take the same text plain.
import type { MappedField } from './format.js';

export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: { type: 'paragraph'; content: { type: 'text'; text: string }[] }[];
}

/** Line breaks become paragraphs; blank lines are dropped (Jira refuses an empty text node). */
export function textToDocument(text: string): AdfDocument {
  const lines = text.split(/\r\n|\r|\n/).filter((line) => line !== '');
  return { type: 'doc', version: 1, content: lines.map((line) => ({ type: 'paragraph', content: [{ type: 'text', text: line }] })) };
}

/** The fields API v3 wants as a document: the description and multi-line text custom fields. */
export function isDocumentField(f: Pick<MappedField, 'fieldId' | 'jiraSchema'>): boolean {
  return f.fieldId === 'description' || f.jiraSchema?.system === 'description' || f.jiraSchema?.custom?.endsWith(':textarea') === true;
}
