import { parseArgs, type ParseArgsConfig } from 'node:util';

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

/**
 * Reads the command line of an entry point, the one way every command does: strict parsing
 * (unknown options are errors) with -h/--help added, then `read` turns the values into the
 * command's input and throws for anything the command cannot run with.
 *
 * Returns that input, or the exit status when the command stops here: 0 after printing the usage
 * for --help; 2 after printing `<command>: <problem>` and the usage for a bad command line.
 */
export function readCommandLine<O extends ParseArgsOptionsConfig, I extends object>(
  command: string,
  usage: string,
  argv: string[],
  spec: { readonly options: O; readonly positionals?: boolean },
  read: (args: CommandArgs<O>) => I,
): I | 0 | 2 {
  try {
    const config: Config<O> = { args: argv, options: { ...spec.options, ...HELP }, strict: true, allowPositionals: spec.positionals ?? false };
    const args = parseArgs(config);
    if ((args.values as { help?: boolean }).help) {
      console.log(usage);
      return 0;
    }
    return read(args);
  } catch (e) {
    console.error(`${command}: ${(e as Error).message}\n${usage}`);
    return 2;
  }
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
