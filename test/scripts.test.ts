import { readFileSync } from "node:fs";
import { join } from "node:path";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { platformOf, completeLockfile } = require("../scripts/complete-lockfile.cjs");

describe("complete-lockfile", () => {
  it("reads os, cpu and libc from napi-rs platform package names", () => {
    expect(platformOf("@swc/core-darwin-arm64")).toEqual({ os: ["darwin"], cpu: ["arm64"] });
    expect(platformOf("@swc/core-linux-x64-musl")).toEqual({ os: ["linux"], cpu: ["x64"], libc: ["musl"] });
    expect(platformOf("@swc/core-linux-arm-gnueabihf")).toEqual({ os: ["linux"], cpu: ["arm"], libc: ["glibc"] });
    expect(platformOf("@unrs/resolver-binding-win32-ia32-msvc")).toEqual({ os: ["win32"], cpu: ["ia32"] });
    expect(platformOf("@unrs/resolver-binding-openharmony-arm64")).toEqual({ os: ["openharmony"], cpu: ["arm64"] });
    expect(platformOf("left-pad")).toBeUndefined();
  });

  it("adds an entry for each missing platform package and refuses anything else missing", () => {
    const lock = {
      packages: {
        "": { name: "x" },
        "node_modules/native": { version: "1.0.0", dev: true, optionalDependencies: { "native-linux-x64-gnu": "1.0.0", "native-darwin-arm64": "1.0.0" } },
        "node_modules/native-linux-x64-gnu": { version: "1.0.0" },
      },
    };
    expect(completeLockfile(lock)).toEqual(["native-darwin-arm64"]);
    expect(lock.packages).toMatchObject({ "node_modules/native-darwin-arm64": { version: "1.0.0", dev: true, optional: true, os: ["darwin"], cpu: ["arm64"] } });
    expect(Object.keys(lock.packages)[0]).toBe("");
    expect(() => completeLockfile({ packages: { "": { optionalDependencies: { "left-pad": "1.0.0" } } } })).toThrow("left-pad (optional dependency of the project) is missing from the lockfile and is not a platform package");
  });

  it("leaves the committed lockfile complete, so npm ci accepts it", () => {
    const lock = JSON.parse(readFileSync(join(__dirname, "..", "package-lock.json"), "utf8"));
    expect(completeLockfile(lock)).toEqual([]);
  });
});
