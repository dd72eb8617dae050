/**
 * nginx configuration as data: directives and blocks, rendered with nginx's quoting rules so that
 * a value can never end a directive early or open a block it was not meant to.
 */

/** One line of an nginx configuration: `name arg…;`, a block `name arg… { … }`, or a comment. */
export type NginxStatement = NginxDirective | NginxBlock | NginxComment;

export interface NginxDirective {
  readonly kind: 'directive';
  readonly name: string;
  readonly args: readonly string[];
}

export interface NginxBlock {
  readonly kind: 'block';
  readonly name: string;
  readonly args: readonly string[];
  readonly body: readonly NginxStatement[];
}

export interface NginxComment {
  readonly kind: 'comment';
  readonly text: string;
}

/** `name arg…;` */
export function directive(name: string, ...args: (string | number)[]): NginxDirective {
  return { kind: 'directive', name: checkName(name), args: args.map(String) };
}

/** `name arg… { body }` */
export function block(name: string, args: (string | number)[], body: readonly NginxStatement[]): NginxBlock {
  return { kind: 'block', name: checkName(name), args: args.map(String), body };
}

/**
 * One entry of a `map` block: requests whose source value is `source` (`''` for empty, `default`
 * for anything else) get `result`.
 */
export function mapEntry(source: string, result: string): NginxDirective {
  return { kind: 'directive', name: source, args: [result] };
}

/** `# text`, one comment line per line of text. */
export function comment(text: string): NginxComment {
  return { kind: 'comment', text };
}

/** Renders statements as an nginx configuration file, four spaces per level, ending in a newline. */
export function renderNginx(statements: readonly NginxStatement[]): string {
  const lines: string[] = [];
  const emit = (list: readonly NginxStatement[], depth: number) => {
    const indent = '    '.repeat(depth);
    for (const s of list) {
      if (s.kind === 'comment') {
        for (const line of s.text.split('\n')) lines.push(`${indent}# ${line}`.trimEnd());
      } else if (s.kind === 'directive') {
        lines.push(`${indent}${[s.name, ...s.args].map(quoteArg).join(' ')};`);
      } else {
        lines.push(`${indent}${[s.name, ...s.args].map(quoteArg).join(' ')} {`);
        emit(s.body, depth + 1);
        lines.push(`${indent}}`);
      }
    }
  };
  emit(statements, 0);
  return `${lines.join('\n')}\n`;
}

/**
 * An argument as nginx reads it: bare when it holds nothing nginx treats specially, otherwise in
 * double quotes with `"` and `\` escaped. Variables (`$name`) still expand inside quotes.
 */
export function quoteArg(arg: string): string {
  if (arg !== '' && !/[\s;{}"'#\\]/.test(arg)) return arg;
  return `"${arg.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function checkName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`nginx directive name ${JSON.stringify(name)} is invalid; allowed: lowercase letters, digits and "_"`);
  }
  return name;
}
