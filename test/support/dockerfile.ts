/**
 * A Dockerfile read into its instructions, as the Dockerfile reference describes them
 * (https://docs.docker.com/reference/dockerfile/): parser directives at the top, comment lines,
 * line continuations with the escape character, keywords in any case, exec (JSON) and shell forms.
 * Enough to compare a Dockerfile with the manifests that run its image; what it does not
 * understand (heredocs, variables in FROM) it refuses rather than guesses.
 */

export interface Instruction {
  /** Upper-case keyword: `FROM`, `COPY`, … */
  readonly keyword: string;
  /** Everything after the keyword, continuations joined, trimmed. */
  readonly args: string;
  /** The exec form's words, when the arguments are a JSON array of strings. */
  readonly exec?: readonly string[];
  /** 1-based line the instruction starts on. */
  readonly line: number;
}

export interface Stage {
  /** The image the stage starts from, as written. */
  readonly from: string;
  /** `AS <name>`, if any. */
  readonly name?: string;
  /** The stage's instructions after its FROM. */
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly directives: Readonly<Record<string, string>>;
  readonly instructions: readonly Instruction[];
  readonly stages: readonly Stage[];
}

const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$/;

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let i = 0;
  // Directives come first; the first line that is not one (a comment, a blank, an instruction)
  // ends them.
  for (; i < lines.length; i++) {
    const match = DIRECTIVE.exec(lines[i]!);
    if (!match) break;
    directives[match[1]!.toLowerCase()] = match[2]!;
  }
  const escape = directives.escape ?? '\\';
  if (escape !== '\\' && escape !== '`') throw new Error(`escape directive ${JSON.stringify(escape)}: only \\ and \` are allowed`);

  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    // A comment or a blank line inside a continuation is dropped, and the continuation goes on.
    if (trimmed.startsWith('#') || (trimmed === '' && pending === undefined)) continue;
    if (trimmed === '') continue;
    const continued = raw.trimEnd().endsWith(escape);
    const body = continued ? raw.trimEnd().slice(0, -1) : raw;
    pending = pending ? { text: `${pending.text} ${body.trim()}`, line: pending.line } : { text: body.trim(), line: i + 1 };
    if (!continued) {
      instructions.push(instruction(pending.text, pending.line));
      pending = undefined;
    }
  }
  if (pending) throw new Error(`line ${pending.line}: the last instruction ends with a line continuation`);

  const stages: Stage[] = [];
  let current: { from: string; name?: string; instructions: Instruction[] } | undefined;
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const from = words[0] ?? '';
      if (from.includes('$')) throw new Error(`line ${ins.line}: FROM with a variable (${from}) is not read here`);
      current = { from, ...(words[1]?.toUpperCase() === 'AS' && words[2] ? { name: words[2] } : {}), instructions: [] };
      stages.push(current);
    } else if (current) {
      current.instructions.push(ins);
    } else if (ins.keyword !== 'ARG') {
      throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
    }
  }
  return { directives, instructions, stages };
}

function instruction(text: string, line: number): Instruction {
  const match = /^([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!match) throw new Error(`line ${line}: not an instruction: ${text}`);
  const keyword = match[1]!.toUpperCase();
  const args = (match[2] ?? '').trim();
  if (/<<-?["']?[A-Za-z_]/.test(args) && ['RUN', 'COPY', 'ADD'].includes(keyword)) {
    throw new Error(`line ${line}: heredocs are not read here`);
  }
  let exec: string[] | undefined;
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) exec = parsed;
    } catch {
      // Not JSON: the shell form, as Docker reads it too.
    }
  }
  return { keyword, args, ...(exec ? { exec } : {}), line };
}

/** The last instruction of a stage with this keyword (the one in force), if any. */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return [...stage.instructions].reverse().find((i) => i.keyword === keyword);
}

/** Every instruction of a stage with this keyword. */
export function all(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/**
 * `key=value` pairs of LABEL or ENV (values optionally in double quotes, with `\"` inside), or
 * the legacy `key value` form of one pair.
 */
export function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pair = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/gy;
  let at = 0;
  let match: RegExpExecArray | null;
  const rest = args.trim();
  if (!/^[^\s=]+=/.test(rest)) {
    const [key, ...value] = rest.split(/\s+/);
    if (key) out[key] = value.join(' ');
    return out;
  }
  while (at < rest.length) {
    pair.lastIndex = at;
    match = pair.exec(rest);
    if (!match) throw new Error(`cannot read key=value pairs from: ${args}`);
    const value = match[2]!;
    out[match[1]!] = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
    at = pair.lastIndex;
    while (rest[at] === ' ' || rest[at] === '\t') at++;
  }
  return out;
}

/** The words of COPY or ADD: its `--flag=value` options, its sources and its destination. */
export function copyArgs(ins: Instruction): { flags: Record<string, string>; sources: string[]; destination: string } {
  const flags: Record<string, string> = {};
  let rest = ins.args;
  for (let flag = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest); flag; flag = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest)) {
    flags[flag[1]!] = flag[2] ?? '';
    rest = rest.slice(flag[0].length);
  }
  let words: string[];
  try {
    const parsed: unknown = rest.startsWith('[') ? JSON.parse(rest) : undefined;
    words = Array.isArray(parsed) ? parsed.map(String) : rest.split(/\s+/);
  } catch {
    words = rest.split(/\s+/);
  }
  if (words.length < 2) throw new Error(`line ${ins.line}: ${ins.keyword} needs a source and a destination`);
  return { flags, sources: words.slice(0, -1), destination: words[words.length - 1]! };
}
