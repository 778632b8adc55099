import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NGINX_PROXY_SNIPPET, NginxSiteOptions, renderNginxSite } from "../../modules/django/host";
import { requireTool } from "../required-tools";
import { Processes, freePort } from "../tools";

/**
 * Debian's nginx serving the hosts' own site (`renderNginxSite`) on a free loopback port,
 * its files under `work`, as `processes`' `nginx`. Returns the port. The site's paths (the
 * proxy snippet, the split layout's upstream include, the nginx-balanced layout's app hosts
 * `app-hosts.conf`, which must exist before it starts) are moved under `work`.
 */
export async function startNginx(processes: Processes, work: string, site: Omit<NginxSiteOptions, "listenPort" | "proxySnippet" | "upstreamInclude" | "appHostsInclude">, upstream?: string): Promise<number> {
  const nginx = requireTool("nginx");
  chmodSync(work, 0o755);
  // nginx's workers run unprivileged: their temp directories must be writable to them.
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => {
    mkdirSync(join(work, kind), { recursive: true });
    chmodSync(join(work, kind), 0o777);
    return `    ${kind}_temp_path ${join(work, kind)};`;
  });
  const port = await freePort();
  writeFileSync(join(work, "proxy.conf"), NGINX_PROXY_SNIPPET);
  if (upstream) writeFileSync(join(work, "upstream.conf"), `set $cloudtiers_upstream "http://${upstream}";\n`);
  writeFileSync(join(work, "site.conf"), renderNginxSite({ ...site, listenPort: port, proxySnippet: join(work, "proxy.conf"), upstreamInclude: join(work, "upstream.conf"), appHostsInclude: join(work, "app-hosts.conf") }));
  writeFileSync(
    join(work, "nginx.conf"),
    [
      "worker_processes 1;",
      `pid ${join(work, "nginx.pid")};`,
      `error_log ${join(work, "error.log")};`,
      "events { worker_connections 64; }",
      "http {",
      `    access_log ${join(work, "access.log")};`,
      ...temp,
      `    include ${join(work, "site.conf")};`,
      "}",
      "",
    ].join("\n"),
  );
  processes.start("nginx", nginx, ["-e", join(work, "error.log"), "-c", join(work, "nginx.conf"), "-g", "daemon off;"]);
  return port;
}
