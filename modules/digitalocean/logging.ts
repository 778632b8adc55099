import { Construct } from "constructs";
import { ILogging, LogShipping, LoggingProps, PoolRole } from "../core";
import { APP_LOG_TAG, HOST_PATHS, NGINX_LOG_TAGS } from "../django/host";

export interface DoLoggingProps extends LoggingProps {
  /** The syslog-over-TLS endpoint, `host:port` (`digitalocean.logDestination`). */
  readonly destination: string;
}

/** Where rsyslog keeps the lines it could not send yet, on the host's disk, and how much of it at most. */
const QUEUE = { file: "cloudtiers-forward", maxDiskSpace: "512m" } as const;
/** The CA bundle rsyslog checks the endpoint's certificate against: the host's own (ca-certificates). */
const CA_FILE = "/etc/ssl/certs/ca-certificates.crt";
/** Between the application's file (40-) and the rule that keeps shipped lines out of /var/log/syslog (49-). */
export const RSYSLOG_FORWARD = "/etc/rsyslog.d/45-cloudtiers-forward.conf";

/**
 * The names the endpoint's certificate may carry: its own, and the wildcard of its parent
 * domain, which log services use (rsyslog matches a name without a wildcard by plain string
 * comparison, runtime/net.c, so `logs5.example.com` alone refuses `*.example.com`).
 */
export function permittedPeers(host: string): string {
  const labels = host.split(".");
  return labels.length > 2 ? `${host},*.${labels.slice(1).join(".")}` : host;
}

/**
 * The hosts' logs sent, as they are written, to a syslog-over-TLS endpoint the user names
 * (RFC 5425: Papertrail, Better Stack, a Graylog or Loki of their own...). DigitalOcean keeps
 * no logs for droplets, and its managed OpenSearch takes forwarded logs only from its
 * databases, so a droplet would need a shipper anyway: rsyslog, on every Ubuntu host already,
 * with TLS (rsyslog-gnutls) and the certificate checked against the endpoint's name, and a
 * disk queue that keeps what it cannot send while the endpoint is unreachable.
 * PROVIDER GAP: how long the logs are kept is the endpoint's to say (`logs.retentionDays`
 * has no effect here).
 */
export class DoLogging extends Construct implements ILogging {
  public readonly destination: string;
  private readonly host: string;
  private readonly port: string;

  constructor(scope: Construct, id: string, props: DoLoggingProps) {
    super(scope, id);
    [this.host, this.port] = props.destination.split(":");
    this.destination = `syslog over TLS to ${props.destination}`;
  }

  /** rsyslog's forwarding of `role`'s hosts' logs: the application's, and nginx's files on web hosts. */
  public shipping(role: PoolRole): LogShipping {
    const nginx = role === "web";
    const tags = [APP_LOG_TAG, ...(nginx ? [NGINX_LOG_TAGS.access, NGINX_LOG_TAGS.error] : [])];
    const conf = `# Managed by cloudtiers: the application's${nginx ? " and nginx's" : ""} logs to ${this.host}:${this.port}, syslog over TLS
# (RFC 5425), the certificate checked against that name; kept on disk while it cannot be reached,
# and dropped past that rather than hold up the host's other logs.
${
  nginx
    ? `module(load="imfile")
input(type="imfile" File="${HOST_PATHS.nginxAccessLog}" Tag="${NGINX_LOG_TAGS.access}" Severity="info" Facility="local6")
input(type="imfile" File="${HOST_PATHS.nginxErrorLog}" Tag="${NGINX_LOG_TAGS.error}" Severity="error" Facility="local6")
`
    : ""
}if ${tags.map((t) => `$programname == "${t}"`).join(" or ")} then {
    action(type="omfwd" target="${this.host}" port="${this.port}" protocol="tcp" TCP_Framing="octet-counted"
           StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="${permittedPeers(this.host)}"
           streamDriver.CAFile="${CA_FILE}" template="RSYSLOG_SyslogProtocol23Format"
           queue.type="LinkedList" queue.filename="${QUEUE.file}" queue.maxDiskSpace="${QUEUE.maxDiskSpace}"
           queue.saveOnShutdown="on" queue.timeoutEnqueue="0" action.resumeRetryCount="-1")
}
`;
    return { packages: ["rsyslog-gnutls", "ca-certificates"], files: [{ path: RSYSLOG_FORWARD, content: conf }], setupCommands: [] };
  }
}
