import { invalidValue } from '../predicates/invalid-value';
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

/**
 * Problems of one file the message shows; the rest are counted on one line. A file of garbage
 * can hold tens of thousands, and the first fifty say what is wrong as well as all of them.
 */
export const MAX_PRINTED_PROBLEMS_PER_FILE = 50;

/**
 * Every problem found in the environment files, all at once: fixing them one synth at a time is
 * the slow way to learn that a file has five mistakes. `problems` holds them all; the message
 * shows at most `MAX_PRINTED_PROBLEMS_PER_FILE` of each file, then `<file>: … and N more problems`.
 */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * The problems one per line, grouped by file in the order files first appear, at most
 * `MAX_PRINTED_PROBLEMS_PER_FILE` of each. Only the printed ones are formatted, so the cost is
 * bounded by what is shown, not by how many problems there are.
 */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const files = new Map<string, { lines: string[]; more: number }>();
  for (const problem of problems) {
    let group = files.get(problem.file);
    if (!group) files.set(problem.file, (group = { lines: [], more: 0 }));
    if (group.lines.length < MAX_PRINTED_PROBLEMS_PER_FILE) group.lines.push(formatProblem(problem));
    else group.more++;
  }
  const lines: string[] = [];
  for (const [file, group] of files) {
    for (const line of group.lines) lines.push(line);
    if (group.more > 0) lines.push(`${file}: … and ${group.more} more problem${group.more === 1 ? '' : 's'}`);
  }
  return lines.join('\n');
}

/** `<file>:<line>:<column>: <field>: <value as JSON> — <allowed>`, the shape editors and CI logs link. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${invalidValue(problem.field, problem.value, problem.allowed)}`;
}
