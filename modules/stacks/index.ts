export * from "./app";
export * from "./clouds";
export * from "./spec";
export * from "./stack";
export * from "./validate";
