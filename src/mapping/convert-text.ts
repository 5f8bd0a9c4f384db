// Length limits of Jira text fields, and cutting text to fit them. Jira validates lengths
// with Java's String.length(), i.e. UTF-16 code units (an emoji counts 2); counting the same
// way guarantees we never send a value Jira rejects.
import type { MappedField } from './format.js';

export const TEXT_LIMIT = 32_767;
const SUMMARY_LIMIT = 255;
// Jira's "Text Field (single line)" custom fields hold at most 255 characters; paragraph
// fields and system text fields hold 32,767.
const SINGLE_LINE_LIMIT = 255;
const ELLIPSIS = '…';

export function textLimit(field: MappedField): number {
  return field.jiraSchema?.custom?.endsWith(':textfield') ? SINGLE_LINE_LIMIT : TEXT_LIMIT;
}

// Characters that belong to the one before them: combining marks and variation selectors
// (\p{M}), the zero-width joiner of emoji sequences, skin-tone modifiers and flag tags.
const MARK = /^\p{M}$/u;
function continuesGrapheme(cp: number): boolean {
  return cp === 0x200d || (cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0xe0020 && cp <= 0xe007f) || MARK.test(String.fromCodePoint(cp));
}
const isRegionalIndicator = (cp: number | undefined) => cp !== undefined && cp >= 0x1f1e6 && cp <= 0x1f1ff;

/**
 * The longest prefix of `text` that fits in `limit` UTF-16 units without cutting a surrogate
 * pair, and without cutting off an accent, an emoji sequence or half of a flag. (Simple rules
 * instead of Intl.Segmenter, whose iteration slows down quadratically on long texts.)
 */
export function fitUtf16(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = Math.max(0, limit);
  while (end > 0) {
    const unit = text.charCodeAt(end);
    const cp = text.codePointAt(end) as number;
    if (unit >= 0xdc00 && unit <= 0xdfff) end -= 1; // inside a surrogate pair
    else if (continuesGrapheme(cp) || text.charCodeAt(end - 1) === 0x200d) end -= 1;
    else if (isRegionalIndicator(cp) && regionalIndicatorsBefore(text, end) % 2 === 1) end -= 2; // second half of a flag
    else break;
  }
  return text.slice(0, end);
}

function regionalIndicatorsBefore(text: string, end: number): number {
  let n = 0;
  for (let i = end - 2; i >= 0 && isRegionalIndicator(text.codePointAt(i)); i -= 2) n++;
  return n;
}

/** One line of at most 255 UTF-16 units, shortened with a visible ellipsis. */
export function toSummary(input: string): string {
  // Jira shows the summary on one line and rejects line breaks in it.
  const line = input.replace(/\s+/gu, ' ').trim();
  if (line.length <= SUMMARY_LIMIT) return line;
  // The full text stays in the description ("Full summary:") and the attachment.
  return fitUtf16(line, SUMMARY_LIMIT - ELLIPSIS.length).trimEnd() + ELLIPSIS;
}
