import { replaceEach } from "../core";

/** Text made safe for HTML; by Terraform when it is a reference (a module's variable). */
function escapeHtml(text: string): string {
  return replaceEach(text, [
    ["&", "&amp;"],
    ["<", "&lt;"],
    [">", "&gt;"],
    ['"', "&quot;"],
  ]);
}

/** The static page DNS failover serves while the site is unhealthy; `title` and `message` may be references. */
export function renderMaintenancePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:20vh auto;padding:0 1rem;color:#222}h1{font-size:1.6rem}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
</body>
</html>
`;
}
