import { countsLine, DiffReport, removalLines, statusMark } from './diff-report';
import { impactLines } from './render-text';
import { placeLabel } from '../tree/layout';
import { resourceLabel } from '../tree/tree-object';
import { staleReasonText, staleVerdict } from './stale-tree';
import { ResourceChange } from './tree-diff';
import { originText } from './patch-provenance';

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// Inline and script-free: the page is archived by Jenkins and opened from there, offline. Without
// the styles (Jenkins' default Content-Security-Policy blocks inline CSS) it still reads top to
// bottom and the <details> still fold.
const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #1f2328; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; } h3 { font-size: 1.05em; margin-bottom: .3em; }
table { border-collapse: collapse; margin: .3em 0 1em; } td, th { border: 1px solid #d0d7de; padding: .25em .6em; text-align: left; vertical-align: top; }
.removals { background: #ffebe9; border: 2px solid #cf222e; color: #82071e; padding: .3em 1em; border-radius: 6px; }
.warnings { background: #fff8c5; border: 1px solid #d4a72c; padding: .5em 1em; border-radius: 6px; }
.tag { white-space: nowrap; font-weight: 600; } .tag-rolls { color: #0969da; }
.added { color: #1a7f37; } .removed { color: #cf222e; }
details { margin: .3em 0; border: 1px solid #d0d7de; border-radius: 6px; } summary { cursor: pointer; padding: .3em .6em; font-family: ui-monospace, monospace; }
pre { margin: 0; padding: .5em; overflow-x: auto; font: 12px/1.4 ui-monospace, monospace; background: #f6f8fa; }
pre span { display: inline-block; min-width: 100%; } .add { background: #dafbe1; } .del { background: #ffebe9; } .hunk { color: #8250df; } .file { font-weight: 600; }
`;

/** A resource's patch as the lines of a `<pre>`, each marked by what it is. */
function patchHtml(c: ResourceChange): string {
  return c.patch
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      const cls = line.startsWith('---') || line.startsWith('+++') ? 'file' : line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : '';
      return `<span${cls ? ` class="${cls}"` : ''}>${escapeHtml(line) || ' '}</span>`;
    })
    .join('\n');
}

/** One self-contained HTML page: summary on top, then each resource's diff, collapsed. */
export function renderHtml(report: DiffReport): string {
  const title = `gitops diff: ${report.base} → ${report.head}`;
  const removals = removalLines(report);
  const stale = report.stale;
  const body: string[] = [
    ...(stale
      ? [
          '<div class="removals">',
          `<p><strong>${escapeHtml(staleVerdict(stale))}</strong></p>`,
          '<ul>',
          ...stale.files.map((f) => `<li>${escapeHtml(staleReasonText(f.reason))}: <code>${escapeHtml(`${stale.label}/${f.path}`)}</code></li>`),
          ...stale.unreadable.map((u) => `<li>unreadable: <code>${escapeHtml(`${stale.label}/${u.path}`)}</code>: ${escapeHtml(u.problem)}</li>`),
          '</ul>',
          ...stale.edits.map((c) => `<pre>${patchHtml(c)}</pre>`),
          '</div>',
        ]
      : []),
    ...(removals.length > 0 ? ['<div class="removals">', ...removals.map((l) => `<p><strong>${escapeHtml(l)}</strong></p>`), '</div>'] : []),
    `<h1>${escapeHtml(title)}</h1>`,
  ];
  if (report.changes.length === 0) {
    body.push(stale ? '<p>No resource changes in what synth makes of this change; only the stale files above differ.</p>' : '<p>No resource changes.</p>');
  } else {
    body.push(`<p><strong>${escapeHtml(countsLine(report))}</strong></p>`);
    const warnings = report.impact.groups.flatMap((g) =>
      g.warnings.map((w) => `<li><strong>${escapeHtml(placeLabel(g))}</strong> ${escapeHtml(`${w.resource}: ${w.text}`)}</li>`),
    );
    if (warnings.length > 0) body.push('<div class="warnings"><h2>Warnings</h2><ul>', ...warnings, '</ul></div>');

    body.push('<h2>Rollout impact</h2>');
    for (const g of report.impact.groups) {
      body.push(`<h3>${escapeHtml(placeLabel(g))}</h3>`);
      // Warnings are listed on top already.
      const lines = impactLines(g).filter((l) => !l.warning);
      if (lines.length === 0) {
        body.push(`<p>${g.warnings.length > 0 ? 'Only the warnings above.' : 'No rollout impact.'}</p>`);
        continue;
      }
      body.push('<table>');
      for (const l of lines) {
        const cls = l.tag === 'rolls' ? 'tag tag-rolls' : 'tag';
        body.push(`<tr><td class="${cls}">${escapeHtml(l.tag)}</td><td>${escapeHtml(l.text)}</td></tr>`);
      }
      body.push('</table>');
    }

    body.push('<h2>Resources</h2>');
    for (const c of report.changes) {
      const summary = `${statusMark(c.status)} ${placeLabel(c)} ${resourceLabel(c)}`;
      body.push(
        `<details><summary${c.status === 'changed' ? '' : ` class="${c.status}"`}>${escapeHtml(summary)}</summary>`,
        ...(c.patched
          ? [
              '<table class="patched"><tr><th>value from a patch</th><th>change</th><th>from</th></tr>',
              ...c.patched.map((p) => `<tr><td><code>${escapeHtml(p.field)}</code></td><td>${escapeHtml(`${p.before} → ${p.after}`)}</td><td>${escapeHtml(originText(p.origin))}</td></tr>`),
              '</table>',
            ]
          : []),
        `<pre>${patchHtml(c)}</pre>`,
        '</details>',
      );
    }
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
