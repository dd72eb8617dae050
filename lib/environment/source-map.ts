import { Alias, Document, LineCounter, Node, Pair, YAMLMap, isAlias, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import { ConfigProblem } from './config-error';
import { yamlErrorOffset } from '../tree/yaml-error-position';

const ROOT_FIELD = '(document)';
const YAML_FIELD = '(yaml)';
/** Looked up once: a global read costs more inside a VM context (as under jest). */
const { isArray } = Array;
/**
 * Most aliases (`*name`) a document may use. The YAML library resolves each alias by scanning
 * every anchor and alias before it, so their cost grows with their count squared (half a minute
 * for 40,000); a configuration file needs a handful, if any.
 */
const ALIAS_LIMIT = 100;
/** Characters of a source line or a parser message repeated in a problem. */
const LINE_TEXT_LIMIT = 200;

/** A key set a second time in one mapping. */
interface DuplicateKey {
  /** The later entry, the one reported. */
  readonly pair: Pair;
  /** The entry that set the key first. */
  readonly first: Pair;
  /** Dotted path of the key, as `fieldName` spells it. */
  readonly field: string;
}

/** What one walk over the document finds. */
interface Structure {
  readonly duplicates: DuplicateKey[];
  /** Every alias node (`*name`), in document order, with the node it stands for. */
  readonly aliases: Map<Alias, unknown>;
}

/**
 * Maps paths of the parsed data back to offsets, lines and columns of the YAML source.
 *
 * Every look-up is indexed, built once per document or per mapping, so the cost of reporting
 * problems grows with their number, not with their number times the size of the file: a file of
 * thousands of unknown or repeated keys is refused as fast as it is parsed.
 */
export class SourceMap {
  /**
   * Parses `text` as one YAML document. The YAML library's own check for repeated keys compares
   * each key with every key before it in its mapping (quadratic: minutes for a mapping of 40,000
   * keys), so it is off and `duplicateKeyProblems` does the same check with one lookup per key.
   */
  static parse(file: string, text: string): SourceMap {
    const lineCounter = new LineCounter();
    // logLevel: a collection used as a key would otherwise print a warning per key while the
    // schema refuses it anyway.
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
    return new SourceMap(file, text, doc, lineCounter);
  }

  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  private walked: Structure | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
    readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  problem(offset: number, field: string, value: unknown, allowed: string): ConfigProblem {
    const { line, column } = this.position(offset);
    return { file: this.file, line, column, field, value, allowed };
  }

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /**
   * The YAML syntax errors, one problem each at its line and column (of the line that is wrong,
   * see {@link yamlErrorOffset}), with the line's text. The
   * parser's message is shortened too: it may quote a token, and a token may be the whole file.
   */
  syntaxProblems(): ConfigProblem[] {
    return this.doc.errors.map((error) => {
      const offset = yamlErrorOffset(this.text, error);
      return this.problem(offset, YAML_FIELD, this.lineText(this.position(offset).line), `valid YAML (${shorten(error.message)})`);
    });
  }

  /** The text of a 1-based line, trimmed, and shortened when long (a file may be one long line). */
  lineText(line: number): string {
    const starts = this.lineCounter.lineStarts;
    const start = starts[line - 1] ?? this.text.length;
    const end = starts[line] ?? this.text.length;
    let stop = end;
    if (stop > start && this.text[stop - 1] === '\n') stop--;
    if (stop > start && this.text[stop - 1] === '\r') stop--;
    return shorten(this.text.slice(start, stop)).trim();
  }

  /**
   * The plain value of a node for a message. Aliases inside it are not expanded: a document may
   * alias one large node many times, and each expansion would copy it again.
   */
  toJS(node: unknown): unknown {
    if (!isNode(node)) return node;
    try {
      return node.toJS(this.doc, { maxAliasCount: 0 });
    } catch {
      const [start, end] = node.range ?? [0, 0];
      return shorten(this.text.slice(start, end));
    }
  }

  /** The node at `segments`, and the mapping pair holding it when it is a mapping value. */
  nodeAt(segments: readonly string[]): { node: unknown; pair?: Pair; parent: unknown } {
    let node: unknown = this.doc.contents;
    let parent: unknown = undefined;
    let pair: Pair | undefined;
    for (const segment of segments) {
      if (isAlias(node)) node = this.structure().aliases.get(node);
      parent = node;
      if (isMap(node)) {
        pair = this.pairsOf(node).get(segment);
        node = pair?.value;
      } else if (isSeq(node)) {
        pair = undefined;
        node = node.items[Number(segment)];
      } else {
        return { node: undefined, parent };
      }
      if (node === undefined) return { node: undefined, parent };
    }
    return { node, pair, parent };
  }

  /** Where the value at `segments` starts; its key if the value is empty, its parent if absent. */
  valueOffset(segments: readonly string[]): number {
    const { node, pair, parent } = this.nodeAt(segments);
    if (isNodeWithRange(node) && !(isScalar(node) && node.range[0] === node.range[1])) {
      return node.range[0];
    }
    if (pair && isNodeWithRange(pair.key)) return pair.key.range[0];
    if (isNodeWithRange(parent)) return parent.range[0];
    return 0;
  }

  /** Where the key of the mapping entry at `segments` starts. */
  keyOffset(segments: readonly string[]): number {
    const { pair } = this.nodeAt(segments);
    return pair && isNodeWithRange(pair.key) ? pair.key.range[0] : this.valueOffset(segments.slice(0, -1));
  }

  /**
   * Every key set again in a mapping that already has it, as a problem at the later occurrence
   * naming the line of the first.
   */
  duplicateKeyProblems(): ConfigProblem[] {
    return this.structure().duplicates.map(({ pair, first, field }) => {
      const firstLine = isNodeWithRange(first.key) ? ` (first set on line ${this.position(first.key.range[0]).line})` : '';
      const offset = isNodeWithRange(pair.key) ? pair.key.range[0] : 0;
      return this.problem(offset, field, this.toJS(pair.value), `each key at most once per mapping${firstLine}`);
    });
  }

  /** A problem when the document holds more aliases than `ALIAS_LIMIT`; check it before `toJS`. */
  aliasProblem(): ConfigProblem | undefined {
    const count = this.structure().aliases.size;
    if (count <= ALIAS_LIMIT) return undefined;
    return this.problem(
      0,
      '(aliases)',
      count,
      `at most ${ALIAS_LIMIT} aliases (*name) in a file: the YAML reader resolves each one by scanning every anchor and alias before it`,
    );
  }

  /** A mapping's entries by key text; the first entry wins, as when the data is read. */
  private pairsOf(map: YAMLMap): Map<string, Pair> {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const item of map.items) {
        const key = keyText(item.key);
        if (!index.has(key)) index.set(key, item);
      }
      this.keyIndex.set(map, index);
    }
    return index;
  }

  /**
   * One walk in document order, without recursion (nesting is as deep as the YAML library
   * allows). Keys equal as the YAML library compares them (same scalar value) are duplicates; an
   * alias stands for the last node before it with its anchor, as the YAML library resolves it.
   * Inside a collection used as a key only aliases and anchors count: the schemas refuse such a
   * key whatever it holds.
   */
  private structure(): Structure {
    if (this.walked) return this.walked;
    const duplicates: DuplicateKey[] = [];
    const aliases = new Map<Alias, unknown>();
    const anchors = new Map<string, unknown>();
    /** `field` is undefined inside a key. */
    type Frame = { node: unknown; field: string | undefined };
    const stack: Frame[] = [{ node: this.doc.contents, field: '' }];
    while (stack.length > 0) {
      const { node, field } = stack.pop()!;
      if (isAlias(node)) {
        aliases.set(node, anchors.get(node.source));
        continue;
      }
      if (isNode(node) && node.anchor) anchors.set(node.anchor, node);
      if (isMap(node)) {
        const seen = new Map<unknown, Pair>();
        const children: Frame[] = [];
        for (const pair of node.items) {
          const key = pair.key;
          const childField = field === undefined ? undefined : appendField(field, keyText(key));
          if (childField !== undefined && isScalar(key)) {
            const first = seen.get(key.value);
            if (first) duplicates.push({ pair, first, field: childField });
            else seen.set(key.value, pair);
          }
          children.push({ node: key, field: undefined }, { node: pair.value, field: childField });
        }
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      } else if (isSeq(node)) {
        for (let i = node.items.length - 1; i >= 0; i--) {
          stack.push({ node: node.items[i], field: field === undefined ? undefined : appendField(field, `${i}`) });
        }
      }
    }
    this.walked = { duplicates, aliases };
    return this.walked;
  }
}

/** `text`, or its start and "…" when longer than `LINE_TEXT_LIMIT`; slicing first keeps it cheap. */
function shorten(text: string): string {
  return text.length > LINE_TEXT_LIMIT ? `${text.slice(0, LINE_TEXT_LIMIT)}…` : text;
}

/** Whether `node` is a parsed node, which knows where in the source it is. */
export function isNodeWithRange(node: unknown): node is Node & { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && isArray((node as Node).range);
}

/** A key as the data spells it. */
function keyText(key: unknown): string {
  return isScalar(key) ? `${key.value}` : `${key}`;
}

/** `['components', 'backend', 'replicas']` → `components.backend.replicas`; indexes in brackets. */
export function fieldName(segments: readonly string[]): string {
  if (segments.length === 0) return ROOT_FIELD;
  let field = '';
  for (const segment of segments) field = appendField(field, segment);
  return field;
}

function appendField(field: string, segment: string): string {
  if (/^[0-9]+$/.test(segment)) return `${field}[${segment}]`;
  return field === '' ? segment : `${field}.${segment}`;
}
