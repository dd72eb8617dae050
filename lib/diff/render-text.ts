import { countsLine, DiffReport, removalLines, statusMark } from './diff-report';
import { GroupImpact } from './rollout-impact';
import { placeLabel } from '../tree/layout';
import { resourceLabel } from '../tree/tree-object';
import { staleReasonText, StaleTree, staleVerdict } from './stale-tree';
import { originText, PatchedChange } from './patch-provenance';

export interface TextOptions {
  /** ANSI colors, for a terminal. @default false */
  readonly color?: boolean;
}

const CODES = { bold: 1, red: 31, green: 32, yellow: 33, cyan: 36, dim: 2 } as const;
type Style = keyof typeof CODES;

/** Group lines of the summary: tag, then the sentence. */
export function impactLines(g: GroupImpact): { tag: string; text: string; warning: boolean }[] {
  return [
    ...g.warnings.map((w) => ({ tag: 'WARNING', text: `${w.resource}: ${w.text}`, warning: true })),
    ...g.images.map((i) => ({ tag: 'image', text: `${i.resource} ${i.container}: ${i.before ?? '(new)'} → ${i.after}`, warning: false })),
    ...g.workloads.map((w) => ({ tag: w.rolls ? 'rolls' : w.status === 'added' || w.status === 'removed' ? w.status : 'no roll', text: w.text, warning: false })),
    ...g.changes.map((c) => ({ tag: c.kind, text: `${c.resource}: ${c.text}`, warning: false })),
  ];
}

/** The report for a terminal or a log: summary, resource list, then each resource's diff. */
export function renderText(report: DiffReport, options: TextOptions = {}): string {
  const paint = (style: Style, s: string) => (options.color ? `\x1b[${CODES[style]}m${s}\x1b[0m` : s);
  const out: string[] = [];
  if (report.stale) out.push(...staleTextLines(report.stale, paint), '');
  for (const line of removalLines(report)) out.push(paint('red', paint('bold', line)));
  out.push(paint('bold', `gitops diff: ${report.base} → ${report.head}`));
  if (report.changes.length === 0) {
    out.push(report.stale ? 'no resource changes in what synth makes of this change; only the stale files above differ' : 'no resource changes');
    return `${out.join('\n')}\n`;
  }
  out.push(countsLine(report), '', paint('bold', 'Rollout impact'));
  for (const g of report.impact.groups) {
    out.push(`  ${paint('bold', placeLabel(g))}`);
    const lines = impactLines(g);
    const width = Math.max(...lines.map((l) => l.tag.length), 0);
    for (const l of lines) {
      const tag = l.tag.padEnd(width);
      out.push(`    ${l.warning ? paint('yellow', tag) : l.tag === 'rolls' ? paint('cyan', tag) : paint('dim', tag)}  ${l.text}`);
    }
    if (lines.length === 0) out.push(`    ${paint('dim', 'no rollout impact')}`);
  }
  out.push('', paint('bold', 'Resources'));
  for (const c of report.changes) {
    const mark = statusMark(c.status);
    const line = `  ${mark} ${placeLabel(c)} ${resourceLabel(c)}`;
    out.push(c.status === 'added' ? paint('green', line) : c.status === 'removed' ? paint('red', line) : line);
    for (const p of c.patched ?? []) out.push(`      ${paint('yellow', 'patched')} ${patchedText(p)}`);
  }
  for (const c of report.changes) {
    out.push('');
    for (const line of c.patch.replace(/\n$/, '').split('\n')) out.push(paintPatchLine(line, paint));
  }
  return `${out.join('\n')}\n`;
}

/** `spec.replicas: 2 → 3 by environments/staging.yaml:88 patches[0].patch[1]`: a value a patch wrote, and which. */
export function patchedText(p: PatchedChange): string {
  return `${p.field}: ${p.before} → ${p.after} by ${originText(p.origin)}`;
}

/** The stale-tree section a report opens with: verdict, files and why, then each hand edit's diff. */
function staleTextLines(stale: StaleTree, paint: (style: Style, s: string) => string): string[] {
  const out = [paint('red', paint('bold', staleVerdict(stale)))];
  const reasons = stale.files.map((f) => staleReasonText(f.reason));
  const width = Math.max(...reasons.map((r) => r.length));
  for (const [i, f] of stale.files.entries()) out.push(`  ${reasons[i]!.padEnd(width)}  ${stale.label}/${f.path}`);
  for (const u of stale.unreadable) out.push(`  ${paint('yellow', 'unreadable')} ${stale.label}/${u.path}: ${u.problem}`);
  if (stale.edits.length > 0) {
    out.push(paint('bold', `What ${stale.label}/ deploys that synth does not make (synth → ${stale.label}/ on disk):`));
    for (const c of stale.edits) {
      out.push(`  ${statusMark(c.status)} ${placeLabel(c)} ${resourceLabel(c)}`);
      for (const line of c.patch.replace(/\n$/, '').split('\n')) out.push(paintPatchLine(line, paint));
    }
  }
  return out;
}

function paintPatchLine(line: string, paint: (style: Style, s: string) => string): string {
  if (line.startsWith('---') || line.startsWith('+++')) return paint('bold', line);
  if (line.startsWith('@@')) return paint('cyan', line);
  if (line.startsWith('+')) return paint('green', line);
  if (line.startsWith('-')) return paint('red', line);
  return line;
}
