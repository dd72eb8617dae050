import * as fs from 'node:fs';
import * as path from 'node:path';
import { TreeWriteResult } from '../gitops/write-tree';
import { keyedObjects } from './keyed-objects';
import { diffTrees, ResourceChange } from './tree-diff';
import { TreeObject } from '../tree/tree-object';

export interface StaleFile {
  /** Path relative to the tree. */
  readonly path: string;
  /** `differs`: synth writes other bytes; `missing`: synth writes it, the tree lacks it; `extra`: synth would remove it. */
  readonly status: 'differs' | 'missing' | 'extra';
}

/**
 * The files by which the tree on disk at `dir` differs from what synth produces, from synth's
 * dry run against that tree.
 */
export function staleFiles(dir: string, write: TreeWriteResult): StaleFile[] {
  const out: StaleFile[] = [
    ...write.written.map((p): StaleFile => ({ path: p, status: fs.existsSync(path.join(dir, p)) ? 'differs' : 'missing' })),
    ...write.removed.map((p): StaleFile => ({ path: p, status: 'extra' })),
  ];
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What `--check` prints: the verdict, the files, and how to fix it. */
export function describeStaleTree(label: string, files: readonly StaleFile[], total: number): string {
  if (files.length === 0) return `diff --check: ${label}/ is current (${total} files match what synth produces)\n`;
  const why = { differs: 'differs from synth:', missing: 'missing, synth writes it:', extra: 'not produced by synth:' } as const;
  const width = Math.max(...files.map((f) => why[f.status].length));
  return [
    `diff --check: ${label}/ is stale: ${files.length} file${files.length === 1 ? '' : 's'} out of date`,
    ...files.map((f) => `  ${why[f.status].padEnd(width)} ${label}/${f.path}`),
    `run \`npm run synth\` and commit ${label}/`,
    '',
  ].join('\n');
}

/**
 * Why one file of the tree is not what synth makes of the environment files beside it:
 * - `hand-edited`: the file differs from synth's and from the base revision's, so someone changed it
 *   by hand (or with other code than this commit's);
 * - `added-by-hand`: synth does not produce the file;
 * - `deleted`: synth writes the file and the tree lacks it;
 * - `not-synthesized`: the file is as at the base revision, and synth now makes another one: the
 *   environment files changed and synth was not run (or the base was stale already). The report's
 *   resource diffs (base → synth) show what synth makes instead.
 */
export type StaleReason = 'hand-edited' | 'added-by-hand' | 'deleted' | 'not-synthesized';

export interface StaleEntry {
  /** Path relative to the tree. */
  readonly path: string;
  readonly reason: StaleReason;
}

/**
 * A tree whose files are not what synth makes of the environment files: what Argo CD would deploy
 * (the tree as committed) is not what the environment files say.
 */
export interface StaleTree {
  /** How the tree is named in the report, without a trailing slash: `gitops`. */
  readonly label: string;
  /** Every file that differs, in path order. */
  readonly files: readonly StaleEntry[];
  /**
   * Per resource, the tree on disk against synth's output (`synth/…` → `<label>/…`), for the files
   * whose content is not explained by a missing synth run (hand edits, files added or deleted by
   * hand): what would be deployed that no environment file asks for.
   */
  readonly edits: readonly ResourceChange[];
  /** Files among {@link edits} that hold no YAML objects a diff can pair, each with why. */
  readonly unreadable: readonly { readonly path: string; readonly problem: string }[];
}

export interface StaleTreeInput {
  /** The tree's folder on disk. */
  readonly dir: string;
  /** How to name it in the report: `gitops`. */
  readonly label: string;
  /** Synth's dry run against `dir`. */
  readonly write: TreeWriteResult;
  /** Every file synth produces, by path relative to the tree. */
  readonly synthesized: ReadonlyMap<string, string>;
  /** The tree's files at the base revision, by path relative to the tree. */
  readonly base: ReadonlyMap<string, string>;
}

/**
 * How the tree on disk differs from what synth makes (from synth's dry run against it), and why;
 * `undefined` when it is current.
 */
export function staleTree(input: StaleTreeInput): StaleTree | undefined {
  const label = input.label.replace(/\/+$/, '');
  const files = staleFiles(input.dir, input.write);
  if (files.length === 0) return undefined;
  const onDisk = new Map<string, string>();
  const entries: StaleEntry[] = files.map((f) => {
    if (f.status === 'missing') return { path: f.path, reason: 'deleted' };
    const text = fs.readFileSync(path.join(input.dir, f.path), 'utf8');
    onDisk.set(f.path, text);
    if (f.status === 'extra') return { path: f.path, reason: 'added-by-hand' };
    return { path: f.path, reason: input.base.get(f.path) === text ? 'not-synthesized' : 'hand-edited' };
  });

  const edited = entries.filter((e) => e.reason !== 'not-synthesized');
  const unreadable: { path: string; problem: string }[] = [];
  const side = (files: ReadonlyMap<string, string>, where: string) => {
    const out = new Map<string, TreeObject>();
    for (const e of edited) {
      const text = files.get(e.path);
      if (text === undefined) continue;
      let objects: Map<string, TreeObject>;
      try {
        objects = keyedObjects(new Map([[e.path, text]]), where);
      } catch (error) {
        unreadable.push({ path: e.path, problem: (error as Error).message });
        continue;
      }
      for (const [key, object] of objects) {
        let unique = key;
        for (let n = 2; out.has(unique); n++) unique = `${key}#${n}`;
        out.set(unique, object);
      }
    }
    return out;
  };
  const edits = diffTrees(side(input.synthesized, 'synth'), side(onDisk, label), { baseLabel: 'synth', headLabel: label });
  return { label, files: entries, edits, unreadable };
}

const REASON_TEXT: Record<StaleReason, string> = {
  'hand-edited': 'edited by hand (differs from synth and from the base)',
  'added-by-hand': 'added by hand (synth does not produce it)',
  deleted: 'deleted (synth writes it)',
  'not-synthesized': 'as at the base, but synth makes another (synth not run after an environment change)',
};

/** The reason of a stale file, in words. */
export function staleReasonText(reason: StaleReason): string {
  return REASON_TEXT[reason];
}

/**
 * The verdict that opens a report on a stale tree: the tree is not what synth makes of the
 * environment files, so what merging deploys is not what the environment files say.
 */
export function staleVerdict(stale: StaleTree): string {
  const n = stale.files.length;
  const counts = (Object.keys(REASON_TEXT) as StaleReason[])
    .map((r) => [r, stale.files.filter((f) => f.reason === r).length] as const)
    .filter(([, c]) => c > 0)
    .map(([r, c]) => `${c} ${r.replace(/-/g, ' ')}`);
  return (
    `STALE TREE: ${stale.label}/ is not what synth makes of environments/ (${n} file${n === 1 ? '' : 's'}: ${counts.join(', ')}). ` +
    `Argo CD deploys ${stale.label}/ as committed, so these differences would go live; the stale-tree check (npm run diff -- --check) fails until \`npm run synth\` is run and ${stale.label}/ committed`
  );
}
