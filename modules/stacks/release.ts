import { SpecValidator, ValidationIssue, show } from "../core";
import { CONTAINER_IMAGE } from "../django/validate";
import { EnvironmentSpec } from "./spec";

/** An image reference pinned to one build: `…@sha256:` and the 64 hex digits of its manifest's digest (or sha512's 128). */
export const IMAGE_DIGEST = /@(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * The environment variable that gives an environment's release image from CI, without
 * editing the spec: `CLOUDTIERS_IMAGE_<ENVIRONMENT>`, the name in capitals with `-` as `_`
 * (`CLOUDTIERS_IMAGE_PRODUCTION`, `CLOUDTIERS_IMAGE_EU_WEST`).
 */
export function releaseImageVariable(environment: string): string {
  return `CLOUDTIERS_IMAGE_${environment.toUpperCase().replace(/-/g, "_")}`;
}

/** The release image CI gives the environment, if any (an empty variable gives none). */
function givenImage(spec: EnvironmentSpec, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (typeof spec?.environment !== "string") return undefined;
  const value = env[releaseImageVariable(spec.environment)];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The spec with `application.image` replaced by the release image CI gives it, when that
 * is a well-formed reference (a malformed one is reported by `validateReleaseImage`, and
 * the spec is left as it was). The one place a release image enters a stack.
 */
export function withReleaseImage(spec: EnvironmentSpec, env: Readonly<Record<string, string | undefined>>): EnvironmentSpec {
  const image = givenImage(spec, env);
  if (image === undefined || !CONTAINER_IMAGE.test(image) || !spec.application) return spec;
  return { ...spec, application: { ...spec.application, image } };
}

/**
 * The release image's own rules: the variable CI sets must be an image reference, and an
 * environment held to the production rules (`production`, true unless set false) must pin
 * its image by digest. A tag can be moved: a host replaced later (a failed one, a scale
 * out) would then run other code than its neighbours, and "the previous release" would no
 * longer name the code that ran before.
 */
export function validateReleaseImage(spec: EnvironmentSpec, env: Readonly<Record<string, string | undefined>>): ValidationIssue[] {
  const v = new SpecValidator(spec.environment);
  // A release image is given only to a spec with a name (a missing name is the neutral rules' to report), so only then is there a variable.
  const given = givenImage(spec, env);
  if (given !== undefined && !v.matches(releaseImageVariable(spec.environment), given, CONTAINER_IMAGE, 'a container image reference such as "ghcr.io/acme/shop@sha256:<64 hex digits>"')) return [...v.issues];
  const image = spec.application?.image;
  if (typeof image !== "string" || !CONTAINER_IMAGE.test(image)) return [...v.issues];
  if ((spec.production ?? true) === true && !IMAGE_DIGEST.test(image)) {
    const path = given === image ? releaseImageVariable(spec.environment) : "application.image";
    v.fail(path, `must pin the image by digest in a production environment ("<image>@sha256:<64 hex digits>", e.g. the digest docker push prints), so every host and every rollback runs exactly the build that was tested; got ${show(image)}. Set production: false to deploy a tag`);
  }
  return [...v.issues];
}
