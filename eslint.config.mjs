import tseslint from "typescript-eslint";

/** Provider packages whose barrels (`@cdktf/provider-aws`, `.../lib`) load every resource class. */
const barrel = {
  regex: "^@cdktf/provider-[a-z0-9-]+(/lib)?(/index(\\.js)?)?$",
  message: "Import provider classes from their deep path (@cdktf/provider-aws/lib/s3-bucket): the barrel makes synth ~10x slower.",
};
const anyProvider = {
  regex: "^@cdktf/provider-",
  message: "modules/core and modules/django are cloud-neutral: they never import a provider package.",
};

const cloudFolder = {
  regex: "^\\.\\./(?!(core|django|policy|cost|diagram|naming|stacks)/)[\\w-]+/",
  message: "The neutral layers reach a cloud only through its registration (CLOUDS, modules/stacks/clouds.ts), never its folder.",
};

/** The same rules for `require(...)` and `import(...)`, which no-restricted-imports does not see. */
function loading(rule) {
  const regex = `/${rule.regex.replace(/\//g, "\\/")}/`;
  return [
    { selector: `CallExpression[callee.name='require'][arguments.0.value=${regex}]`, message: rule.message },
    { selector: `ImportExpression[source.value=${regex}]`, message: rule.message },
  ];
}

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "dist/", "build/", "coverage/", ".bench/", "**/*.d.ts"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mjs", "**/*.js"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [barrel] }],
      "no-restricted-syntax": ["error", ...loading(barrel)],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // The engines and the app read clouds through their registrations; only the list of them and the spec's sections name a cloud's folder.
    files: ["modules/{policy,cost,diagram,naming,stacks}/**/*.ts"],
    ignores: ["modules/stacks/clouds.ts", "modules/stacks/spec.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [barrel, cloudFolder] }],
      "no-restricted-syntax": ["error", ...loading(barrel), ...loading(cloudFolder)],
    },
  },
  {
    files: ["modules/core/**/*.ts", "modules/django/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [barrel, anyProvider, cloudFolder] }],
      "no-restricted-syntax": ["error", ...loading(barrel), ...loading(anyProvider), ...loading(cloudFolder)],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
