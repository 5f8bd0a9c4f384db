// Matching of submitted text against a field's cached Jira options (validValues).
// Pure lookups; convert.ts turns failures into operator-facing messages.

import type { ValidValue } from './format.js';

/** Comparison key: people type "mobile phone", " Mobile  Phone " or a differently
 *  composed "é"; all of those mean the option labelled "Mobile phone". */
function key(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/**
 * The option `input` names: its label (exact, then case/space-insensitive), else its
 * exact option id. Labels win over ids so that an option labelled "2" is not shadowed
 * by another option whose id happens to be "2".
 */
export function findOption(options: readonly ValidValue[], input: string): ValidValue | undefined {
  const trimmed = input.trim();
  const wanted = key(input);
  return (
    options.find((o) => o.label.trim() === trimmed) ??
    options.find((o) => key(o.label) === wanted) ??
    options.find((o) => o.value === trimmed)
  );
}

const LIST_LIMIT = 25;

/** "Mobile phone, Headset" — capped so a 300-option field does not flood the error report. */
export function allowedList(options: readonly ValidValue[]): string {
  const labels = options.map((o) => o.label);
  if (labels.length <= LIST_LIMIT) return labels.join(', ');
  return `${labels.slice(0, LIST_LIMIT).join(', ')}, … and ${labels.length - LIST_LIMIT} more`;
}

/**
 * Separators accepted between parent and child of a cascading select, in order of
 * preference: "Parent > Child", "Parent / Child", "Parent: Child". Spaces around them
 * are optional.
 */
export const CASCADE_SEPARATORS = ['>', '/', ':'] as const;

export type CascadeMatch =
  | { ok: true; parent: ValidValue; child?: ValidValue }
  | { ok: false; parent?: ValidValue; childText?: string };

/** Every way of cutting `input` at one separator, preferred separator first. */
function* cuts(input: string): Generator<[string, string]> {
  for (const sep of CASCADE_SEPARATORS) {
    for (let i = input.indexOf(sep); i !== -1; i = input.indexOf(sep, i + 1)) {
      yield [input.slice(0, i), input.slice(i + 1)];
    }
  }
}

/**
 * Resolve "Parent > Child" against the options. Because labels may themselves contain
 * a separator ("Hardware/Software", "Time: urgent"), the whole text is first tried as a
 * parent, and then every cut position is tried until parent and child both match.
 */
export function matchCascade(options: readonly ValidValue[], input: string): CascadeMatch {
  const whole = findOption(options, input);
  if (whole) return { ok: true, parent: whole };
  let nearMiss: { parent: ValidValue; childText: string } | undefined;
  for (const [left, right] of cuts(input)) {
    if (left.trim() === '') continue;
    const parent = findOption(options, left);
    if (!parent) continue;
    // "Hardware >" with nothing after it: the operator chose only the parent.
    if (right.trim() === '') return { ok: true, parent };
    const child = findOption(parent.children ?? [], right);
    if (child) return { ok: true, parent, child };
    nearMiss ??= { parent, childText: right.trim() };
  }
  return nearMiss ? { ok: false, ...nearMiss } : { ok: false };
}

/** Matching for two values that arrive already separated (a Postgres text[] of [parent, child]). */
export function matchCascadeParts(options: readonly ValidValue[], parentText: string, childText: string | undefined): CascadeMatch {
  const parent = findOption(options, parentText);
  if (!parent) return { ok: false };
  if (childText === undefined || childText.trim() === '') return { ok: true, parent };
  const child = findOption(parent.children ?? [], childText);
  return child ? { ok: true, parent, child } : { ok: false, parent, childText: childText.trim() };
}

/** Without cached options nothing can be checked: cut at the first preferred separator. */
export function splitCascade(input: string): [string, string | undefined] {
  for (const sep of CASCADE_SEPARATORS) {
    const i = input.indexOf(sep);
    if (i > 0) {
      const child = input.slice(i + 1).trim();
      return [input.slice(0, i).trim(), child === '' ? undefined : child];
    }
  }
  return [input.trim(), undefined];
}
