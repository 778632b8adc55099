/*
 * Docker's rules for an image reference's parts, which every cloud's registry login
 * starts from (the distribution project's reference grammar).
 */

/** The registry host of an image reference: its first component when that has a dot or a colon or is `localhost`, else Docker Hub. */
export function imageRegistry(image: string): string {
  const first = image.split("/")[0];
  return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
}

/** The repository of an image reference inside its registry, without tag or digest: `acme/shop` of `ghcr.io/acme/shop:1.4.2`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split("@")[0];
  const parts = withoutDigest.split("/");
  if (imageRegistry(image) === parts[0] && parts.length > 1) parts.shift();
  const last = parts.length - 1;
  parts[last] = parts[last].split(":")[0];
  return parts.join("/");
}

/** Docker Hub's names for itself: a registry given as any of them is Docker Hub's. */
const DOCKER_HUB = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/** Whether `server` names the registry `image` is pulled from. */
export function sameRegistry(server: string, image: string): boolean {
  const host = imageRegistry(image);
  return server === host || (DOCKER_HUB.includes(server) && DOCKER_HUB.includes(host));
}

/*
 * The registries whose images a cloud's hosts pull with what the cloud gives them: each
 * cloud's own, known to both clouds' rules (one refuses the other's).
 */

/** Amazon ECR's private registries: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`; AWS hosts pull from them with their role. */
export const ECR_REGISTRY = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** DigitalOcean Container Registry: DigitalOcean hosts pull from it with read-only credentials the stack makes. */
export const DOCR_REGISTRY = "registry.digitalocean.com";
