import { Construct } from "constructs";
import { Password } from "@cdktf/provider-random/lib/password";
import { ApplicationSecretsProps, DEFAULT_SECRET_LENGTH, SecretRef } from "../core";
import { TERRAFORM_STATE, resourceSecret } from "./shared";

/**
 * The application's secrets on DigitalOcean, which has no secret store: generated ones
 * are `random_password`s (letters and digits, in Terraform state), given ones the
 * sensitive variables' values; both reach the hosts inside their user data, as every
 * DigitalOcean secret does (`inlineHostDelivery`). `existing` secrets are refused.
 *
 * PROVIDER GAP: no secret store, so no `existing` secrets.
 */
export class DoApplicationSecrets extends Construct {
  /** Where each secret lives, by name. */
  public readonly refs: Readonly<Record<string, SecretRef>>;

  constructor(scope: Construct, id: string, props: ApplicationSecretsProps) {
    super(scope, id);
    const refs: Record<string, SecretRef> = {};
    for (const s of props.secrets) {
      if (s.source === "existing") throw new Error(`${s.name}: DigitalOcean has no secret store to hold an existing secret; give it as a variable`);
      if (s.source === "generated") {
        const password = new Password(this, `generated-${s.name.toLowerCase()}`, { length: s.length ?? DEFAULT_SECRET_LENGTH, special: false });
        refs[s.name] = resourceSecret(password.result, password, "result");
      } else {
        if (s.value === undefined || s.variable === undefined) throw new Error(`${s.name} is given to Terraform but has no variable`);
        refs[s.name] = { store: TERRAFORM_STATE, id: s.value, location: `terraform-variable:${s.variable}` };
      }
    }
    this.refs = refs;
  }
}
