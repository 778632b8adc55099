import { SpecValidator, fieldsOf, imageRegistry, sameRegistry, show } from "../core";
import { MANAGED_SETTINGS } from "./configuration";
import { REGISTRY_SETTINGS } from "./host";
import { ApplicationSpec, RegistrySpec, SECRET_SOURCES, SecretSource } from "./spec";

/*
 * Application secrets: the rules every cloud shares, and the test that keeps secrets out
 * of plain settings. A plain setting travels in the clear (the synthesised stack, the AWS
 * SSM parameter, DigitalOcean user data), so one that looks like a secret is refused
 * before anything is written, and its value is never repeated in the message.
 */

/** The name under which the registry password is declared in a cloud's store (`aws.secrets.REGISTRY_PASSWORD`), and which the host reads it by. */
export const REGISTRY_PASSWORD = REGISTRY_SETTINGS.password;

/** The characters a generated secret may be asked to have (`length`). */
export const GENERATED_SECRET_LENGTH = { min: 16, max: 256 } as const;

/** The sensitive Terraform variable a `variable` secret is given through: `secret_<name in lower case>`. */
export function secretVariableName(name: string): string {
  return `secret_${name.toLowerCase()}`;
}

/** Words of a setting's name that say it holds a secret, wherever they stand in a word (`DBPASSWORD`, `GITHUBTOKEN`). */
const SECRET_STEMS = ["SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATEKEY", "APIKEY", "ACCESSKEY"];
/** Words that say so only as a whole word (`KEY`, not `MONKEY`). */
const SECRET_WORDS = ["KEY", "KEYS", "PWD"];
/** A last word that says the setting describes a secret rather than holding one (`PASSWORD_RESET_TIMEOUT`, `CACHE_KEY_PREFIX`). */
const DESCRIBING_WORDS = [
  "PREFIX", "SUFFIX", "TIMEOUT", "TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "AGE", "LIFETIME", "LENGTH", "DAYS", "HOURS", "MINUTES",
  "SECONDS", "FUNCTION", "HASHERS", "VALIDATORS", "HEADER", "NAME", "FIELD", "ALGORITHM", "ID", "FILE", "PATH", "URL", "ENDPOINT",
  "ISSUER", "AUDIENCE", "REGION", "TYPE", "BACKEND", "ENABLED",
];
/** A word before `KEY` that makes the key a public one (`STRIPE_PUBLISHABLE_KEY`). */
const PUBLIC_WORDS = ["PUBLIC", "PUBLISHABLE"];

/** Why a setting's name says it holds a secret, or nothing. */
function secretName(name: string): string | undefined {
  const words = name.split("_").filter((w) => w !== "");
  if (words.length === 0 || DESCRIBING_WORDS.includes(words[words.length - 1])) return undefined;
  for (const [i, word] of words.entries()) {
    const stem = SECRET_STEMS.find((s) => word.includes(s));
    if (stem) return stem;
    if (SECRET_WORDS.includes(word) && !PUBLIC_WORDS.includes(words[i - 1])) return word;
  }
  return undefined;
}

/** Shannon entropy of `text`, in bits per character. */
export function entropyBits(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/** How many of lower-case letters, capitals and digits `text` has. */
function characterClasses(text: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(text)).length;
}

/**
 * Letters, digits and `+` and `=` of base64, without `-`, `_` and `/`, which join words in
 * names and paths (`shop-production-media`) as often as they appear in tokens.
 */
const TOKEN_SEGMENT = /[A-Za-z0-9+=]{16,}/g;

/** Why a setting's value looks like a secret, or nothing: never the value itself. */
function secretValue(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i.test(value)) return "a URL with a password in it";
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return "a private key";
  if (/\s/.test(value)) return undefined;
  for (const segment of value.match(TOKEN_SEGMENT) ?? []) {
    if (characterClasses(segment) < 2) continue;
    // 16 random letters and digits carry about 3.8 bits a character; words and camel case far less.
    if (/^[0-9a-fA-F]+$/.test(segment) ? segment.length >= 32 : entropyBits(segment) >= 3.8) return `a ${segment.length}-character random-looking string`;
  }
  // Keys with punctuation in them (Django's own) break into short segments: judge the whole value.
  if (value.length >= 24 && characterClasses(value) >= 2 && entropyBits(value) >= 4.5) return `a ${value.length}-character random-looking string`;
  return undefined;
}

/**
 * Why a plain setting looks like a secret (its name has SECRET, TOKEN, PASSWORD, KEY,
 * CREDENTIAL...; or its value is a long random-looking string, a URL with a password, a
 * private key), or `undefined`. The reason never repeats the value.
 */
export function secretLikeReason(name: string, value: string): string | undefined {
  const word = secretName(name);
  if (word) return `its name has "${word}"`;
  const what = secretValue(value);
  return what ? `its value is ${what} (not shown)` : undefined;
}

/** A registry user name: no spaces, colons or quotes (Docker joins it to the password with a colon). */
const REGISTRY_USERNAME = /^[^\s:'"\\`$]{1,255}$/;

/** The secrets a spec declares, for the clouds' rules (none when `application` is malformed: the neutral rules say so). */
export function declaredSecretsOf(spec: { readonly application?: unknown }): ReturnType<typeof declaredSecrets> {
  return spec.application && typeof spec.application === "object" ? declaredSecrets(spec.application as ApplicationSpec) : [];
}

/** Every secret a spec declares, the registry password included, with its path in the spec. */
export function declaredSecrets(app: Pick<ApplicationSpec, "secrets" | "registry">): { name: string; path: string; source: SecretSource }[] {
  const secrets = Object.entries(app.secrets ?? {}).map(([name, source]) => ({ name, path: `application.secrets.${name}`, source }));
  if (app.registry?.password !== undefined) secrets.push({ name: REGISTRY_PASSWORD, path: "application.registry.password", source: app.registry.password });
  return secrets;
}

/** Names a secret may not take: the topology's own variables, and the registry password's. */
const RESERVED = [...MANAGED_SETTINGS, REGISTRY_PASSWORD] as readonly string[];

function source(v: SpecValidator, path: string, value: unknown, allowed: readonly string[]): void {
  if (!v.fields(path, value, fieldsOf<SecretSource>({ source: true, length: true }))) return;
  const s = value as unknown as SecretSource;
  if (!v.oneOf(`${path}.source`, s.source, allowed)) return;
  if (s.length !== undefined) {
    if (s.source !== "generated") v.fail(`${path}.length`, `is only used with source "generated", but source is "${s.source}"`);
    else v.integer(`${path}.length`, s.length, GENERATED_SECRET_LENGTH.min, GENERATED_SECRET_LENGTH.max);
  }
}

/**
 * The rules of `application.settings`, `secrets`, `publicSettings` and `registry` every
 * cloud shares. `envName`: the pattern of an environment variable's name.
 */
export function validateApplicationEnvironment(v: SpecValidator, app: ApplicationSpec, envName: RegExp): void {
  const nameRule = "named like an environment variable (A-Z, 0-9, _; not starting with a digit)";
  const publicSettings = Array.isArray(app.publicSettings) ? app.publicSettings : [];
  if (app.publicSettings !== undefined && !Array.isArray(app.publicSettings)) v.fail("application.publicSettings", `must be a list of setting names, got ${show(app.publicSettings)}`);
  const settings = app.settings ?? {};
  for (const [name, value] of Object.entries(settings)) {
    const path = `application.settings.${name}`;
    if (!v.matches(path, name, envName, nameRule)) continue;
    if ((MANAGED_SETTINGS as readonly string[]).includes(name)) v.fail(path, "is set by the topology itself and cannot be overridden");
    // Line breaks and other control characters: validateSpecText refuses them in every spec string, once.
    else if (typeof value !== "string") v.fail(path, `must be a string, got ${show(value)}`);
    else if (!publicSettings.includes(name)) {
      const why = secretLikeReason(name, value);
      if (why) v.fail(path, `looks like a secret (${why}): declare it in application.secrets instead, or name it in application.publicSettings if it is not one`);
    }
  }
  publicSettings.forEach((name, i) => {
    if (!Object.prototype.hasOwnProperty.call(settings, name)) v.fail(`application.publicSettings[${i}]`, `must name one of application.settings, got ${show(name)}`);
  });

  if (app.secrets !== undefined && (typeof app.secrets !== "object" || app.secrets === null || Array.isArray(app.secrets))) {
    v.fail("application.secrets", `must be an object of secret names and their sources, got ${show(app.secrets)}`);
  } else {
    for (const [name, value] of Object.entries(app.secrets ?? {})) {
      const path = `application.secrets.${name}`;
      if (!envName.test(name)) v.fail("application.secrets", `has a secret named ${show(name)}: a secret must be ${nameRule}`);
      else if (RESERVED.includes(name)) v.fail(path, `is a name cloudtiers sets itself (${name === REGISTRY_PASSWORD ? "application.registry.password" : "the topology's own variable"}); choose another`);
      else if (Object.prototype.hasOwnProperty.call(settings, name)) v.fail(path, "is also in application.settings: a variable is either a plain setting or a secret");
      else source(v, path, value, SECRET_SOURCES);
    }
  }

  const registry = app.registry;
  if (registry === undefined || !v.fields("application.registry", registry, fieldsOf<RegistrySpec>({ server: true, username: true, password: true }))) return;
  v.matches("application.registry.username", registry.username, REGISTRY_USERNAME, "a registry user name (no spaces, colons or quotes)");
  if (registry.password === undefined) v.fail("application.registry.password", 'is required: { source: "variable" } or { source: "existing" }');
  else source(v, "application.registry.password", registry.password, ["variable", "existing"]);
  if (registry.server !== undefined && typeof app.image === "string") {
    if (typeof registry.server !== "string" || !sameRegistry(registry.server, app.image)) {
      v.fail("application.registry.server", `must be the registry application.image is pulled from ("${imageRegistry(app.image)}"), got ${show(registry.server)}`);
    }
  }
}
