import { parse } from "yaml";
import { dropletUserData, specWith, synthDoEnvironment } from "../helpers";
import { RSYSLOG_FORWARD, permittedPeers } from "../../modules/digitalocean/logging";
import { APP_LOG_TAG, HOST_PATHS } from "../../modules/django/host";
import { validateEnvironment } from "../../modules/stacks/validate";
import { formatIssue } from "../../modules/core/errors";
import { dev } from "../../environments/dev";

/*
 * The hosts' logs on DigitalOcean (modules/digitalocean/logging.ts): rsyslog forwards them,
 * over TLS, to the endpoint digitalocean.logDestination names. rsyslogd -N1 accepts the
 * rendered configuration: test/django/host-tools.test.ts.
 */

const spec = specWith({ logs: {}, digitalocean: { ...dev.digitalocean!, logDestination: "logs5.papertrailapp.com:12345" } });
const s = synthDoEnvironment(spec);
const files = (pool: string): { path: string; content: string }[] => parse(dropletUserData(s, pool)).write_files;
const forward = (pool: string) => files(pool).find((f) => f.path === RSYSLOG_FORWARD)!.content;

describe("the DigitalOcean hosts' logs", () => {
  it("go to the named endpoint over TLS, its certificate checked against its name, queued on disk while it is away", () => {
    const conf = forward("web-pool");
    expect(conf).toContain('target="logs5.papertrailapp.com" port="12345" protocol="tcp" TCP_Framing="octet-counted"');
    // Its own name, or its parent domain's wildcard, which log services' certificates carry.
    expect(conf).toContain('StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="logs5.papertrailapp.com,*.papertrailapp.com"');
    // A full queue drops lines rather than hold up the host's other logs.
    expect(conf).toContain('queue.timeoutEnqueue="0"');
    expect(conf).toContain('queue.type="LinkedList"');
    expect(conf).toContain('action.resumeRetryCount="-1"');
  });

  it("trust a certificate for the endpoint's name or its parent domain's wildcard, never a bare top-level one", () => {
    expect(permittedPeers("logs5.papertrailapp.com")).toBe("logs5.papertrailapp.com,*.papertrailapp.com");
    expect(permittedPeers("example.com")).toBe("example.com");
  });

  it("are the application's on every host and nginx's files on web hosts", () => {
    expect(forward("web-pool")).toContain(`if $programname == "${APP_LOG_TAG}" or $programname == "nginx-access" or $programname == "nginx-error" then {`);
    expect(forward("web-pool")).toContain(`File="${HOST_PATHS.nginxAccessLog}"`);
    expect(forward("worker-pool")).toContain(`if $programname == "${APP_LOG_TAG}" then {`);
    expect(forward("worker-pool")).not.toContain("imfile");
    // rsyslog's TLS driver is installed at first boot.
    expect(files("worker-pool").find((f) => f.path === HOST_PATHS.bootstrap)!.content).toContain("rsyslog-gnutls");
  });

  it("need a destination: DigitalOcean keeps none, and one that is not host:port is refused", () => {
    const issues = (digitalocean: object) => validateEnvironment(specWith({ logs: {}, digitalocean: { ...dev.digitalocean!, ...digitalocean } })).map(formatIssue);
    expect(issues({})).toEqual(['dev: digitalocean.logDestination is required with logs: DigitalOcean keeps no logs for droplets; name a syslog-over-TLS endpoint "host:port" to send them to']);
    expect(issues({ logDestination: "https://logs.example.com" })).toEqual([
      'dev: digitalocean.logDestination must be a syslog-over-TLS endpoint "host:port", such as "logs5.papertrailapp.com:12345", got "https://logs.example.com"',
    ]);
    expect(issues({ logDestination: "logs.example.com:70000" })).toHaveLength(1);
  });

  it("stay on the hosts without a logs section", () => {
    const none = synthDoEnvironment(specWith({}));
    expect(parse(dropletUserData(none, "web-pool")).write_files.some((f: { path: string }) => f.path.startsWith("/etc/rsyslog.d/"))).toBe(false);
  });
});
