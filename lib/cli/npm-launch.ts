import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * What `npm run <script>` changes about a command's start: it runs the script from the package
 * root (handing the caller's directory over in INIT_CWD), and it reads every option before `--`
 * as one of its own, leaving it as an `npm_config_<name>` variable instead of an argument.
 */

/** Whether `npm run <command>` started this process (rather than an outer npm script or a person). */
export function launchedByNpm(command: string, env: NodeJS.ProcessEnv): boolean {
  return env.npm_lifecycle_event === command;
}

/** The directory the person or script typed the command in: INIT_CWD under `npm run <command>`, else `cwd`. */
export function callerDirectory(command: string, env: NodeJS.ProcessEnv, cwd: string): string {
  const init = env.INIT_CWD;
  return launchedByNpm(command, env) && init !== undefined && init !== '' ? path.resolve(cwd, init) : cwd;
}

/**
 * A path typed in `caller` as the command, running in `cwd`, reads it: unchanged when the two
 * are the same folder; otherwise relative to `cwd` when it lies below it (messages stay short),
 * absolute when not.
 */
export function callerPath(value: string, caller: string, cwd: string): string {
  if (path.resolve(caller) === path.resolve(cwd)) return value;
  const absolute = path.resolve(caller, value);
  const relative = path.relative(cwd, absolute);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

/** A command's option as npm swallowed it. */
export interface SwallowedOption {
  readonly name: string;
  /** The values to pass; empty for a boolean option given as a flag. */
  readonly values: readonly string[];
  /** `--no-<name>` was typed (npm records it as an empty value). */
  readonly negated?: boolean;
}

export interface OptionShape {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
}

export interface Swallowed {
  readonly options: readonly SwallowedOption[];
  /** The arguments the command received that are not values of swallowed options. */
  readonly positionals: readonly string[];
}

/**
 * The command's own options that npm took for its own: set as `npm_config_<name>` by `npm run
 * <command>`, absent from the arguments, and not from an npm configuration file (.npmrc of the
 * project, the user or the installation, which npm also hands on as `npm_config_*`).
 *
 * npm reads `--env staging` as a flag `env` and leaves `staging` as an argument; such values are
 * taken back from the end of `args`, in the order npm set the variables.
 */
export function swallowedOptions(
  command: string,
  options: Readonly<Record<string, OptionShape>>,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  readFile: (file: string) => string | undefined = readIfPresent,
): Swallowed {
  if (!launchedByNpm(command, env)) return { options: [], positionals: args };
  const given = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!));
  const configured = npmrcKeys(env, readFile);
  const found: { name: string; shape: OptionShape; raw: string }[] = [];
  // The variables in the order npm set them, which is the order they were typed.
  for (const key of Object.keys(env)) {
    if (!key.startsWith('npm_config_')) continue;
    const raw = env[key]!;
    const suffix = key.slice('npm_config_'.length);
    for (const [name, shape] of Object.entries(options)) {
      if (name === 'help' || configKey(name) !== suffix || given.has(name) || configured.has(configKey(name))) continue;
      found.push({ name, shape, raw });
    }
  }
  const positionals = [...args];
  // A string option npm read as a flag left its value behind as an argument.
  const borrowed = found.filter((f) => f.shape.type === 'string' && f.raw === 'true').length;
  const taken = borrowed > 0 && positionals.length >= borrowed ? positionals.splice(positionals.length - borrowed) : [];
  const swallowed: SwallowedOption[] = [];
  for (const { name, shape, raw } of found) {
    if (shape.type === 'boolean') {
      if (raw === 'true') swallowed.push({ name, values: [] });
      else if (raw === '' && options[`no-${name}`]) swallowed.push({ name: `no-${name}`, values: [] });
      else if (raw === '') swallowed.push({ name, values: [], negated: true });
    } else if (raw === 'true') {
      swallowed.push({ name, values: [taken.shift() ?? '<value>'] });
    } else {
      swallowed.push({ name, values: shape.multiple ? raw.split('\n\n') : [raw] });
    }
  }
  return { options: swallowed.filter((o) => !o.negated), positionals: swallowed.length > 0 ? positionals : args };
}

/** The command line to type instead: `npm run <command> -- <arguments> <options>`. */
export function suggestedCommand(command: string, swallowed: Swallowed): string {
  const words = [...swallowed.positionals];
  for (const option of swallowed.options) {
    if (option.values.length === 0) words.push(`--${option.name}`);
    for (const value of option.values) words.push(`--${option.name}`, value);
  }
  return ['npm', 'run', command, '--', ...words].map(shellWord).join(' ');
}

/** `word` as a POSIX shell reads it back unchanged. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./<>-]+$/.test(word) && !/^[<>]|[<>]$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `allow-repository-change` → `allow_repository_change`, as npm names its variables. */
function configKey(name: string): string {
  return name.replace(/-/g, '_').toLowerCase();
}

/** Keys set in the npm configuration files npm reads for this run. */
function npmrcKeys(env: NodeJS.ProcessEnv, readFile: (file: string) => string | undefined): Set<string> {
  const files = [
    env.npm_config_local_prefix ? path.join(env.npm_config_local_prefix, '.npmrc') : undefined,
    env.npm_config_userconfig ?? path.join(env.HOME ?? os.homedir(), '.npmrc'),
    env.npm_config_globalconfig ?? (env.npm_config_global_prefix ? path.join(env.npm_config_global_prefix, 'etc', 'npmrc') : undefined),
  ];
  const keys = new Set<string>();
  for (const file of files) {
    const text = file === undefined ? undefined : readFile(file);
    if (text === undefined) continue;
    for (const line of text.split(/\r?\n/)) {
      const match = /^\s*([^=;#\s[][^=]*?)\s*(=|$)/.exec(line);
      if (match) keys.add(configKey(match[1]!.replace(/\[\]$/, '')));
    }
  }
  return keys;
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
