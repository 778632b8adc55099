import { parse } from "yaml";
import { formatIssue } from "../../modules/core/errors";
import { HOST_PATHS } from "../../modules/django/host";
import { formatSettings, settingsOf } from "../../modules/stacks/settings";
import { validateEnvironment } from "../../modules/stacks/validate";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { dev } from "../../environments/dev";
import { Config, Synth, decodeUserData, dropletUserData, specWith, synthAwsEnvironment, synthDoEnvironment } from "../helpers";

const ECR_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/shop@sha256:" + "a".repeat(64);
const DOCR_IMAGE = "registry.digitalocean.com/acme/shop:1.2.3";

/** dev with `image` and, when given, a login to its registry. */
function withImage(image: string, registry?: EnvironmentSpec["application"]["registry"], clouds: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return specWith({ application: { ...dev.application, image, registry }, ...clouds });
}

/** The files an AWS pool's user data writes, by path. */
function awsFiles(s: Synth, pool: string): Record<string, string> {
  const doc = parse(decodeUserData(s.one("aws_launch_template", pool)));
  return Object.fromEntries(doc.write_files.map((f: { path: string; content: string }) => [f.path, f.content]));
}

function statements(s: Synth, policy: string): Config[] {
  return JSON.parse(s.one("aws_iam_role_policy", policy).policy).Statement;
}

describe("private images on AWS", () => {
  it("pull from ECR with the instance role, which may pull exactly the image's repository, after a login at every start", () => {
    const s = synthAwsEnvironment(withImage(ECR_IMAGE, undefined, { digitalocean: undefined, cloudflare: undefined }));
    for (const pool of ["web-pool", "worker-pool"]) {
      expect(statements(s, `${pool}/read-environment`)).toEqual(
        expect.arrayContaining([
          { Sid: "LogInToEcr", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
          {
            Sid: "PullImage",
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            Resource: ["arn:aws:ecr:eu-west-1:123456789012:repository/acme/shop"],
          },
        ]),
      );
      const files = awsFiles(s, pool);
      expect(files[HOST_PATHS.registryLogin]).toContain("password=$(/snap/bin/aws ecr get-login-password --region eu-west-1)\nprintf '%s' \"$password\" | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com\n");
      expect(files[HOST_PATHS.appUnit]).toContain(`ExecStartPre=-${HOST_PATHS.retry} 5 ${HOST_PATHS.registryLogin}\nExecStartPre=${HOST_PATHS.pull} ${ECR_IMAGE}\n`);
      // No password travels anywhere.
      expect(JSON.parse(s.one("aws_ssm_parameter", pool).value).host).toBeUndefined();
    }
  });

  it("pull a public image without logging in, and grant no ECR access", () => {
    const s = synthAwsEnvironment(dev);
    expect(JSON.stringify(statements(s, "web-pool/read-environment"))).not.toContain("ecr:");
    expect(awsFiles(s, "web-pool")[HOST_PATHS.registryLogin]).toBeUndefined();
  });

  it("log in to any other registry with the spec's user name and a password the hosts read, which the application never receives", () => {
    const spec = withImage("ghcr.io/acme/shop:1.2.3", { username: "acme-bot", password: { source: "variable" } }, { digitalocean: undefined, cloudflare: undefined });
    const s = synthAwsEnvironment(spec);
    expect(s.json.variable.secret_registry_password).toMatchObject({ sensitive: true, nullable: false });
    expect(s.one("aws_secretsmanager_secret_version", "application-secrets").secret_string).toContain('"REGISTRY_PASSWORD" = var.secret_registry_password');
    const arn = `\${${s.address("aws_secretsmanager_secret", "application-secrets")}.arn}`;
    for (const pool of ["web-pool", "worker-pool"]) {
      const document = JSON.parse(s.one("aws_ssm_parameter", pool).value);
      expect(document.host).toEqual({ settings: { REGISTRY_USERNAME: "acme-bot" }, secrets: { REGISTRY_PASSWORD: { id: arn, jsonKey: "REGISTRY_PASSWORD" } } });
      expect(Object.keys(document.secrets)).not.toContain("REGISTRY_PASSWORD");
      expect(Object.keys(document.settings)).not.toContain("REGISTRY_USERNAME");
      expect(awsFiles(s, pool)[HOST_PATHS.registryLogin]).toContain("docker login --username \"$username\" --password-stdin 'ghcr.io'");
    }
  });

  it("report a host that gave up to its own group only", () => {
    const s = synthAwsEnvironment(dev);
    for (const pool of ["web-pool", "worker-pool"]) {
      expect(statements(s, `${pool}/report-health`)).toEqual([
        { Sid: "ReportOwnHealth", Effect: "Allow", Action: ["autoscaling:SetInstanceHealth", "autoscaling:CompleteLifecycleAction"], Resource: [`\${${s.address("aws_autoscaling_group", `${pool}/group`)}.arn}`] },
      ]);
    }
  });
});

describe("npm run settings and the registry login", () => {
  it("lists the hosts' own login apart from the application's environment, the password by where it lives", () => {
    const spec = withImage("ghcr.io/acme/shop:1.2.3", { username: "acme-bot", password: { source: "variable" } });
    const [aws, digitalocean] = settingsOf([spec], []);
    expect(aws.django.variables.map((v) => v.name)).not.toContain("REGISTRY_PASSWORD");
    expect(aws.host?.variables).toEqual([
      expect.objectContaining({ name: "REGISTRY_USERNAME", value: "acme-bot", secret: false }),
      expect.objectContaining({ name: "REGISTRY_PASSWORD", secret: true, value: expect.stringMatching(/^aws-secrets-manager:\$\{aws_secretsmanager_secret\.[\w-]+\.arn\}#REGISTRY_PASSWORD$/), source: expect.stringContaining("secret_registry_password") }),
    ]);
    expect(formatSettings(digitalocean)).toContain("The same hosts read for themselves, never in the application's environment (the registry login):\n  REGISTRY_USERNAME  acme-bot");
    expect(formatSettings(digitalocean)).toMatch(/REGISTRY_PASSWORD {2}secret at terraform-variable:secret_registry_password\n/);
    // DigitalOcean Container Registry: credentials the stack makes.
    const [docr] = settingsOf([withImage(DOCR_IMAGE, undefined, { aws: undefined })], []);
    expect(docr.host?.variables.find((v) => v.name === "REGISTRY_PASSWORD")?.source).toContain("read-only credentials of registry.digitalocean.com the stack makes");
    expect(settingsOf([dev], [])[0].host).toBeUndefined();
  });
});

describe("private images on DigitalOcean", () => {
  it("pull from DigitalOcean Container Registry with read-only credentials of that registry, split by Terraform into the login", () => {
    const s = synthDoEnvironment(withImage(DOCR_IMAGE, undefined, { aws: undefined }));
    expect(s.where("digitalocean_container_registry_docker_credentials")).toEqual([{ registry_name: "acme", write: false }]);
    const address = s.address("digitalocean_container_registry_docker_credentials");
    const auth = `base64decode(jsondecode(${address}.docker_credentials).auths["registry.digitalocean.com"].auth)`;
    const django = s.entries("digitalocean_droplet_autoscale").map(([id]) => dropletUserData(s, id)).filter((u) => u.includes("DATABASE_URL="));
    expect(django.length).toBeGreaterThan(0);
    for (const userData of django) {
      const [app, host] = userData.split(`cat > "$2" <<'CLOUDTIERS_ENV'`);
      expect(host).toContain(`REGISTRY_USERNAME=\${element(regex("^([^:]*):(.*)$", ${auth}), 0)}\n`);
      expect(host).toContain(`REGISTRY_PASSWORD=\${element(regex("^([^:]*):(.*)$", ${auth}), 1)}\n`);
      expect(app).not.toContain("REGISTRY_");
      expect(userData).toContain(`ExecStartPre=-${HOST_PATHS.retry} 5 ${HOST_PATHS.registryLogin}`);
    }
  });

  it("make no credentials for a public image", () => {
    expect(synthDoEnvironment(dev).where("digitalocean_container_registry_docker_credentials")).toEqual([]);
  });
});

describe("registry settings that do not fit the image", () => {
  const cases: [string, EnvironmentSpec, string[]][] = [
    [
      "an ECR image on DigitalOcean",
      withImage(ECR_IMAGE, undefined, { aws: undefined }),
      ['dev: application.image is in Amazon ECR ("123456789012.dkr.ecr.eu-west-1.amazonaws.com"), which only AWS identities can log in to (its passwords last 12 hours): push it to DigitalOcean Container Registry or another registry for the DigitalOcean stack'],
    ],
    [
      "a login for an ECR image on AWS",
      withImage(ECR_IMAGE, { username: "AWS", password: { source: "variable" } }, { digitalocean: undefined, cloudflare: undefined }),
      ["dev: application.registry is not used with an ECR image on AWS: the hosts pull 123456789012.dkr.ecr.eu-west-1.amazonaws.com with their role, which may pull exactly that repository; remove application.registry"],
    ],
    [
      "a DigitalOcean Container Registry image on AWS without a login",
      withImage(DOCR_IMAGE, undefined, { digitalocean: undefined, cloudflare: undefined }),
      ['dev: application.image is in DigitalOcean Container Registry ("registry.digitalocean.com"), which AWS hosts can only log in to with application.registry (a DigitalOcean API token with read access as password)'],
    ],
    [
      "an existing registry password on DigitalOcean",
      withImage("ghcr.io/acme/shop:1", { username: "acme-bot", password: { source: "existing" } }, { aws: undefined }),
      ['dev: application.registry.password.source is "existing", but DigitalOcean has no secret store to hold it: use "variable" (a sensitive Terraform variable)'],
    ],
  ];
  it.each(cases)("refuses %s", (_name, spec, expected) => {
    expect(validateEnvironment(spec).map(formatIssue)).toEqual(expected);
  });
});
