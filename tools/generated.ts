/**
 * The files in the repository that a command writes and a test holds to what the code
 * produces now. One command, `npm run refresh`, rewrites them all; a stale one fails its
 * test with a message naming that command. Review the diff before committing it: a stack
 * that loses a stateful address shows there, as a line gone from stateful-addresses.json.
 */
export interface GeneratedFile {
  /** What the file holds, for the refresh's progress lines. */
  readonly what: string;
  /** The files written, relative to the repository's root. */
  readonly files: readonly string[];
  /** The npm script and its arguments that write them. */
  readonly command: readonly string[];
}

export const GENERATED: readonly GeneratedFile[] = [
  { what: "the stateful addresses of every shipped stack", files: ["stateful-addresses.json"], command: ["addresses:update"] },
  {
    what: "the README's production diagrams",
    files: ["docs/diagrams/production-aws.dot", "docs/diagrams/production-aws.svg", "docs/diagrams/production-do.dot", "docs/diagrams/production-do.svg"],
    command: ["diagram", "--", "--out", "docs/diagrams", "production-*"],
  },
  { what: "the policy rules and the clouds that check each, in docs/safety.md", files: ["docs/safety.md"], command: ["policy", "--", "--update-docs"] },
  { what: "production's cost table in docs/cost.md", files: ["docs/cost.md"], command: ["cost", "--", "--update-docs"] },
  { what: "production-aws's settings in docs/application.md", files: ["docs/application.md"], command: ["settings", "--", "--update-docs"] },
  { what: "the environments reference and the README's table of the shipped environments", files: ["docs/environments.md", "README.md"], command: ["docs:environments"] },
];

/** docs/application.md shows what `npm run settings` prints for this stack, under this command line. */
export const SETTINGS_EXCERPT = { page: "docs/application.md", command: "npm run settings -- production-aws", stack: "production-aws" } as const;

/** The command that rewrites every generated file. */
export const REFRESH = "npm run refresh";

/** What a test says when `file` is not what the code produces now. */
export function staleHint(file: string): string {
  return `${file} is stale: run \`${REFRESH}\`, review the diff and commit it`;
}
