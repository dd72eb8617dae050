import { countsLine, DiffReport, removalLines, statusMark } from './diff-report';
import { impactLines } from './render-text';
import { placeLabel } from '../tree/layout';
import { resourceLabel } from '../tree/tree-object';
import { staleReasonText, StaleTree, staleVerdict } from './stale-tree';
import { originText } from './patch-provenance';

export interface MarkdownOptions {
  /**
   * Longest output in characters (GitHub refuses comments above 65,536). Resource diffs that do not
   * fit are left out, from the last one, with a note saying how many.
   * @default no limit
   */
  readonly maxLength?: number;
}

/** Marks the comment, so a pipeline can find and update its own earlier comment. */
export const MARKDOWN_MARKER = '<!-- gitops-diff -->';

/** Text that renders as itself: no emphasis, links, HTML or table breaks from resource names. */
export function markdownText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~!])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

function htmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A fence longer than any backtick run in the body, so the body cannot close it. */
function fence(body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * The stale-tree section a comment opens with: the verdict, the files and why, then each hand
 * edit's diff, open (not folded): these are the changes no environment file explains.
 */
function staleMarkdown(stale: StaleTree): string[] {
  const out = ['> [!CAUTION]', `> **${markdownText(staleVerdict(stale))}**`, '>'];
  for (const f of stale.files) out.push(`> - ${markdownText(staleReasonText(f.reason))}: \`${`${stale.label}/${f.path}`.replace(/`/g, "'")}\``);
  for (const u of stale.unreadable) out.push(`> - unreadable: \`${`${stale.label}/${u.path}`.replace(/`/g, "'")}\`: ${markdownText(u.problem)}`);
  out.push('');
  if (stale.edits.length > 0) {
    out.push(`**What ${markdownText(stale.label)}/ deploys that synth does not make** (synth → ${markdownText(stale.label)}/ as committed):`, '');
    for (const c of stale.edits) {
      const f = fence(c.patch);
      out.push(`${f}diff`, c.patch.replace(/\n$/, ''), f, '');
    }
  }
  return out;
}

/** The report as a pull-request comment: summary and resource table, then collapsed diffs. */
export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const removals = removalLines(report);
  const head: string[] = [
    MARKDOWN_MARKER,
    ...(report.stale ? staleMarkdown(report.stale) : []),
    ...(removals.length > 0 ? ['> [!CAUTION]', ...removals.map((l) => `> **${markdownText(l)}**`), ''] : []),
    `## gitops diff: ${markdownText(report.base)} → ${markdownText(report.head)}`,
    '',
  ];
  if (report.changes.length === 0) {
    head.push(report.stale ? 'No resource changes in what synth makes of this change; only the stale files above differ.' : 'No resource changes.');
    return `${head.join('\n')}\n`;
  }
  head.push(`**${countsLine(report)}**`, '');

  const warnings = report.impact.groups.flatMap((g) => g.warnings.map((w) => `- **${markdownText(placeLabel(g))}** ${markdownText(`${w.resource}: ${w.text}`)}`));
  if (warnings.length > 0) head.push('> [!WARNING]', ...warnings.map((w) => `> ${w}`), '');

  head.push('### Rollout impact', '');
  for (const g of report.impact.groups) {
    head.push(`#### ${markdownText(placeLabel(g))}`, '');
    const lines = impactLines(g).filter((l) => !l.warning);
    if (lines.length === 0) {
      head.push(g.warnings.length > 0 ? 'Only the warnings above.' : 'No rollout impact.', '');
      continue;
    }
    head.push('| kind | impact |', '| --- | --- |');
    for (const l of lines) head.push(`| ${l.tag === 'rolls' ? '**rolls**' : markdownText(l.tag)} | ${markdownText(l.text)} |`);
    head.push('');
  }

  head.push('### Resources', '', '| | environment/component | resource |', '| --- | --- | --- |');
  for (const c of report.changes) {
    head.push(`| ${c.status} | ${markdownText(placeLabel(c))} | ${markdownText(resourceLabel(c))} |`);
  }
  head.push('');

  const patched = report.changes.filter((c) => c.patched !== undefined);
  if (patched.length > 0) {
    head.push('### Values from patches', '', 'Set by a patch of an environment file, not by the constructs:', '', '| resource | field | change | from |', '| --- | --- | --- | --- |');
    for (const c of patched) {
      for (const p of c.patched!) {
        head.push(`| ${markdownText(`${placeLabel(c)} ${resourceLabel(c)}`)} | ${markdownText(p.field)} | ${markdownText(`${p.before} → ${p.after}`)} | ${markdownText(originText(p.origin))} |`);
      }
    }
    head.push('');
  }

  const blocks = report.changes.map((c) => {
    const f = fence(c.patch);
    return [
      `<details><summary>${htmlText(`${statusMark(c.status)} ${placeLabel(c)} ${resourceLabel(c)}`)}</summary>`,
      '',
      `${f}diff`,
      c.patch.replace(/\n$/, ''),
      f,
      '',
      '</details>',
      '',
    ].join('\n');
  });

  let text = `${head.join('\n')}\n`;
  const limit = options.maxLength ?? Infinity;
  const noteFor = (left: number) => `_${left} of ${blocks.length} resource diffs left out to stay within ${limit} characters; the HTML report has them all._\n`;
  for (const [i, block] of blocks.entries()) {
    const left = blocks.length - i - 1;
    const reserve = left > 0 ? noteFor(left).length : 0;
    if (text.length + block.length + reserve > limit) {
      const note = noteFor(blocks.length - i);
      text = text.length + note.length <= limit ? text + note : `${text.slice(0, Math.max(0, limit - note.length - 2))}\n\n${note}`.slice(0, limit);
      return text;
    }
    text += block;
  }
  return text;
}
