import { ValidationError, formatIssue } from "../../modules/core";
import { validateTopology } from "../../modules/django/validate";
import { buildApp } from "../../modules/stacks/app";
import { EnvironmentSpec } from "../../modules/stacks/spec";
import { environments } from "../../environments";
import { specWith } from "../helpers";

/** What `buildApp` refuses, as users read it (every problem found, in order). */
function refused(specs: EnvironmentSpec[], env: NodeJS.ProcessEnv = {}): string[] {
  try {
    buildApp(specs, { env });
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

/** A second environment beside dev that collides with nothing: its own name, host names and network block. */
function qa(overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return specWith({ environment: "qa", domain: "qa.example.com", network: { cidr: "10.40.0.0/16", zones: 2 }, ...overrides });
}
const dev = specWith();
const awsOnly = { digitalocean: undefined, cloudflare: undefined };

describe("collisions across the environments of an app", () => {
  it("accepts the shipped environments and a second environment that shares nothing", () => {
    expect(refused([...environments])).toEqual([]);
    expect(refused([dev, qa()])).toEqual([]);
  });

  const cases: [string, EnvironmentSpec[], string[]][] = [
    [
      "two derived resource name prefixes that are equal",
      [
        specWith({ environment: "shop", application: { ...dev.application, name: "ab-c" }, domain: "shop.example.com", network: { cidr: "10.50.0.0/16" } }),
        specWith({ environment: "c-shop", application: { ...dev.application, name: "ab" }, domain: "c.example.com", network: { cidr: "10.60.0.0/16" } }),
      ],
      ['c-shop: application.name "ab" and environment "c-shop" give the resource name prefix "ab-c-shop", as application.name "ab-c" and environment "shop" do: every environment needs a prefix of its own'],
    ],
    ["one site name in two environments", [dev, qa({ domain: "dev.example.com" })], [
      'qa: domain is "dev.example.com", which environment "dev" also uses, as the site\'s name (domain): each host name belongs to one environment',
      'qa: cdn.mediaDomain is "media.dev.example.com", which environment "dev" also uses, as the media CDN\'s name (cdn.mediaDomain, by default "media.<domain>"): each host name belongs to one environment',
      'qa: cdn.staticDomain is "static.dev.example.com", which environment "dev" also uses, as the static CDN\'s name (cdn.staticDomain, by default "static.<domain>"): each host name belongs to one environment',
    ]],
    ["one CDN name in two environments", [specWith({ cdn: { staticDomain: "assets.example.com" } }), qa({ cdn: { staticDomain: "assets.example.com" } })], [
      'qa: cdn.staticDomain is "assets.example.com", which environment "dev" also uses, as the static CDN\'s name (cdn.staticDomain): each host name belongs to one environment',
    ]],
    ["a site name that is another environment's CDN name", [specWith({ cdn: { mediaDomain: "files.example.com" } }), qa({ domain: "files.example.com" })], [
      'qa: domain is "files.example.com", which environment "dev" also uses, as the media CDN\'s name (cdn.mediaDomain): each host name belongs to one environment',
    ]],
    ["a CDN name that is another environment's maintenance site's", [specWith({ failover: {} }), qa({ cdn: { mediaDomain: "dev.example.com" } })], [
      'qa: cdn.mediaDomain is "dev.example.com", which environment "dev" also uses, as the site\'s and its maintenance site\'s name (domain): each host name belongs to one environment',
    ]],
    ["one hosted zone created by two stacks", [specWith({ ...awsOnly, createDnsZone: true }), qa({ ...awsOnly, createDnsZone: true })], [
      'qa: createDnsZone is true for the hosted zone "example.com", which environment "dev" creates too: one stack creates a zone, the others look it up (createDnsZone false) or name it in aws.hostedZoneId',
    ]],
    ["two DigitalOcean VPCs that overlap in one region", [dev, qa({ network: { cidr: "10.10.128.0/17", zones: 2 } })], [
      'qa: network.cidr "10.10.128.0/17" overlaps environment "dev"\'s "10.10.0.0/16" in DigitalOcean region "fra1", where VPC ranges may not overlap: give one of them a block of its own',
    ]],
    ["two DigitalOcean VPCs on the default block in one region", [specWith({ network: undefined }), qa({ network: undefined })], [
      'qa: network.cidr "10.0.0.0/16" (the default) overlaps environment "dev"\'s "10.0.0.0/16" (the default) in DigitalOcean region "fra1", where VPC ranges may not overlap: give one of them a block of its own',
    ]],
  ];

  it.each(cases)("refuses %s, naming both environments", (_name, specs, expected) => {
    expect(refused(specs)).toEqual(expected);
  });

  it("leaves alone what is not shared: one zone looked up by both, overlapping blocks in two regions or on AWS only", () => {
    expect(refused([specWith({ ...awsOnly, createDnsZone: true }), qa({ ...awsOnly })])).toEqual([]);
    expect(refused([dev, qa({ network: { cidr: "10.10.0.0/16", zones: 2 }, digitalocean: { ...dev.digitalocean!, region: "ams3" } })])).toEqual([]);
    expect(refused([specWith(awsOnly), qa({ ...awsOnly, network: { cidr: "10.10.0.0/16", zones: 2 } })])).toEqual([]);
  });
});

describe("host names within one environment", () => {
  const problems = (spec: EnvironmentSpec) => validateTopology(spec).map(formatIssue);
  it.each([
    ["a CDN name equal to the site's", { cdn: { mediaDomain: "dev.example.com" } }, [
      'dev: cdn.mediaDomain is "dev.example.com", which is already the site\'s name (domain): the site, the media CDN and the static CDN each need a name of their own',
    ]],
    ["a CDN name equal to the maintenance site's", { failover: {}, cdn: { staticDomain: "dev.example.com" } }, [
      'dev: cdn.staticDomain is "dev.example.com", which is already the site\'s and its maintenance site\'s name (domain): the site, the media CDN and the static CDN each need a name of their own',
    ]],
    ["the static CDN on the media CDN's default name", { cdn: { staticDomain: "media.dev.example.com" } }, [
      'dev: cdn.staticDomain is "media.dev.example.com", which is already the media CDN\'s name (cdn.mediaDomain, by default "media.<domain>"): the site, the media CDN and the static CDN each need a name of their own',
    ]],
  ] as [string, Partial<EnvironmentSpec>, string[]][])("refuses %s", (_name, overrides, expected) => {
    expect(problems(specWith(overrides))).toEqual(expected);
  });
});

describe("stack names", () => {
  it("refuses an environment whose stack would take the Terraform Cloud bootstrap stack's name, before cdktf stops on it", () => {
    const org = { terraformCloud: { organization: "acme-aws" } };
    expect(refused([specWith({ ...org, cdn: undefined }), qa({ ...org, environment: "terraform-cloud-acme", application: { ...dev.application, name: "sh" } })])).toEqual([
      'terraform-cloud-acme: environment gives its aws stack the name "terraform-cloud-acme-aws", the name of the Terraform Cloud bootstrap stack of organization "acme-aws" (terraformCloud.organization) too: every stack needs a name of its own',
    ]);
    expect(refused([qa({ environment: "terraform-cloud-acme", application: { ...dev.application, name: "sh" } })], { TF_CLOUD_ORGANIZATION: "Acme-DO" })).toEqual([
      'terraform-cloud-acme: environment gives its do stack the name "terraform-cloud-acme-do", the name of the Terraform Cloud bootstrap stack of organization "Acme-DO" (TF_CLOUD_ORGANIZATION) too: every stack needs a name of its own',
    ]);
  });
});
