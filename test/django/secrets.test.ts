import { formatIssue } from "../../modules/core/errors";
import { imageRegistry, imageRepository, sameRegistry } from "../../modules/core";
import { secretLikeReason } from "../../modules/django/secrets";
import { ApplicationSpec } from "../../modules/django/spec";
import { validateEnvironment } from "../../modules/stacks/validate";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { dev } from "../../environments/dev";
import { specWith } from "../helpers";

/** dev with `application` changed as given, on the clouds given. */
function withApplication(application: Partial<ApplicationSpec>, clouds: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return specWith({ application: { ...dev.application, ...application }, ...clouds });
}

function problems(spec: EnvironmentSpec): string[] {
  return validateEnvironment(spec).map(formatIssue);
}

/** Looks random to anyone: 40 letters and digits, and no part of it may appear in a message. */
const SENTINEL = "Zq8Rk2LmV7xT4nWb9YcH3jPd6FgS1aKe5UoNi0Ct";

describe("plain settings that look like secrets", () => {
  const secretNames = ["STRIPE_API_KEY", "GITHUB_TOKEN", "SMTP_PASSWORD", "DB_PASSWD", "AWS_SECRET_ACCESS_KEY", "GOOGLE_CREDENTIALS", "SENDGRIDAPIKEY", "MAILER_PRIVATEKEY", "HMAC_KEY"];
  it.each(secretNames)("refuses %s by its name, whatever its value, pointing to application.secrets", (name) => {
    expect(problems(withApplication({ settings: { [name]: "x" } }))).toEqual([
      expect.stringMatching(new RegExp(`^dev: application\\.settings\\.${name} looks like a secret \\(its name has "[A-Z]+"\\): declare it in application\\.secrets instead, or name it in application\\.publicSettings if it is not one$`)),
    ]);
  });

  const secretValues: [string, string][] = [
    ["40 random letters and digits", SENTINEL],
    ["an AWS secret key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ["a GitHub token", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["a SHA-1 in hex", "9b99d07a1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f60"],
    ["base64 of 24 bytes", "dGhpcyBpcyBhIHNlY3JldCB2YWx1ZQ=="],
    ["a Django key with punctuation", "8x#k2!m@q9$w^e&r*t(y-u_i=o+p)a1s2d3f4g5h6j7k8"],
    ["a broker URL with a password", "amqp://shop:hunter2@rabbit.internal:5672//"],
  ];
  it.each(secretValues)("refuses %s under a plain name, without repeating the value", (_what, value) => {
    const [message, ...rest] = problems(withApplication({ settings: { UPSTREAM_CONFIG: value } }));
    expect(rest).toEqual([]);
    expect(message).toMatch(/^dev: application\.settings\.UPSTREAM_CONFIG looks like a secret \(its value is .+ \(not shown\)\): declare it in application\.secrets instead/);
    expect(message).not.toContain(value);
    // Nor any long piece of it.
    for (const piece of value.match(/[A-Za-z0-9]{8,}/g) ?? []) expect(message).not.toContain(piece);
  });

  const plain: [string, string][] = [
    ["DJANGO_DEBUG", "false"],
    ["CACHE_KEY_PREFIX", "shop"],
    ["PASSWORD_RESET_TIMEOUT", "259200"],
    ["AUTH_USER_MODEL", "accounts.User"],
    ["SESSION_COOKIE_AGE", "1209600"],
    ["AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"],
    ["TOKEN_URL", "https://auth.example.com/oauth/token"],
    ["FEATURE_FLAGS_PROJECT", "123e4567-e89b-12d3-a456-426614174000"],
    ["STATIC_PATH", "/srv/app2/releases/v12/static"],
    ["LOG_BUCKET", "shop-production-eu-west-1-logs-a1b2c3d4"],
    ["UPSTREAM", "https://cdn.example.com/assets/v2/bundle.min.js?ver=3"],
    ["ANALYTICS_ID", "G-ABCDEF1234"],
    ["ADMINS", "ops@example.com,dev@example.com"],
    ["TIME_ZONE", "Europe/Amsterdam"],
    ["WEB_CONCURRENCY", "4"],
    ["GREETING", "Hello, world: welcome to the shop!"],
    ["MONKEY", "banana"],
  ];
  it("keeps ordinary settings plain: names that describe a secret, identifiers, paths, URLs, text", () => {
    expect(plain.filter(([name, value]) => secretLikeReason(name, value) !== undefined)).toEqual([]);
    expect(problems(withApplication({ settings: Object.fromEntries(plain) }))).toEqual([]);
  });

  it("keeps a setting named in publicSettings plain, and refuses a name that is no setting", () => {
    const publishable = { STRIPE_PUBLISHABLE_KEY: "pk_live_51H8xYzABCdefGHIjklMNOpq", GIT_SHA: "9b99d07a1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f60" };
    expect(problems(withApplication({ settings: publishable }))).toHaveLength(2);
    expect(problems(withApplication({ settings: publishable, publicSettings: ["STRIPE_PUBLISHABLE_KEY", "GIT_SHA"] }))).toEqual([]);
    expect(problems(withApplication({ settings: publishable, publicSettings: ["STRIPE_PUBLISHABLE_KEY", "GIT_SHA", "SENTRY_DSN"] }))).toEqual([
      'dev: application.publicSettings[2] must name one of application.settings, got "SENTRY_DSN"',
    ]);
  });
});

describe("application.secrets", () => {
  const cases: [string, Partial<ApplicationSpec>, Partial<EnvironmentSpec>, string[]][] = [
    ["an unknown source", { secrets: { STRIPE_API_KEY: { source: "vault" as never } } }, {}, ['dev: application.secrets.STRIPE_API_KEY.source must be one of "generated", "variable", "existing", got "vault"']],
    ["a source given as text", { secrets: { STRIPE_API_KEY: "variable" as never } }, {}, ['dev: application.secrets.STRIPE_API_KEY must be an object, got "variable"']],
    ["an empty name", { secrets: { "": { source: "variable" } } }, {}, ['dev: application.secrets has a secret named "": a secret must be named like an environment variable (A-Z, 0-9, _; not starting with a digit)']],
    ["a lower-case name", { secrets: { stripe_key: { source: "variable" } } }, {}, ['dev: application.secrets has a secret named "stripe_key": a secret must be named like an environment variable (A-Z, 0-9, _; not starting with a digit)']],
    ["a name the topology sets", { secrets: { DATABASE_PASSWORD: { source: "variable" } } }, {}, ["dev: application.secrets.DATABASE_PASSWORD is a name cloudtiers sets itself (the topology's own variable); choose another"]],
    ["the registry password's name", { secrets: { REGISTRY_PASSWORD: { source: "variable" } } }, {}, ["dev: application.secrets.REGISTRY_PASSWORD is a name cloudtiers sets itself (application.registry.password); choose another"]],
    [
      "a name that is also a plain setting",
      { settings: { SENTRY_ENVIRONMENT: "dev" }, secrets: { SENTRY_ENVIRONMENT: { source: "variable" } } },
      {},
      ["dev: application.secrets.SENTRY_ENVIRONMENT is also in application.settings: a variable is either a plain setting or a secret"],
    ],
    ["a length for a variable", { secrets: { STRIPE_API_KEY: { source: "variable", length: 40 } } }, {}, ['dev: application.secrets.STRIPE_API_KEY.length is only used with source "generated", but source is "variable"']],
    ["a generated secret too short", { secrets: { SIGNING_KEY: { source: "generated", length: 8 } } }, {}, ["dev: application.secrets.SIGNING_KEY.length must be a whole number between 16 and 256, got 8"]],
    ["a misspelt field", { secrets: { SIGNING_KEY: { source: "generated", lenght: 64 } as never } }, {}, ['dev: application.secrets.SIGNING_KEY.lenght is not a known field (did you mean "length"?); known: source, length']],
    ["secrets that are not an object", { secrets: ["DJANGO_SECRET_KEY"] as never }, {}, ['dev: application.secrets must be an object of secret names and their sources, got ["DJANGO_SECRET_KEY"]']],
    [
      "an existing secret on DigitalOcean, which has no secret store",
      { secrets: { SENDGRID_API_KEY: { source: "existing" } } },
      { aws: undefined },
      ['dev: application.secrets.SENDGRID_API_KEY.source is "existing", but DigitalOcean has no secret store to hold it: use "variable" (a sensitive Terraform variable)'],
    ],
    [
      "an existing secret AWS is not told the place of",
      { secrets: { SENDGRID_API_KEY: { source: "existing" } } },
      { digitalocean: undefined, cloudflare: undefined },
      ['dev: application.secrets.SENDGRID_API_KEY.source is "existing", but aws.secrets.SENDGRID_API_KEY does not say which Secrets Manager secret holds it'],
    ],
    [
      "an AWS place for a secret that is not existing, and an ARN without its suffix",
      { secrets: { STRIPE_API_KEY: { source: "variable" }, SENDGRID_API_KEY: { source: "existing" } } },
      {
        digitalocean: undefined,
        cloudflare: undefined,
        aws: { ...dev.aws!, secrets: { STRIPE_API_KEY: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-AbC123" }, SENDGRID_API_KEY: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sendgrid" } } },
      },
      [
        'dev: aws.secrets.STRIPE_API_KEY names no secret whose source is "existing"; those are: SENDGRID_API_KEY',
        'dev: aws.secrets.SENDGRID_API_KEY.arn must be a Secrets Manager secret\'s whole ARN, "arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>", got "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sendgrid"',
      ],
    ],
  ];

  it.each(cases)("refuses %s, naming the field, the value and what is allowed", (_name, application, clouds, expected) => {
    expect(problems(withApplication(application, clouds))).toEqual(expected);
  });

  it("accepts every source where the clouds can hold it", () => {
    const secrets = { DJANGO_SECRET_KEY: { source: "generated" }, SIGNING_KEY: { source: "generated", length: 64 }, STRIPE_API_KEY: { source: "variable" } } as const;
    expect(problems(withApplication({ secrets }))).toEqual([]);
    const aws = { ...dev.aws!, secrets: { SENDGRID_API_KEY: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/sendgrid-AbC123", jsonKey: "api_key" } } };
    expect(problems(withApplication({ secrets: { ...secrets, SENDGRID_API_KEY: { source: "existing" } } }, { digitalocean: undefined, cloudflare: undefined, aws }))).toEqual([]);
  });
});

describe("application.registry", () => {
  it("finds the image's registry by Docker's rule", () => {
    expect(
      ["ghcr.io/acme/shop:1", "acme/shop:1", "shop", "localhost/shop", "localhost:5000/shop", "registry.digitalocean.com/acme/shop:1", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop@sha256:" + "a".repeat(64)].map(imageRegistry),
    ).toEqual(["ghcr.io", "docker.io", "docker.io", "localhost", "localhost:5000", "registry.digitalocean.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"]);
    expect(["docker.io", "index.docker.io", "registry-1.docker.io"].map((server) => sameRegistry(server, "acme/shop:1"))).toEqual([true, true, true]);
    expect(sameRegistry("ghcr.io", "acme/shop:1")).toBe(false);
    expect(["ghcr.io/acme/shop:1", "acme/shop", "shop:2", "localhost:5000/a/b/c:latest", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/shop@sha256:" + "a".repeat(64)].map(imageRepository)).toEqual([
      "acme/shop",
      "acme/shop",
      "shop",
      "a/b/c",
      "team/shop",
    ]);
  });

  const cases: [string, Partial<ApplicationSpec>, string[]][] = [
    [
      "a server other than the image's",
      { image: "ghcr.io/acme/shop:1.0.0", registry: { server: "docker.io", username: "acme-bot", password: { source: "variable" } } },
      ['dev: application.registry.server must be the registry application.image is pulled from ("ghcr.io"), got "docker.io"'],
    ],
    ["a generated password", { registry: { username: "acme-bot", password: { source: "generated" } } }, ['dev: application.registry.password.source must be one of "variable", "existing", got "generated"']],
    ["no password", { registry: { username: "acme-bot" } as never }, ['dev: application.registry.password is required: { source: "variable" } or { source: "existing" }']],
    ["a user name with a space", { registry: { username: "acme bot", password: { source: "variable" } } }, ['dev: application.registry.username must be a registry user name (no spaces, colons or quotes), got "acme bot"']],
  ];
  it.each(cases)("refuses %s", (_name, application, expected) => {
    expect(problems(withApplication(application))).toEqual(expected);
  });

  it("accepts a login to the image's registry, by any of Docker Hub's names", () => {
    expect(problems(withApplication({ registry: { username: "acme-bot", password: { source: "variable" } } }))).toEqual([]);
    expect(problems(withApplication({ image: "acme/shop:1", registry: { server: "index.docker.io", username: "acme", password: { source: "variable" } } }))).toEqual([]);
  });
});
