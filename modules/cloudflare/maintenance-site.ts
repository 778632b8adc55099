import { Fn } from "cdktf";
import { Construct } from "constructs";
import { WorkersCustomDomain } from "@cdktf/provider-cloudflare/lib/workers-custom-domain";
import { WorkersScript } from "@cdktf/provider-cloudflare/lib/workers-script";
import { IStaticSite, StaticSiteProps, isReference, terraformLiteral, terraformTemplate } from "../core";
import { ICloudflareZone } from "./zone";

export interface MaintenanceSiteProps extends Omit<StaticSiteProps, "zone"> {
  readonly zone: ICloudflareZone;
}

/** A JavaScript expression of a text that holds references: its literal parts as JSON strings, joined with each reference JSON-encoded by Terraform. */
function textExpression(text: string): string {
  return text
    .split(/(\$\{TfToken\[[^\]]+\]\})/)
    .filter((part) => part !== "")
    .map((part) => (isReference(part) ? Fn.jsonencode(part) : JSON.stringify(part)))
    .join(" + ");
}

/** The files as a JavaScript object literal: JSON, or, when a page holds references, an object of string expressions. */
function filesLiteral(files: Readonly<Record<string, string>>): string {
  if (!Object.values(files).some(isReference)) return JSON.stringify(files);
  return `{ ${Object.entries(files)
    .map(([path, text]) => `${JSON.stringify(path)}: ${textExpression(text)}`)
    .join(", ")} }`;
}

/**
 * The Worker's source: every path answers with its page, or `index.html`, and status 503.
 * Pages may hold references (a module's variables): the source then holds one too.
 */
export function maintenanceWorker(files: Readonly<Record<string, string>>): string {
  return `const FILES = ${filesLiteral(files)};
const TYPES = { html: "text/html; charset=utf-8", css: "text/css; charset=utf-8", svg: "image/svg+xml" };

export default {
  async fetch(request) {
    const path = new URL(request.url).pathname.replace(/^\\/+/, "");
    const name = path in FILES ? path : "index.html";
    const type = TYPES[name.split(".").pop()] ?? "text/plain; charset=utf-8";
    return new Response(FILES[name], {
      status: 503,
      headers: { "content-type": type, "cache-control": "no-store", "retry-after": "300" },
    });
  },
};
`;
}

/**
 * The maintenance site on Cloudflare: a Worker that answers every path with the page and
 * a 503, on its own host name in the zone, which the failover's fallback pool uses as its
 * origin. Spaces cannot serve it: it has no index documents and a CDN in front of it
 * cannot rewrite every path to one page.
 */
export class MaintenanceSite extends Construct implements IStaticSite {
  public readonly domain: string;
  /** The Worker's own host name, the fallback pool's origin. */
  public readonly hostname: string;

  constructor(scope: Construct, id: string, props: MaintenanceSiteProps) {
    super(scope, id);
    if (!("index.html" in props.files)) throw new Error("a static site needs an index.html");
    this.domain = props.domain;
    this.hostname = `maintenance.${props.domain}`;
    const source = maintenanceWorker(props.files);
    const script = new WorkersScript(this, "worker", {
      accountId: props.zone.accountId,
      scriptName: `${props.namePrefix}-maintenance`,
      mainModule: "worker.js",
      content: isReference(source) ? terraformTemplate(source) : terraformLiteral(source),
      compatibilityDate: "2025-01-01",
    });
    new WorkersCustomDomain(this, "domain", {
      accountId: props.zone.accountId,
      zoneId: props.zone.zoneId,
      hostname: this.hostname,
      service: script.scriptName,
    });
  }
}
