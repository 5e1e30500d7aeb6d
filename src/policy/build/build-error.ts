// The two ways a policy build or test run stops. PolicyBuildError: the policies are wrong (an
// invalid folder, a Rego error, a builtin the wasm cannot run); its message and `problems` name
// the files. ToolError: a tool could not run at all (opa missing and not installable, a crash).
// The CLI maps the first to exit 1 and the second to exit 2.

export class PolicyBuildError extends Error {
  /** One line per problem, each naming its file (e.g. "policies/x/policy.yaml: id is ..."). */
  readonly problems: readonly string[];
  /** What failed, in a few words ("opa build failed"). */
  readonly summary: string;

  constructor(summary: string, problems: readonly string[] = []) {
    super(problems.length > 0 ? `${summary}:\n${problems.join('\n')}` : summary);
    this.name = 'PolicyBuildError';
    this.problems = problems;
    this.summary = summary;
  }
}

export class ToolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
  }
}
