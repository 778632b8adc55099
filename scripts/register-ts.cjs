/**
 * Runs the project's TypeScript without type checking: `node --require ./scripts/register-ts.cjs main.ts`.
 * swc strips the types of the project's own `.ts` files as Node loads them; nothing else is
 * hooked, so the hundreds of cdktf and provider modules load at plain Node speed (tsx's
 * resolver hook on every require cost ~0.5 s of a 1.4 s synth here). Type checking is
 * `npm run typecheck`, part of `npm test`.
 */
const { readFileSync } = require("node:fs");
const { transformSync } = require("@swc/core");

const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: false,
  swcrc: false,
  configFile: false,
};

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, "utf8"), { ...options, filename });
  module._compile(code, filename);
};
