/** `text` (the file `file`) with the block from `start` to `end`, markers included, replaced by `block`; throws when the markers are missing. */
export function withMarkedBlock(text: string, file: string, start: string, end: string, block: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no "${start}" ... "${end}" block to rewrite`);
  return text.slice(0, from) + block + text.slice(to + end.length);
}

/**
 * A page's copy of what a command prints: the fenced block that starts with the line
 * `$ <command>`, up to its closing fence. `blockUnder` reads it, `withBlockUnder` replaces it.
 */
function blockBounds(page: string, command: string): [number, number] | undefined {
  const opening = `$ ${command}\n`;
  const start = page.indexOf(opening);
  const end = start < 0 ? -1 : page.indexOf("\n```", start);
  return start < 0 || end < 0 ? undefined : [start + opening.length, end];
}

/** The text of `page`'s block under `$ <command>`; undefined when it has none. */
export function blockUnder(page: string, command: string): string | undefined {
  const bounds = blockBounds(page, command);
  return bounds && page.slice(...bounds);
}

/** `page` with its block under `$ <command>` replaced by `text`; throws when it has none. */
export function withBlockUnder(page: string, command: string, text: string): string {
  const bounds = blockBounds(page, command);
  if (!bounds) throw new Error(`no block under "$ ${command}" to rewrite`);
  return `${page.slice(0, bounds[0])}${text.trimEnd()}${page.slice(bounds[1])}`;
}
