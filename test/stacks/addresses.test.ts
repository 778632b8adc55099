import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { StackDocument } from "../../modules/policy";
import { AWS, CLOUDS } from "../../modules/stacks/clouds";
import { ADDRESS_BOOK, AddressBook, addressProblems } from "../../modules/stacks/addresses";
import { staleHint } from "../../tools/generated";
import { SHIPPED_STACKS, synthAwsEnvironment, synthDoEnvironment } from "../helpers";

const book: AddressBook = JSON.parse(readFileSync(join(__dirname, "..", "..", ADDRESS_BOOK), "utf8"));

describe("stable addresses of stateful resources", () => {
  it.each(SHIPPED_STACKS.map(({ name, spec, cloud }) => [name, spec, cloud] as const))(
    "%s keeps every recorded stateful address (or moves it)",
    (stack, spec, cloud) => {
      const s = cloud === "aws" ? synthAwsEnvironment(spec) : synthDoEnvironment(spec);
      // A stack added since the book was written, or a new stateful resource: the book is refreshed by one command.
      const refresh = staleHint(ADDRESS_BOOK);
      const problems = book[stack]?.length ? addressProblems(stack, book[stack], new StackDocument(s.json), CLOUDS.find((c) => c.id === cloud)!) : [`${stack} has no record`];
      expect({ problems, refresh }).toEqual({ problems: [], refresh });
    },
  );

  function bucketStack(id: string, movedFrom?: string): StackDocument {
    const stack = new TerraformStack(Testing.app(), "x");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const bucket = new S3Bucket(stack, id, { bucket: "media" });
    if (movedFrom) bucket.moveFromId(movedFrom);
    return StackDocument.parse(Testing.synth(stack));
  }

  it("refuses a rename, which would replace the bucket, with how to make it safe", () => {
    expect(addressProblems("x", ["aws_s3_bucket.media"], bucketStack("uploads"), AWS)).toEqual([
      'x: aws_s3_bucket.media is gone: Terraform would destroy it and create a new one. Keep its construct id, or move its state: newResource.moveFromId("aws_s3_bucket.media")',
      `x: aws_s3_bucket.uploads is a stateful resource not recorded in ${ADDRESS_BOOK}: review it, then record it`,
    ]);
  });

  it("accepts the same rename with a moved block", () => {
    const doc = bucketStack("uploads", "aws_s3_bucket.media");
    expect(doc.moves()).toEqual([{ from: "aws_s3_bucket.media", to: "aws_s3_bucket.uploads" }]);
    expect(addressProblems("x", ["aws_s3_bucket.media"], doc, AWS)).toEqual([]);
  });
});

describe("addresses the docs give in commands", () => {
  // docs/topology.md's upgrade runs a targeted apply on production-do's addresses: a construct
  // renamed since would make that command target nothing.
  const topology = readFileSync(join(__dirname, "..", "..", "docs", "topology.md"), "utf8");
  const targets = [...topology.matchAll(/-target=([a-z_]+\.[A-Za-z0-9_-]+)/g)].map((m) => m[1]);

  it("docs/topology.md targets addresses production-do has", () => {
    expect(targets.length).toBeGreaterThanOrEqual(3);
    const stack = SHIPPED_STACKS.find((st) => st.name === "production-do");
    if (!stack) throw new Error("docs/topology.md's upgrade commands name production-do, which no environment makes any more: update them");
    const s = synthDoEnvironment(stack.spec);
    const addresses = Object.entries(s.json.resource as Record<string, Record<string, unknown>>).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
    expect(targets.filter((t) => !addresses.includes(t))).toEqual([]);
  });
});
