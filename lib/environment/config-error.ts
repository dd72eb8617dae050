import { credentialShape } from '../validation/credentials';
/** One thing wrong in an environment file, located precisely enough to jump to it from a terminal. */
export interface ConfigProblem {
  /** Path of the file, relative to the project root. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Dotted path of the offending field, e.g. `components.backend.replicas.min`. */
  field: string;
  /** The value found; `undefined` when the field is missing. */
  value: unknown;
  /** What would have been accepted, in words. */
  allowed: string;
}

const MAX_VALUE_LENGTH = 120;

/**
 * Every problem found in the environment files, all at once: fixing them one synth at a time is
 * the slow way to learn that a file has five mistakes.
 */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `<file>:<line>:<column>: <field>: <value as JSON> — <allowed>`, the shape editors and CI logs link. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.field}: ${formatValue(problem.value)} — ${problem.allowed}`;
}

function formatValue(value: unknown): string {
  if (value === undefined) {
    return '(missing)';
  }
  // A value shaped like a credential is never echoed back whole, whatever the problem with it.
  if (credentialShape(value)) return JSON.stringify(`${String(value).slice(0, 4)}… (redacted)`);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_VALUE_LENGTH ? `${json.slice(0, MAX_VALUE_LENGTH - 1)}…` : json;
}
