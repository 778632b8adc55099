import { plainSpecText, replaceEach } from "../core";

/**
 * Where a page's title and message come from: `spec`, an environment spec, whose every
 * character is data (never a reference, whatever it looks like); `terraform`, a module's
 * variables (references, which Terraform escapes when it applies).
 */
export type PageTextSource = "spec" | "terraform";

/**
 * Characters made safe for HTML, and `$` too: a page is written into Terraform (an S3
 * object, a Worker's source), and no text of it may read as a reference or an
 * interpolation there (`${...}`). `&#36;` shows as `$`.
 */
const HTML_ESCAPES: readonly (readonly [string, string])[] = [
  ["&", "&amp;"],
  ["<", "&lt;"],
  [">", "&gt;"],
  ['"', "&quot;"],
  ["$", "&#36;"],
];

/** Text made safe for HTML: by Terraform for a module's variables, here for a spec's text. */
function escapeHtml(text: string, from: PageTextSource): string {
  if (from === "terraform") return replaceEach(text, HTML_ESCAPES);
  // A stack's spec text comes with marks for `${` and `%{` (literalSpec): here every `$` is `&#36;` instead.
  return HTML_ESCAPES.reduce((t, [search, by]) => t.split(search).join(by), plainSpecText(text));
}

/**
 * The static page DNS failover serves while the site is unhealthy. `title` and `message`
 * are a spec's text unless `from` says they are a module's variables (references).
 */
export function renderMaintenancePage(title: string, message: string, from: PageTextSource = "spec"): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title, from)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:20vh auto;padding:0 1rem;color:#222}h1{font-size:1.6rem}</style>
</head>
<body>
<h1>${escapeHtml(title, from)}</h1>
<p>${escapeHtml(message, from)}</p>
</body>
</html>
`;
}
