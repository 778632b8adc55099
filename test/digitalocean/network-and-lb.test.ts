import { doFixture, fetchScriptHost, ref, synth } from "../helpers";

function lbs() {
  const f = doFixture();
  const pub = f.factory.createLoadBalancer(f.stack, "lb", {
    namePrefix: f.namePrefix,
    network: f.network,
    scheme: "public",
    certificate: f.certificate,
    targetPort: 80,
    healthCheck: { path: "/healthz" },
  });
  const internal = f.factory.createLoadBalancer(f.stack, "internal", {
    namePrefix: f.namePrefix,
    network: f.network,
    scheme: "internal",
    targetPort: 8000,
    healthCheck: { path: "/healthz" },
  });
  return { f, pub, internal };
}

describe("DigitalOcean network", () => {
  it("is one VPC in the region with the spec's block; PROVIDER GAP: one zone, whatever was asked", () => {
    const f = doFixture();
    expect(f.network.zones).toBe(1);
    expect(synth(f.stack).one("digitalocean_vpc", "network")).toMatchObject({ name: "shop-test", region: "fra1", ip_range: "10.0.0.0/16" });
  });
});

describe("DigitalOcean load balancers", () => {
  it("public: HTTPS with the origin certificate and a strong cipher policy, HTTP redirected, health-checked on /healthz", () => {
    const s = synth(lbs().f.stack);
    const lb = s.one("digitalocean_loadbalancer", "lb");
    expect(lb).toMatchObject({
      name: "shop-test-public",
      network: "EXTERNAL",
      redirect_http_to_https: true,
      tls_cipher_policy: "STRONG",
      region: "fra1",
      vpc_uuid: ref(s.address("digitalocean_vpc"), "id"),
      healthcheck: { protocol: "http", port: 80, path: "/healthz" },
    });
    expect(lb.forwarding_rule).toEqual([
      { entry_port: 443, entry_protocol: "https", target_port: 80, target_protocol: "http", certificate_name: ref(s.address("digitalocean_certificate", "certificate"), "name") },
      { entry_port: 80, entry_protocol: "http", target_port: 80, target_protocol: "http" },
    ]);
  });

  it("public: admits only Cloudflare's address ranges, so the origin is reached only through the edge", () => {
    const lb = synth(lbs().f.stack).one("digitalocean_loadbalancer", "lb");
    expect(lb.firewall).toEqual({ allow: ["cidr:173.245.48.0/20", "cidr:103.21.244.0/22"] });
  });

  it("internal: VPC-only TCP pass-through on 80 to the app port, admitting the private network", () => {
    const s = synth(lbs().f.stack);
    const lb = s.one("digitalocean_loadbalancer", "internal");
    expect(lb).toMatchObject({ network: "INTERNAL", redirect_http_to_https: false, firewall: { allow: ["cidr:10.0.0.0/16"] } });
    expect(lb.forwarding_rule).toEqual([{ entry_port: 80, entry_protocol: "tcp", target_port: 8000, target_protocol: "tcp" }]);
    expect(lb.tls_cipher_policy).toBeUndefined();
  });

  it("PROVIDER GAP: an internal load balancer cannot admit one peer alone, only the private network", () => {
    const { f, pub, internal } = lbs();
    const before = JSON.stringify(synth(f.stack).one("digitalocean_loadbalancer", "internal").firewall);
    internal.allowFrom(pub);
    expect(JSON.stringify(synth(f.stack).one("digitalocean_loadbalancer", "internal").firewall)).toBe(before);
  });

  it("sends traffic to the droplets of the pool registered with it, by tag", () => {
    const { f, pub } = lbs();
    f.factory.createComputePool(f.stack, "web", {
      namePrefix: f.namePrefix,
      network: f.network,
      role: "web",
      size: "small",
      minInstances: 1,
      maxInstances: 2,
      port: 80,
      loadBalancer: pub,
      host: fetchScriptHost(),
    });
    const s = synth(f.stack);
    expect(s.one("digitalocean_loadbalancer", "lb").droplet_tag).toBe(ref(s.address("digitalocean_tag", "web/tag"), "name"));
  });
});

describe("DigitalOcean certificates", () => {
  it("load balancers get a Cloudflare Origin CA certificate for the names, with a generated key, uploaded as a custom certificate", () => {
    const s = synth(doFixture().stack);
    expect(s.one("tls_cert_request", "certificate").dns_names).toEqual(["www.example.com"]);
    expect(s.one("tls_private_key", "certificate")).toMatchObject({ algorithm: "ECDSA", ecdsa_curve: "P256" });
    const origin = s.address("cloudflare_origin_ca_certificate", "certificate");
    expect(s.one("cloudflare_origin_ca_certificate", "certificate")).toMatchObject({
      hostnames: ["www.example.com"],
      request_type: "origin-ecc",
      csr: ref(s.address("tls_cert_request", "certificate"), "cert_request_pem"),
    });
    // A literal the plan knows, which the 5.14 provider keeps through create and reads
    // (cloudflare/terraform-provider-cloudflare#5725 is open, its cause unknown).
    expect(s.one("cloudflare_origin_ca_certificate", "certificate").requested_validity).toBe(5475);
    const cert = s.one("digitalocean_certificate", "certificate");
    expect(cert).toMatchObject({
      type: "custom",
      leaf_certificate: ref(origin, "certificate"),
      private_key: ref(s.address("tls_private_key", "certificate"), "private_key_pem"),
      lifecycle: { create_before_destroy: true },
    });
    // Named after its content, so a replacement never collides with the certificate it replaces.
    expect(cert.name).toBe(`shop-test-load-balancer-\${substr(sha1(${origin}.certificate), 0, 8)}`);
  });

  it("CDN names are Cloudflare's edge certificate's: nothing is created for them", () => {
    const s = synth(doFixture().stack);
    expect(s.where("digitalocean_certificate")).toHaveLength(1);
    expect(s.where("cloudflare_origin_ca_certificate")).toHaveLength(1);
  });
});
