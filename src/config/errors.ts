/** A config that cannot be used. `issues` are "path: message" lines, one per problem. */
export class ConfigError extends Error {
  readonly issues: readonly string[];
  constructor(file: string, issues: readonly string[]) {
    super(`invalid config ${file}:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Formats a zod/YAML path as users write it: model_list[2].litellm_params.model */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? '(root)' : out;
}
