/**
 * Where a YAML syntax error is, as a person fixing it looks for it. The YAML library places many
 * indentation errors where it noticed them, not where they are:
 *
 * - at the start (column 1) of the line after the wrong one, or of a comment line before it,
 *   when a line sits deeper than the mapping item before it (`All mapping items must start at
 *   the same column`) or the first item of a mapping sits deeper than the rest;
 * - at the end of the line before, when a line sits deeper than its sibling after a plain value
 *   (`Nested mappings are not allowed in compact mappings`, `Implicit keys need to be on a single line`).
 *
 * This moves such positions to the first character of the line whose indentation is wrong.
 */

/** A syntax error as the YAML library reports it: its code and the character range it gives. */
export interface YamlErrorAt {
  readonly code: string;
  readonly pos: readonly [number, number];
}

/** Character offset of the first character of the wrong line, or `error.pos[0]` when nothing better is known. */
export function yamlErrorOffset(text: string, error: YamlErrorAt): number {
  const lines = splitLines(text);
  const offset = Math.min(Math.max(error.pos[0], 0), text.length);
  const at = lineIndexOf(lines, offset);
  if (at < 0) return offset;

  if (error.code === 'BLOCK_AS_IMPLICIT_KEY' || error.code === 'MULTILINE_IMPLICIT_KEY') {
    // The value before the key runs on into the wrongly indented line below it.
    const next = nextContentLine(lines, at + 1);
    if (next < 0 || lines[next]!.indent <= lines[at]!.indent) return offset;
    // Unless the line before is the one off: the first item of a mapping set too shallow.
    const expected = expectedIndent(lines, at);
    const culprit = lines[at]!.indent !== expected && lines[next]!.indent === expected ? at : next;
    return lines[culprit]!.start + lines[culprit]!.indent;
  }

  const line = lines[at]!;
  // Only positions in a line's indentation, or on a blank or comment line, are moved.
  if (offset - line.start > line.indent && !isBlankOrComment(line)) return offset;
  const wrong = nextContentLine(lines, at);
  if (wrong < 0) return offset;
  const culprit = error.code === 'BAD_INDENT' || error.code === 'UNEXPECTED_TOKEN' ? firstItemIfDeeper(lines, wrong) : wrong;
  return lines[culprit]!.start + lines[culprit]!.indent;
}

interface Line {
  readonly start: number;
  readonly text: string;
  /** Spaces before the first other character. */
  readonly indent: number;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const lineText = text.slice(start, end).replace(/\r$/, '');
    lines.push({ start, text: lineText, indent: lineText.length - lineText.replace(/^ +/, '').length });
    if (newline < 0) break;
    start = newline + 1;
  }
  return lines;
}

function lineIndexOf(lines: readonly Line[], offset: number): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.start <= offset) return i;
  return -1;
}

function isBlankOrComment(line: Line): boolean {
  const rest = line.text.slice(line.indent);
  return rest === '' || rest.startsWith('#');
}

/** The first line from `from` on that holds YAML content (not blank, not only a comment). */
function nextContentLine(lines: readonly Line[], from: number): number {
  for (let i = from; i < lines.length; i++) if (!isBlankOrComment(lines[i]!)) return i;
  return -1;
}

/**
 * The mapping's first item when that item, not `flagged`, is off: it sits deeper than `flagged`,
 * and `flagged` is where the file's indentation step puts the mapping's items.
 */
function firstItemIfDeeper(lines: readonly Line[], flagged: number): number {
  const indent = lines[flagged]!.indent;
  let parent = -1;
  let first = -1;
  for (let i = flagged - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (isBlankOrComment(line) || line.text.startsWith('---')) {
      if (line.text.startsWith('---')) break;
      continue;
    }
    if (line.indent < indent) {
      parent = i;
      break;
    }
    first = i;
  }
  if (first >= 0 && lines[first]!.indent > indent) {
    const expected = parent < 0 ? 0 : lines[parent]!.indent + indentStep(lines);
    return indent === expected ? first : flagged;
  }
  // The line before, shallower but holding a value (so not the flagged line's parent), may be the
  // first item of the mapping, set too shallow.
  if (parent >= 0 && !/:\s*(#.*)?$/.test(lines[parent]!.text) && indent === expectedIndent(lines, parent)) return parent;
  return flagged;
}

/** Where the file's indentation step puts line `i`: one step deeper than the nearest shallower line before it. */
function expectedIndent(lines: readonly Line[], i: number): number {
  for (let j = i - 1; j >= 0; j--) {
    const line = lines[j]!;
    if (isBlankOrComment(line)) continue;
    if (line.text.startsWith('---')) break;
    if (line.indent < lines[i]!.indent) return line.indent + indentStep(lines);
  }
  return 0;
}

/** The file's usual indentation step: the commonest increase from a line ending in `:` to the next. */
function indentStep(lines: readonly Line[]): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlankOrComment(line) || !/:\s*(#.*)?$/.test(line.text)) continue;
    const next = nextContentLine(lines, i + 1);
    if (next < 0) continue;
    const step = lines[next]!.indent - line.indent;
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best = 2;
  let bestCount = 0;
  for (const [step, count] of counts) if (count > bestCount || (count === bestCount && step < best)) [best, bestCount] = [step, count];
  return best;
}
