// Console output fits a terminal: a line longer than the width is wrapped at spaces, and its
// continuation lines are indented, so each entry of a list (a status row, a doctor check)
// still reads as one block on an 80- or 100-column screen.

export const CONSOLE_WIDTH = 100;

/** `line` as one or more lines of at most `width` characters; continuations start with `indent` spaces. */
export function wrapLine(line: string, indent: number, width = CONSOLE_WIDTH): string[] {
  const length = (t: string) => Array.from(t).length;
  if (length(line) <= width) return [line];
  const out: string[] = [];
  const pad = ' '.repeat(indent);
  const lead = /^ */.exec(line)?.[0] ?? '';
  // Words and the gaps between them alternate; gaps are kept as they are ("ok   tracker").
  const tokens = line.slice(lead.length).split(/( +)/);
  let current = lead;
  for (let i = 0; i < tokens.length; i += 2) {
    const word = tokens[i] ?? '';
    const gap = tokens[i - 1] ?? '';
    if (current.trim() !== '' && length(current + gap + word) > width) {
      out.push(current);
      current = pad + word;
    } else {
      current += current.trim() === '' ? word : gap + word;
    }
    // A single word wider than the line (a long path) is cut, so no line exceeds the width.
    while (length(current) > width) {
      const chars = Array.from(current);
      out.push(chars.slice(0, width).join(''));
      current = pad + chars.slice(width).join('');
    }
  }
  out.push(current);
  return out;
}

/** Every line of `text` wrapped; the continuation indent is the line's own indent plus `extra`. */
export function wrapText(text: string, extra: number, width = CONSOLE_WIDTH): string {
  return text
    .split('\n')
    .flatMap((l) => wrapLine(l, (/^ */.exec(l)?.[0].length ?? 0) + extra, width))
    .join('\n');
}
