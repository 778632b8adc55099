/** A resource's configuration as synthesised (cdktf's JSON, snake_case keys). */
export type ResourceConfig = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One synthesised resource. */
export interface Resource {
  /** `type.logicalId`, the Terraform address. */
  readonly address: string;
  readonly type: string;
  readonly config: ResourceConfig;
}

/** `${address.attribute}` as it appears in synthesised JSON. */
export function reference(address: string, attribute: string): string {
  return `\${${address}.${attribute}}`;
}

/** A synthesised stack (`cdk.tf.json`), read by resource type. */
export class StackDocument {
  constructor(public readonly json: ResourceConfig) {}

  public static parse(text: string): StackDocument {
    return new StackDocument(JSON.parse(text));
  }

  /** Every resource of `type`. */
  public resources(type: string): Resource[] {
    return Object.entries(this.json.resource?.[type] ?? {}).map(([id, config]) => ({ address: `${type}.${id}`, type, config: config as ResourceConfig }));
  }

  /** Every data source of `type`, addressed `data.<type>.<id>`. */
  public dataSources(type: string): Resource[] {
    return Object.entries(this.json.data?.[type] ?? {}).map(([id, config]) => ({ address: `data.${type}.${id}`, type, config: config as ResourceConfig }));
  }

  /** Every resource of any of `types`. */
  public all(types: readonly string[]): Resource[] {
    return types.flatMap((t) => this.resources(t));
  }

  /** Every resource address in the stack. */
  public addresses(): string[] {
    return Object.keys(this.json.resource ?? {}).flatMap((type) => this.resources(type).map((r) => r.address));
  }

  /**
   * The region of the `cloud` provider a resource names (`aws.disaster_recovery`), or of the
   * default one when it names none; undefined where the stack configures no such provider.
   */
  public providerRegion(cloud: string, provider?: string): string | undefined {
    const configured = (this.json.provider?.[cloud] ?? []) as { alias?: string; region?: string }[];
    return configured.find((p) => (provider === undefined ? p.alias === undefined : `${cloud}.${p.alias}` === provider))?.region;
  }

  /** The `moved` blocks (`from` → `to`), which carry state across renamed addresses. */
  public moves(): { from: string; to: string }[] {
    return (this.json.moved ?? []) as { from: string; to: string }[];
  }
}
