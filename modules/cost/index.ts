export * from "./prices";
export * from "./rules";
export * from "./estimate";
export * from "./format";
