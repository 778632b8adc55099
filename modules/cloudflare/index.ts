export * from "./dns-failover";
export * from "./edge-certificate";
export * from "./edge-worker";
export * from "./ip-ranges";
export * from "./maintenance-site";
export * from "./origin-certificate";
export * from "./settings";
export * from "./zone";
