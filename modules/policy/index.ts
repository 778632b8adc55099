export * from "./document";
export * from "./engine";
export * from "./rules";
export * from "./at-synth";
