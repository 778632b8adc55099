import { Construct } from "constructs";
import { Fn } from "cdktf";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Password } from "@cdktf/provider-random/lib/password";
import { ApplicationSecretsProps, DEFAULT_SECRET_LENGTH, SecretRef, choose, fitText, protectedLifecycle } from "../core";
import { AwsSettings } from "./settings";
import { SECRETS_MANAGER } from "./shared";
import { secretName } from "../naming/resource-names";

export interface AwsApplicationSecretsProps extends ApplicationSecretsProps {
  /** Where the `existing` secrets live (`aws.secrets`). */
  readonly existing: NonNullable<AwsSettings["secrets"]>;
}

/**
 * The application's secrets in Secrets Manager, where hosts read them through their role:
 * generated ones (`random_password`, letters and digits, in Terraform state) and given
 * ones (sensitive variables) in one secret, `<prefix>/application`, a JSON document keyed
 * by name; existing ones where `aws.secrets` says. No value is in code or in the
 * synthesised stack, only references to Terraform's.
 */
export class AwsApplicationSecrets extends Construct {
  /** Where each secret lives, by name. */
  public readonly refs: Readonly<Record<string, SecretRef>>;
  /** The secret holding the generated and given values, when there are any. */
  public readonly secret?: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: AwsApplicationSecretsProps) {
    super(scope, id);
    const refs: Record<string, SecretRef> = {};
    const stored: Record<string, string> = {};
    for (const s of props.secrets) {
      if (s.source === "existing") {
        const where = props.existing[s.name];
        if (!where) throw new Error(`${s.name} is an existing secret, but aws.secrets does not say where it lives`);
        refs[s.name] = { store: SECRETS_MANAGER, id: where.arn, jsonKey: where.jsonKey };
      } else if (s.source === "generated") {
        stored[s.name] = new Password(this, `generated-${s.name.toLowerCase()}`, { length: s.length ?? DEFAULT_SECRET_LENGTH, special: false }).result;
      } else {
        if (s.value === undefined) throw new Error(`${s.name} is given to Terraform but has no value reference`);
        stored[s.name] = s.value;
      }
    }
    const names = Object.keys(stored);
    if (names.length > 0) {
      const name = secretName(props.namePrefix, "application");
      this.secret = new SecretsmanagerSecret(this, "secret", {
        name,
        // The names are the spec's: many long ones are cut here rather than the spec refused.
        description: fitText("aws_secretsmanager_secret.description", `The application's own secrets (${names.join(", ")}), one JSON key each`),
        recoveryWindowInDays: choose(props.deletionProtection, 30, 0),
        tags: { Name: name },
        lifecycle: protectedLifecycle(props.deletionProtection),
      });
      new SecretsmanagerSecretVersion(this, "value", { secretId: this.secret.id, secretString: Fn.jsonencode(stored) });
      // One reference for all of them: the hosts' policy names the secret once.
      const arn = this.secret.arn;
      for (const n of names) refs[n] = { store: SECRETS_MANAGER, id: arn, jsonKey: n };
    }
    this.refs = refs;
  }
}
