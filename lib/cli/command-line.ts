import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from './exit-status';
import { callerDirectory, callerPath, suggestedCommand, swallowedOptions } from './npm-launch';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

type Config<O extends ParseArgsOptionsConfig> = {
  args: string[];
  options: O & typeof HELP;
  strict: true;
  allowPositionals: boolean;
};

/** What `parseArgs` gives for a command's options (plus -h/--help). */
export type CommandArgs<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<Config<O>>>;

/** What a command's command line is made of. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  readonly options: O;
  readonly positionals?: boolean;
  /**
   * Options whose values are paths, and `'<positionals>'` when the arguments are: what the caller
   * typed is read from the caller's directory (see {@link callerDirectory}); defaults stay as
   * they are, relative to the project root the command runs in.
   */
  readonly paths?: readonly (Extract<keyof O, string> | typeof POSITIONALS)[];
}

/** Names the positional arguments in {@link CommandSpec.paths}. */
export const POSITIONALS = '<positionals>';

/** Where the command runs and what it was started with; the process's own unless a test says otherwise. */
export interface CommandContext {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * Reads the command line of an entry point, the one way every command does: strict parsing
 * (unknown options are errors) with -h/--help added, then `read` turns the values into the
 * command's input and throws for anything the command cannot run with.
 *
 * Under `npm run <command>`, paths typed on the command line are taken from the directory the
 * command was typed in, and options npm took for its own (typed without `--` before them) stop
 * the command with the command line to type instead.
 *
 * Returns that input, or the exit status when the command stops here: 0 after printing the usage
 * for --help; 2 after printing `<command>: <problem>` and the usage for a bad command line.
 */
export function readCommandLine<O extends ParseArgsOptionsConfig, I extends object>(
  command: string,
  usage: string,
  argv: string[],
  spec: CommandSpec<O>,
  read: (args: CommandArgs<O>) => I,
  context: CommandContext = {},
): I | typeof EXIT.ok | typeof EXIT.usage {
  const env = context.env ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  const swallowed = swallowedOptions(command, spec.options as Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, argv, env);
  if (swallowed.options.length > 0) {
    const names = swallowed.options.map((o) => `--${o.name}`).join(', ');
    console.error(
      `${command}: npm took ${names} for its own option${swallowed.options.length > 1 ? 's' : ''}: npm reads every option before "--" itself. Type:\n` +
        `  ${suggestedCommand(command, swallowed)}\n` +
        `(check that every option you typed is there: npm splits some, such as --apply, into flags of its own)`,
    );
    return EXIT.usage;
  }
  try {
    const config: Config<O> = { args: argv, options: { ...spec.options, ...HELP }, strict: true, allowPositionals: spec.positionals ?? false };
    const args = parseArgs({ ...config, tokens: true }) as CommandArgs<O> & { tokens: { kind: string; name?: string }[] };
    if ((args.values as { help?: boolean }).help) {
      console.log(usage);
      return EXIT.ok;
    }
    const { tokens, ...parsed } = args;
    return read(callerPaths(command, spec, parsed as CommandArgs<O>, tokens, env, cwd));
  } catch (e) {
    console.error(`${command}: ${(e as Error).message}\n${usage}`);
    return EXIT.usage;
  }
}

/** The parsed command line with each typed path read from the caller's directory. */
function callerPaths<O extends ParseArgsOptionsConfig>(
  command: string,
  spec: CommandSpec<O>,
  args: CommandArgs<O>,
  tokens: readonly { kind: string; name?: string }[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): CommandArgs<O> {
  const paths = new Set<string>(spec.paths ?? []);
  if (paths.size === 0) return args;
  const caller = callerDirectory(command, env, cwd);
  const typed = new Set(tokens.filter((t) => t.kind === 'option').map((t) => t.name!));
  const values: Record<string, unknown> = { ...args.values };
  for (const name of paths) {
    if (name === POSITIONALS || !typed.has(name)) continue;
    const value = values[name];
    if (typeof value === 'string') values[name] = callerPath(value, caller, cwd);
    else if (Array.isArray(value)) values[name] = value.map((v) => (typeof v === 'string' ? callerPath(v, caller, cwd) : v));
  }
  const positionals = paths.has(POSITIONALS) ? args.positionals.map((p) => callerPath(p, caller, cwd)) : args.positionals;
  return { ...args, values, positionals } as CommandArgs<O>;
}

/** `value` if it is one of `allowed`; otherwise an error naming the option, the value and the choices. */
export function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${option} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value ?? '(missing)')}`);
  }
  return value as T;
}

/** The whole number `value` spells, from `min` to `max`; otherwise an error naming the option and the value. */
export function wholeNumber(option: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !/^[0-9]+$/.test(value) || n < min || n > max) {
    throw new Error(`${option} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value ?? '(missing)')}`);
  }
  return n;
}
