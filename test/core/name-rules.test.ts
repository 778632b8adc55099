import { NAME_RULES, NameRule, NameRuleId, checkName, fitText, nameRule } from "../../modules/core/name-rules";
import { validateEnvironment } from "../../modules/stacks/validate";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { MAX_NAME_PREFIX } from "../../modules/django/validate";
import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { Config, SHIPPED_STACKS, synthAwsEnvironment, synthDoEnvironment } from "../helpers";

/** The arguments that name the resource they are on (a reference to another resource's name is checked there). */
const NAME_ARGUMENTS = new Set([
  "name", "name_prefix", "identifier", "final_snapshot_identifier", "bucket", "function_name", "script_name",
  "domain_name", "resource_path", "set_identifier", "replication_group_id", "alarm_name", "dashboard_name",
]);
/** Name-like arguments in nested blocks, as `<block>.<argument>`. */
const NESTED_NAME_ARGUMENTS = new Set(["subject.common_name"]);
/** Free-text arguments the clouds limit: descriptions and comments, at the top or nested (`auth.description`). */
const TEXT_ARGUMENTS = new Set(["description", "comment", "alarm_description"]);
/**
 * Arguments that look like names but name something cloudtiers does not make (with why),
 * or that another row checks.
 */
const NOT_NAMES: Record<string, string> = {
  "aws_lambda_invocation.function_name": "a reference: aws_lambda_function.function_name is checked",
  "digitalocean_spaces_bucket_cors_configuration.bucket": "a reference: digitalocean_spaces_bucket.name is checked",
};

/** Hex digits Terraform draws (`random_id.*.hex`, `substr(sha…(…), 0, n)`), at their worst case. */
function placeholders(value: string): string | undefined {
  const resolved = value
    .replace(/\$\{random_id\.[^}]+\.hex\}/g, "ffffffff")
    .replace(/\$\{substr\(sha(?:1|256)\([^)]*\), 0, (\d+)\)\}/g, (_, n: string) => "f".repeat(Number(n)));
  return resolved.includes("${") ? undefined : resolved;
}

/**
 * A value's literal text: itself, with each reference to another resource's literal
 * argument (the whole value, or inside a text: `CloudFront reads ${aws_s3_bucket.x.bucket}`)
 * replaced by that argument's text, and drawn digits filled in.
 */
function literal(json: Config, value: string, depth = 0): string | undefined {
  const inlined = value.replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (reference, type: string, id: string, attribute: string) => {
    const target = json.resource?.[type]?.[id]?.[attribute];
    return (typeof target === "string" && depth < 3 ? literal(json, target, depth + 1) : undefined) ?? reference;
  });
  return placeholders(inlined);
}

interface Found {
  readonly row: string;
  readonly value: string;
  readonly where: string;
}

/** Every name-like or free-text argument of every resource in a synthesised stack whose value is known at synth. */
function namesIn(json: Config): Found[] {
  const found: Found[] = [];
  for (const [type, byId] of Object.entries<Record<string, Config>>(json.resource ?? {})) {
    for (const [id, config] of Object.entries(byId)) {
      const visit = (value: unknown, path: string[]) => {
        if (Array.isArray(value)) return value.forEach((v) => visit(v, path));
        if (typeof value === "object" && value !== null) {
          for (const [k, v] of Object.entries(value)) if (k !== "//" && k !== "lifecycle" && k !== "tags" && k !== "tags_all") visit(v, [...path, k]);
          return;
        }
        if (typeof value !== "string") return;
        const argument = path.join(".");
        const named = (path.length === 1 ? NAME_ARGUMENTS.has(argument) : NESTED_NAME_ARGUMENTS.has(argument)) || TEXT_ARGUMENTS.has(path[path.length - 1]);
        if (!named || Object.hasOwn(NOT_NAMES, `${type}.${argument}`)) return;
        const text = literal(json, value);
        if (text !== undefined) found.push({ row: `${type}.${argument}`, value: text, where: `${type}.${id}` });
      };
      visit(config, []);
    }
  }
  return found;
}

/** What breaks: a name-like argument with no row, or a name that breaks its row. */
function problems(json: Config): string[] {
  return namesIn(json).flatMap((f) => {
    if (!nameRule(f.row)) return [`${f.where}: ${f.row} = ${JSON.stringify(f.value)} has no row in NAME_RULES (modules/core/name-rules.ts): add one, with its source`];
    return checkName(f.row as NameRuleId, f.value).map((b) => `${f.where}: ${f.row} = ${JSON.stringify(f.value)} ${b}`);
  });
}

function synthesise(spec: EnvironmentSpec, cloud: "aws" | "do"): Config {
  return (cloud === "aws" ? synthAwsEnvironment(spec) : synthDoEnvironment(spec)).json;
}

describe("NAME_RULES", () => {
  it("gives every row a length range, a pattern in words and a source", () => {
    for (const [id, rule] of Object.entries(NAME_RULES)) {
      expect(`${id}: ${rule.min <= rule.max && rule.max > 0}`).toBe(`${id}: true`);
      expect(rule.allowed.length).toBeGreaterThan(5);
      expect(rule.source.length).toBeGreaterThan(10);
    }
  });

  /** Each text row's limit as its source states it, restated here so that a row losing its limit fails. */
  const TEXT_LIMITS: Record<string, number> = {
    "aws_cloudfront_distribution.comment": 128,
    "aws_kms_key.description": 8192,
    "aws_cloudwatch_metric_alarm.alarm_description": 1024,
    "aws_wafv2_web_acl.description": 256,
    "cloudflare_ruleset.description": 500,
    "cloudflare_ruleset.rules.description": 500,
    "digitalocean_monitor_alert.description": 255,
    "aws_cloudfront_response_headers_policy.comment": 128,
    "aws_cloudfront_origin_access_control.description": 256,
    "aws_security_group.description": 255,
    "aws_vpc_security_group_ingress_rule.description": 255,
    "aws_vpc_security_group_egress_rule.description": 255,
    "aws_launch_template.description": 255,
    "aws_ssm_parameter.description": 1024,
    "aws_secretsmanager_secret.description": 2048,
    "aws_lambda_function.description": 256,
    "aws_db_parameter_group.description": 255,
    "aws_db_subnet_group.description": 255,
    "aws_db_proxy.auth.description": 255,
    "aws_elasticache_replication_group.description": 255,
    "aws_elasticache_subnet_group.description": 255,
    "digitalocean_vpc.description": 255,
    "cloudflare_dns_record.comment": 100,
  };

  it("holds every description and comment to its cloud's limit, which its source states", () => {
    const texts = Object.entries(NAME_RULES as Record<string, NameRule>).filter(([, rule]) => rule.text).map(([id]) => id);
    expect(texts.sort()).toEqual(Object.keys(TEXT_LIMITS).sort());
    for (const [id, limit] of Object.entries(TEXT_LIMITS)) {
      const row = id as NameRuleId;
      expect({ id, fits: checkName(row, "a".repeat(limit)) }).toEqual({ id, fits: [] });
      expect({ id, longer: checkName(row, "a".repeat(limit + 1)) }).toEqual({ id, longer: [`must be 0 to ${limit} characters, not ${limit + 1}`] });
      expect({ id, source: NAME_RULES[row].source.includes(String(limit)) }).toEqual({ id, source: true });
      expect({ id, line: checkName(row, "two\nlines").length }).toEqual({ id, line: 1 });
    }
  });

  it("holds security groups' descriptions to EC2's characters", () => {
    expect(checkName("aws_security_group.description", "Database setup: to PostgreSQL, and HTTPS to Secrets Manager")).toEqual([]);
    expect(checkName("aws_security_group.description", "the app's hosts")).toEqual(["must be letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"]);
    expect(checkName("aws_vpc_security_group_ingress_rule.description", "web pool on 8000 \u2013 gunicorn")).toEqual(["must be letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"]);
  });

  it("fits our texts to their row, cutting with ... only what is too long, and never a name", () => {
    expect(fitText("cloudflare_dns_record.comment", "shop-dev: the load balancer")).toBe("shop-dev: the load balancer");
    const cut = fitText("aws_cloudfront_response_headers_policy.comment", `CORS for https://${"a".repeat(63)}.${"b".repeat(63)}.example.com, and security headers`);
    expect(cut).toHaveLength(128);
    expect(cut).toMatch(/^CORS for https:\/\/a+\.b+\.\.\.$/);
    expect(checkName("aws_cloudfront_response_headers_policy.comment", cut)).toEqual([]);
    expect(checkName("aws_security_group.description", fitText("aws_security_group.description", "x ".repeat(200)))).toEqual([]);
    expect(fitText("aws_cloudfront_distribution.comment", `\${TfToken[TOKEN.1]}${"x".repeat(200)}`)).toHaveLength(219);
    expect(() => fitText("aws_lb.name", "a".repeat(40))).toThrow("names are checked, never cut");
  });

  it.each([
    ["aws_db_instance.identifier", "shop--dev-postgres", "must not contain two hyphens in a row"],
    ["aws_elasticache_replication_group.replication_group_id", "a--b-cache", "must not contain two hyphens in a row"],
    ["aws_elasticache_replication_group.replication_group_id", `a${"b".repeat(40)}`, "must be 1 to 40 characters, not 41"],
    ["aws_s3_bucket.bucket", "xn--shop-dev-media-ffffffff", 'must not start with "xn--"'],
    ["aws_s3_bucket.bucket", "sthree-dev-media-ffffffff", 'must not start with "sthree-"'],
    ["aws_s3_bucket.bucket", "shop-dev-s3alias", 'must not end with "-s3alias"'],
    ["aws_s3_bucket.bucket", "shop-dev--ol-s3", 'must not end with "--ol-s3"'],
    ["aws_lb.name", "internal-dev-public", 'must not start with "internal-"'],
    ["aws_lb.name", `${"a".repeat(26)}-public`, "must be 1 to 32 characters, not 33"],
    ["aws_lb_target_group.name", `${"a".repeat(30)}-int`, "must be 1 to 32 characters, not 34"],
    ["aws_acm_certificate.domain_name", `${"a".repeat(53)}.example.com`, "must be 1 to 64 characters, not 65"],
    ["aws_route53_health_check.resource_path", `/${"a".repeat(255)}`, "must be 1 to 255 characters, not 256"],
    ["aws_iam_role.name", `${"a".repeat(60)}-host`, "must be 1 to 64 characters, not 65"],
    ["aws_lambda_function.function_name", `${"a".repeat(50)}-database-setup`, "must be 1 to 64 characters, not 65"],
    ["aws_db_proxy.name", `${"a".repeat(54)}-pooler`, "must be 1 to 60 characters, not 61"],
    ["aws_ssm_parameter.name", "/aws-dev/web/environment", 'must not start with "/aws"'],
    ["aws_security_group.name_prefix", "sg-dev-web-", 'must not start with "sg-"'],
    ["digitalocean_spaces_bucket.name", `${"a".repeat(55)}-media-ffffffff`, "must be 3 to 63 characters, not 70"],
    ["cloudflare_workers_script.script_name", `${"a".repeat(59)}-edge`, "must be 1 to 63 characters, not 64"],
    ["tls_cert_request.subject.common_name", `${"a".repeat(53)}.example.com`, "must be 1 to 64 characters, not 65"],
  ] as [NameRuleId, string, string][])("%s refuses %s", (row, name, broken) => {
    expect(checkName(row, name)).toContain(broken);
  });
});

describe("every name in every shipped stack keeps its row", () => {
  it.each(SHIPPED_STACKS.map((s) => [s.name, s] as const))("%s", (_, s) => {
    const json = synthesise(s.spec, s.cloud);
    expect(namesIn(json).length).toBeGreaterThan(20);
    expect(problems(json)).toEqual([]);
  });

  it("meets every description and comment row in some shipped stack (no row is for an argument nothing writes)", () => {
    const seen = new Set(SHIPPED_STACKS.flatMap((s) => namesIn(synthesise(s.spec, s.cloud)).map((f) => f.row)));
    const texts = Object.entries(NAME_RULES as Record<string, NameRule>).filter(([, rule]) => rule.text).map(([id]) => id);
    expect(texts.filter((id) => !seen.has(id))).toEqual([]);
  });

  it("fails a description whose resource type has no row, and one that breaks its row", () => {
    const json = {
      resource: {
        aws_new_thing: { x: { description: "shop-dev thing" } },
        aws_security_group: { g: { name_prefix: "shop-dev-web-", description: "the app's hosts" } },
        aws_s3_bucket: { b: { bucket: "shop-dev-media-${random_id.suffix.hex}" } },
        aws_cloudfront_origin_access_control: { o: { name: "${aws_s3_bucket.b.bucket}", description: `${"x".repeat(240)} \${aws_s3_bucket.b.bucket}` } },
      },
    };
    expect(problems(json)).toEqual([
      expect.stringContaining('aws_new_thing.description = "shop-dev thing" has no row in NAME_RULES'),
      expect.stringContaining("aws_security_group.description = \"the app's hosts\" must be letters, digits, spaces"),
      expect.stringMatching(/aws_cloudfront_origin_access_control\.description = "x+ shop-dev-media-ffffffff" must be 0 to 256 characters, not 264/),
    ]);
  });

  it("fails a name-like argument whose resource type has no row, saying to add one", () => {
    const json = { resource: { aws_new_thing: { x: { name: "shop-dev-thing" } } } };
    expect(problems(json)).toEqual([expect.stringContaining("aws_new_thing.name = \"shop-dev-thing\" has no row in NAME_RULES")]);
  });
});

/** A spec with the given application name, environment and overrides, from `base`. */
function variant(base: EnvironmentSpec, app: string, environment: string, overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return { ...base, environment, application: { ...base.application, name: app }, terraformCloud: undefined, ...overrides };
}

const longest = (app: number) => ["a".repeat(app), `e${"n".repeat(MAX_NAME_PREFIX - app - 2)}`] as const;
const zone = "example.com";
/** The longest domain the neutral rules take inside `zone` (253 characters). */
const longestDomain = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(253 - 3 * 64 - zone.length - 1)}.${zone}`;
/** The longest one level below `zone` (Cloudflare's Universal SSL covers no deeper name). */
const longestLabelDomain = `${"a".repeat(63)}.${zone}`;

/** Extremes: the longest and oddest values the neutral rules allow. */
const EXTREMES: [string, EnvironmentSpec][] = [
  ["longest prefix, long application", variant(production, ...longest(20))],
  ["longest prefix, long environment", variant(production, ...longest(2))],
  ["longest prefix, colocated", variant(dev, ...longest(11))],
  ["application with --", variant(production, "shop--x", "dev")],
  ["environment with --", variant(dev, "shop", "qa--1")],
  ["application xn--", variant(production, "xn--shop", "dev")],
  ["application sthree", variant(dev, "sthree", "dev")],
  ["application internal", variant(dev, "internal", "dev")],
  ["application aws", variant(dev, "aws", "dev")],
  ["application ssm", variant(production, "ssm", "prod")],
  ["application sg", variant(dev, "sg", "dev")],
  ["environment digits", variant(dev, "a1", "b2")],
  ["shortest names", variant(dev, "ab", "cd")],
  ["domain of 64", variant(dev, "shop", "dev", { domain: `${"a".repeat(64 - zone.length - 1)}.${zone}` })],
  ["domain of 58 (media. makes 64)", variant(dev, "shop", "dev", { domain: `${"a".repeat(58 - zone.length - 1)}.${zone}` })],
  ["longest domain", variant(dev, "shop", "dev", { domain: longestDomain })],
  ["longest one-level domain", variant(dev, "shop", "dev", { domain: longestLabelDomain })],
  ["long CDN domains", variant(production, "shop", "prod", { cdn: { mediaDomain: longestDomain, staticDomain: `s.${zone}` } })],
  ["health check path of 255", variant(production, "shop", "prod", { healthCheckPath: `/${"h".repeat(254)}` })],
  ["health check path of 256", variant(production, "shop", "prod", { healthCheckPath: `/${"h".repeat(255)}` })],
  ["five replicas, long prefix", variant(production, ...longest(12), { postgres: { ...production.postgres, replicas: 5 } })],
  ["one secret with the longest name", variant(production, "shop", "prod", {
    application: { ...production.application, name: "shop", secrets: { ...production.application.secrets, [`S${"E".repeat(2100)}`]: { source: "generated" } } },
  })],
];

describe("the longest and oddest specs the neutral rules allow", () => {
  const cases = EXTREMES.flatMap(([label, spec]) => (["aws", "do"] as const).map((cloud) => [`${label} on ${cloud}`, spec, cloud] as const));

  it.each(cases)("%s: refused with the field, the name and the rule, or every name keeps its row", (_, spec, cloud) => {
    const only = cloud === "aws" ? { ...spec, digitalocean: undefined, cloudflare: undefined } : { ...spec, aws: undefined };
    const issues = validateEnvironment(only, {});
    if (issues.length > 0) {
      // Other rules (the neutral ones, Cloudflare's) may refuse these specs too; the name rules' issues say it thus.
      for (const issue of issues.filter((i) => /^gives? the /.test(i.message))) {
        expect(issue.environment).toBe(spec.environment);
        expect(issue.path).toMatch(/^(application\.name \+ environment|domain|cdn\.mediaDomain|healthCheckPath)$/);
        expect(issue.message).toMatch(/^gives? the .+ \([a-z0-9_.]+\) ".*", which must .+ \(.+\)$/);
      }
      return;
    }
    expect(problems(synthesise(only, cloud))).toEqual([]);
  });

  it("refuses what the clouds refuse, naming the fields and the derived name", () => {
    const messages = (spec: EnvironmentSpec, cloud: "aws" | "do") =>
      validateEnvironment(cloud === "aws" ? { ...spec, digitalocean: undefined, cloudflare: undefined } : { ...spec, aws: undefined }, {}).map((i) => `${i.path}: ${i.message}`);
    const named = (label: string) => EXTREMES.find(([l]) => l === label)![1];
    expect(messages(named("application with --"), "aws")).toContainEqual(expect.stringContaining('application.name + environment: give the RDS DB instance identifier (aws_db_instance.identifier) "shop--x-dev-postgres", which must not contain two hyphens in a row'));
    expect(messages(named("environment with --"), "aws")).toContainEqual(expect.stringContaining('ElastiCache replication group id (aws_elasticache_replication_group.replication_group_id) "shop-qa--1-cache"'));
    expect(messages(named("application xn--"), "aws")).toContainEqual(expect.stringContaining('"xn--shop-dev-media-ffffffff", which must not start with "xn--"'));
    expect(messages(named("application sthree"), "aws")).toContainEqual(expect.stringContaining('"sthree-dev-static-ffffffff", which must not start with "sthree-"'));
    expect(messages(named("application internal"), "aws")).toContainEqual(expect.stringContaining('load balancer name (aws_lb.name) "internal-dev-public", which must not start with "internal-"'));
    expect(messages(named("application aws"), "aws")).toContainEqual(expect.stringContaining('(aws_ssm_parameter.name) "/aws-dev/web/environment"'));
    expect(messages(named("application sg"), "aws")).toContainEqual(expect.stringContaining('(aws_security_group.name_prefix) "sg-dev-web-"'));
    expect(messages(named("domain of 58 (media. makes 64)"), "aws")).toEqual([]);
    expect(messages(named("domain of 64"), "aws")).toEqual([expect.stringMatching(/^domain: gives the ACM certificate's first domain name .* "media\.a+\.example\.com", which must be 1 to 64 characters, not 70/)]);
    expect(messages(named("domain of 64"), "do")).toEqual([]);
    expect(messages(named("longest domain"), "aws")).toEqual([expect.stringContaining("domain: gives the ACM certificate's first domain name"), expect.stringContaining("domain: gives the ACM certificate's first domain name")]);
    expect(messages(named("longest one-level domain"), "do")).toEqual([expect.stringContaining("domain: gives the origin certificate common name (tls_cert_request.subject.common_name)")]);
    expect(messages(named("long CDN domains"), "aws")).toEqual([expect.stringContaining("cdn.mediaDomain: gives the ACM certificate's first domain name")]);
    expect(messages(named("health check path of 255"), "aws")).toEqual([]);
    expect(messages(named("health check path of 256"), "aws")).toEqual([expect.stringContaining("healthCheckPath: gives the Route 53 health check resource path")]);
    // A secret's name has no limit of its own: the description listing it is cut to Secrets Manager's 2048.
    expect(messages(named("one secret with the longest name"), "aws")).toEqual([]);
    const secrets = synthesise({ ...named("one secret with the longest name"), digitalocean: undefined, cloudflare: undefined }, "aws").resource.aws_secretsmanager_secret;
    const listing = Object.values<Config>(secrets).map((secret) => secret.description as string).find((d) => d.startsWith("The application's own secrets"))!;
    expect({ length: listing.length, end: listing.slice(-3) }).toEqual({ length: 2048, end: "..." });
    // The longest prefix fits every row on both clouds.
    for (const label of ["longest prefix, long application", "longest prefix, long environment", "five replicas, long prefix"]) {
      expect(messages(named(label), "aws")).toEqual([]);
      expect(messages(named(label), "do")).toEqual([]);
    }
  });
});
