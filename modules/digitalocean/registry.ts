import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { ContainerRegistryDockerCredentials } from "@cdktf/provider-digitalocean/lib/container-registry-docker-credentials";
import { DOCR_REGISTRY, RegistryAccess, RegistryAccessProps, imageRegistry, imageRepository } from "../core";
import { resourceSecret } from "./shared";

/**
 * How DigitalOcean hosts log in to the image's registry: the spec's user name and
 * password where it gives them; for an image in DigitalOcean Container Registry, read-only
 * Docker credentials of that registry (`digitalocean_container_registry_docker_credentials`,
 * a Docker `config.json` whose `auth` is `<user>:<token>` in base64), which Terraform
 * splits into the user name and password the hosts log in with at every start. They never
 * expire unless `expiry_seconds` says so (the provider's default is about 50 years):
 * expired credentials would be renewed by the next apply and, being part of the droplets'
 * user data, would replace every droplet then.
 */
export function doRegistryAccess(scope: Construct, id: string, props: RegistryAccessProps): RegistryAccess {
  const server = imageRegistry(props.image);
  if (props.credentials) return { login: "password", server, username: props.credentials.username, password: props.credentials.password };
  if (server !== DOCR_REGISTRY) return { login: "none", server };
  const credentials = new ContainerRegistryDockerCredentials(scope, id, { registryName: imageRepository(props.image).split("/")[0], write: false });
  const auth = Fn.base64decode(Fn.lookupNested(Fn.jsondecode(credentials.dockerCredentials), ["auths", DOCR_REGISTRY, "auth"]));
  const part = (index: number) => Token.asString(Fn.element(Fn.regex("^([^:]*):(.*)$", auth), index));
  return { login: "password", server, username: part(0), password: resourceSecret(part(1), credentials, "docker_credentials") };
}
