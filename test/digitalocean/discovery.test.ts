import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { READ_TOKEN, taggedDropletsScript } from "../../modules/digitalocean/compute-pool";
import { FakeApi } from "../fake-api";
import { requireTool } from "../required-tools";
import { runCommand } from "../tools";

/*
 * The web droplets' list of the app droplets (nginx-balanced layout), run as they run it
 * (sh, curl, jq) against a local DigitalOcean API that implements the one call it makes,
 * GET /v2/droplets?tag_name=, and checks the token on every request.
 */

const TAG = "shop-staging-app";
const TOKEN = "dop_v1_readonly0123456789";

const droplet = (id: number, status: string, privateIp: string) => ({
  id,
  name: `${TAG}-${id}`,
  status,
  tags: [TAG, `${TAG}-rev-0123456789ab`],
  networks: {
    v4: [
      { ip_address: `203.0.113.${id}`, netmask: "255.255.240.0", gateway: "203.0.113.1", type: "public" },
      { ip_address: privateIp, netmask: "255.255.0.0", gateway: "10.20.0.1", type: "private" },
    ],
    v6: [],
  },
});

describe("the app droplets' list (DigitalOcean, GET /v2/droplets by tag)", () => {
  let work: string;
  let api: FakeApi;
  let base: string;
  let script: string;

  beforeAll(async () => {
    requireTool("jq");
    requireTool("curl");
    work = mkdtempSync(join(tmpdir(), "cloudtiers-do-discovery-"));
    api = new FakeApi(
      {
        // Two pages: the first links to the second, as DigitalOcean's API does.
        "GET /v2/droplets": (url) =>
          url.searchParams.get("page") === "2"
            ? { body: { droplets: [droplet(3, "active", "10.20.0.7")], links: { pages: { prev: `${base}/v2/droplets?page=1&per_page=200&tag_name=${TAG}` } }, meta: { total: 4 } } }
            : {
                body: {
                  droplets: [droplet(1, "active", "10.20.0.5"), droplet(2, "new", "10.20.0.6"), droplet(4, "off", "10.20.0.8")],
                  links: { pages: { next: `${base}/v2/droplets?page=2&per_page=200&tag_name=${TAG}`, last: `${base}/v2/droplets?page=2&per_page=200&tag_name=${TAG}` } },
                  meta: { total: 4 },
                },
              },
      },
      (r) => (r.headers.authorization === `Bearer ${TOKEN}` ? undefined : { status: 401, body: { id: "Unauthorized", message: "Unable to authenticate you" } }),
    );
    base = await api.start();
    script = join(work, "list");
    writeFileSync(script, taggedDropletsScript(TAG).replace("https://api.digitalocean.com", base));
  });

  afterAll(async () => {
    await api.stop();
    rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    api.requests.length = 0;
  });

  const list = (env: string) => {
    writeFileSync(join(work, "host.env"), env);
    return runCommand("/bin/sh", [script, join(work, "host.env")], { env: { PATH: "/usr/bin:/bin" } });
  };

  it("prints the private address of every active droplet of the tag, on every page, each near (a region has no zones)", async () => {
    const run = await list(`REGISTRY_USERNAME=bot\n${READ_TOKEN.setting}=${TOKEN}\n`);
    expect(run).toEqual({ status: 0, stdout: "10.20.0.5 near\n10.20.0.7 near\n", stderr: "" });
    expect(api.requests.map((r) => [r.method, r.url])).toEqual([
      ["GET", `/v2/droplets?tag_name=${TAG}&per_page=200`],
      ["GET", `/v2/droplets?page=2&per_page=200&tag_name=${TAG}`],
    ]);
    expect(api.unexpected).toEqual([]);
  });

  it("retries a throttled request", async () => {
    api.hiccups.push({ path: "/v2/droplets", answer: { status: 429, body: { id: "too_many_requests", message: "API Rate limit exceeded." }, headers: { "retry-after": "1" } } });
    const run = await list(`${READ_TOKEN.setting}=${TOKEN}\n`);
    expect(run).toMatchObject({ status: 0, stdout: "10.20.0.5 near\n10.20.0.7 near\n" });
    expect(api.requests).toHaveLength(3);
  }, 20000);

  it("fails, printing no host, when the token is refused", async () => {
    const run = await list(`${READ_TOKEN.setting}=dop_v1_revoked\n`);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("401");
  });

  it("fails before any request when the host's environment has no token", async () => {
    const run = await list("REGISTRY_USERNAME=bot\n");
    expect(run).toEqual({ status: 1, stdout: "", stderr: `cloudtiers-list-app-hosts: ${READ_TOKEN.setting} is missing from ${join(work, "host.env")}\n` });
    expect(api.requests).toEqual([]);
  });
});
