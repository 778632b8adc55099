import { ECR_REGISTRY, RegistryAccess, RegistryAccessProps, imageRegistry, imageRepository } from "../core";

/** The ARN of the ECR repository an image is in: `arn:<partition>:ecr:<region>:<account>:repository/<name>`. */
export function ecrRepositoryArn(image: string): string {
  const server = imageRegistry(image);
  const match = ECR_REGISTRY.exec(server);
  if (!match) throw new Error(`${image} is not in an ECR registry`);
  const partition = server.endsWith(".amazonaws.com.cn") ? "aws-cn" : "aws";
  return `arn:${partition}:ecr:${match[2]}:${match[1]}:repository/${imageRepository(image)}`;
}

/**
 * How AWS hosts log in to the image's registry: to ECR with their role, which may pull
 * that one repository (a login at every start of the application, as ECR's tokens last
 * 12 hours); elsewhere with the spec's user name and password, or not at all.
 */
export function awsRegistryAccess(props: RegistryAccessProps): RegistryAccess {
  const server = imageRegistry(props.image);
  if (ECR_REGISTRY.test(server)) return { login: "cloud", server, repositories: [ecrRepositoryArn(props.image)] };
  if (props.credentials) return { login: "password", server, username: props.credentials.username, password: props.credentials.password };
  return { login: "none", server };
}
