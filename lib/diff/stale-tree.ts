import * as fs from 'node:fs';
import * as path from 'node:path';
import { TreeWriteResult } from '../gitops/write-tree';

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
