/** `text` (the file `file`) with the block from `start` to `end`, markers included, replaced by `block`; throws when the markers are missing. */
export function withMarkedBlock(text: string, file: string, start: string, end: string, block: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no "${start}" ... "${end}" block to rewrite`);
  return text.slice(0, from) + block + text.slice(to + end.length);
}
