// The CLI wraps long lines to 100 columns (doctor, status); a continuation line is indented
// five or more spaces. Tests that match a whole sentence read the output with those joined.
// A `fix:` line or a `- ` list item is a line of its own, not a continuation.
export const unwrap = (out: string): string => out.replace(/\n {5,}(?!fix: |- )/g, ' ');
