import { Construct } from "constructs";
import {
  CloudBackend,
  DefaultTokenResolver,
  LocalBackend,
  NamedCloudWorkspace,
  StringConcat,
  TerraformElement,
  TerraformOutput,
  TerraformStack,
  Tokenization,
} from "cdktf";
import { deepMerge } from "cdktf/lib/util";
import { RequiredTerraformVersion, ValidationError, ValidationIssue, answeredFor, answeringFor, literalSpec, setOwn, terraformSpecText } from "../core";
import { PolicyAtSynth } from "../policy";
import { DjangoTopology } from "../django/topology";
import { CLOUDS, CloudAdapter, wants } from "./clouds";
import { EnvironmentSpec } from "./spec";
import { RemoteWorkspace, TerraformCloudEnvironment, localStatePath, remoteWorkspace } from "./terraform-cloud";
import { validateEnvironment } from "./validate";

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** The Terraform elements of a stack, depth first, in cdktf's order. */
function terraformElements(scope: Construct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(scope)) into.push(scope);
  for (const child of scope.node.children) if (!TerraformStack.isStack(child)) terraformElements(child, into);
  return into;
}

/**
 * An element's document without its unset arguments. The provider bindings write every
 * argument a resource has, set or not (about half of an AWS stack's keys are undefined),
 * and cdktf's resolver builds a context and a path for each before dropping it. Only plain
 * objects lose keys, never a token; what resolves is unchanged.
 */
function withoutUnset(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUnset);
  if (value === null || typeof value !== "object" || Tokenization.isResolvable(value)) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const kept: Record<string, unknown> = {};
  // A plain object's own keys only (its prototype is Object's or none); no entries array made.
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) setOwn(kept, key, withoutUnset(item));
  }
  return kept;
}

/** `<environment>-<cloud>`, e.g. `production-aws`. */
export function stackName(spec: EnvironmentSpec, cloud: CloudAdapter): string {
  return `${spec?.environment}-${cloud.id}`;
}

/** A stack built (by a library user) for a cloud whose section the spec lacks. */
function missingCloud(spec: EnvironmentSpec, cloud: CloudAdapter, name: string): ValidationIssue {
  const section = cloud.sections[0];
  const has = CLOUDS.filter((c) => wants(c, spec)).map((c) => `${c.id} (${c.sections[0]})`);
  return {
    environment: typeof spec.environment === "string" && spec.environment ? spec.environment : "(unnamed)",
    path: section,
    message: `is missing, but the stack "${name}" is built for cloud "${cloud.id}": give the spec its ${section} section, or build the stack for a cloud it has a section for: ${has.join(", ") || "none"}`,
  };
}

/**
 * One environment on one cloud: the cloud's providers and factory, the backend, the
 * Django topology and the stack outputs the application needs.
 */
export class CloudTiersStack extends TerraformStack {
  public readonly topology: DjangoTopology;
  public readonly spec: EnvironmentSpec;
  public readonly cloud: CloudAdapter;
  /** The Terraform Cloud workspace holding the stack's state, if it is not local. */
  public readonly workspace?: RemoteWorkspace;

  /**
   * cdktf resolves every token of a stack twice per synth: a preparing pass, which exists
   * to create cross-stack references, then the real one. These stacks never reference one
   * another (each environment × cloud stands alone; a test proves the output is the same
   * either way), so the preparing pass is skipped; it was about a third of synth time.
   */
  public override prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * cdktf's `toTerraform` less its last step. cdktf resolves each element, merges the
   * results and the stack's own overrides, then resolves the merged document once more: a
   * walk over every value of a document that is already resolved, about a quarter of synth
   * time. Here that last walk happens only when the stack has overrides, which merge
   * unresolved as in cdktf (an undefined one deletes a key, a token replaces what it
   * overrides). A test proves the output byte-identical to cdktf's for every shipped
   * stack, and with overrides of each kind.
   */
  public override toTerraform(): Record<string, unknown> {
    const checked = this.checkedDocument;
    this.checkedDocument = undefined;
    // The document the policy pack just checked (synth runs validations right before it writes), unless constructs were added since.
    if (checked && checked.constructs === this.node.findAll().length) return checked.document;
    const elements = terraformElements(this);
    const metadata: Record<string, unknown> = {
      version: this.node.tryGetContext("cdktfVersion"),
      stackName: this.node.id,
      backend: "local",
      cloud: undefined,
      ...(Object.keys(this.overrides).length > 0 ? { overrides: { stack: Object.keys(this.overrides) } } : {}),
    };
    for (const element of elements) deepMerge(metadata, this.resolved(element.toMetadata()));
    const outputs = {};
    for (const output of elements.filter(TerraformOutput.isTerraformOutput)) {
      deepMerge(outputs, output.node.path.split("/").reduceRight<unknown>((inner, part) => ({ [part]: inner }), output.friendlyUniqueId));
    }
    const document: Record<string, unknown> = { "//": { metadata, outputs } };
    for (const element of elements) deepMerge(document, this.resolved(withoutUnset(element.toTerraform())));
    return terraformSpecText(Object.keys(this.overrides).length === 0 ? document : this.resolved(deepMerge(document, this.overrides)));
  }

  private checkedDocument?: { document: Record<string, unknown>; constructs: number };

  /** The document the policy pack checks at synth, kept for the write that follows: one resolve, not two. */
  private documentForPolicy(): Record<string, unknown> {
    const document = this.toTerraform();
    this.checkedDocument = { document, constructs: this.node.findAll().length };
    return document;
  }

  /** What `addOverride` recorded on the stack itself (private in cdktf). */
  private get overrides(): Record<string, unknown> {
    return (this as unknown as { rawOverrides: Record<string, unknown> }).rawOverrides;
  }

  /** A value as the stack writes it: tokens resolved to Terraform expressions. */
  public resolved<T>(value: T): T {
    return Tokenization.resolve(value, { scope: this, preparing: false, resolver: RESOLVER });
  }

  /** `env`: where Terraform Cloud settings the spec leaves out come from. */
  constructor(scope: Construct, spec: EnvironmentSpec, cloud: CloudAdapter, env: TerraformCloudEnvironment = process.env) {
    const name = stackName(spec, cloud);
    super(scope, name);
    this.spec = spec;
    this.cloud = cloud;
    // Inside buildApp the spec is validated already, and the policy pack runs after synth.
    if (!answeredFor(spec)) {
      const issues = validateEnvironment(spec, env);
      if (typeof spec === "object" && spec !== null && !wants(cloud, spec)) issues.push(missingCloud(spec, cloud, name));
      if (issues.length > 0) throw new ValidationError(issues);
      this.node.addValidation(
        new PolicyAtSynth({
          stack: name,
          cloud: cloud.policy,
          production: spec.production ?? true,
          suppressions: (spec.policy?.suppress ?? []).filter((s) => s.cloud === cloud.id),
          document: () => this.documentForPolicy(),
        }),
      );
    }

    this.workspace = remoteWorkspace(spec, cloud.id, env);
    if (this.workspace) {
      // The token comes from `terraform login` or TF_TOKEN_<host>, never from here.
      new CloudBackend(this, {
        organization: this.workspace.organization,
        hostname: this.workspace.hostname,
        workspaces: new NamedCloudWorkspace(this.workspace.name, this.workspace.project),
      });
    } else {
      new LocalBackend(this, { path: localStatePath(name) });
    }
    new RequiredTerraformVersion(this);
    // The constructs see the spec's text as marks, written as Terraform's escapes in `toTerraform`.
    // The stack has validated the spec: the topology built from its literal copy need not again.
    const literal = literalSpec(spec);
    const factory = cloud.configure(this, literal);
    this.topology = answeringFor([literal], () => new DjangoTopology(this, "django", { factory, spec: literal }));
    for (const output of this.topology.outputs()) {
      new TerraformOutput(this, output.name, {
        value: output.value,
        description: output.description,
        sensitive: output.sensitive,
        staticId: true,
      });
    }
  }
}
