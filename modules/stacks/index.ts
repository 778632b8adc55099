export * from "./addresses";
export * from "./app";
export * from "./clouds";
export * from "./fast-synth";
export * from "./policy";
export * from "./spec";
export * from "./stack";
export * from "./validate";
