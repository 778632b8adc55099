export * from "./configuration";
export * from "./host";
export * from "./maintenance-page";
export * from "./release";
export * from "./spec";
export * from "./topology";
export * from "./validate";
export * from "./secrets";
