import { stringify } from 'yaml';
import { buildDiffReport, DiffReport } from '../lib/diff/diff-report';
import { renderHtml } from '../lib/diff/render-html';
import { MARKDOWN_MARKER, markdownText, renderMarkdown } from '../lib/diff/render-markdown';
import { renderText } from '../lib/diff/render-text';

function configMap(name: string, data: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'chat-dev' }, data };
}

function reportOf(before: Record<string, any>[], after: Record<string, any>[]): DiffReport {
  const files = (ms: Record<string, any>[]) => new Map(ms.map((m) => [`envs/dev/frontend/${m.kind}-${m.metadata.name}.yaml`, stringify(m)]));
  return buildDiffReport(files(before), files(after), { base: 'main (abc123)', head: 'working tree' });
}

const HOSTILE = '</pre><script>alert(1)</script> | **bold** `tick` ```fence``` & <b>';

describe('report rendering', () => {
  test('HTML escapes manifest content, so a value cannot inject markup', () => {
    const html = renderHtml(reportOf([configMap('nginx', { conf: 'a' })], [configMap('nginx', { conf: HOSTILE })]));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('</pre><script');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<details>/g)).toHaveLength(1);
  });

  test('HTML puts the summary before the collapsed diffs and needs nothing from outside the page', () => {
    const html = renderHtml(reportOf([configMap('nginx', { conf: 'a' })], [configMap('nginx', { conf: 'b' })]));
    expect(html.indexOf('<h2>Rollout impact</h2>')).toBeLessThan(html.indexOf('<h2>Resources</h2>'));
    expect(html.indexOf('<h2>Resources</h2>')).toBeLessThan(html.indexOf('<details>'));
    expect(html).toContain('<summary>~ dev/frontend ConfigMap chat-dev/nginx</summary>');
    expect(html).not.toMatch(/<script|<link|https?:\/\//);
  });

  test('Markdown fences a diff with more backticks than it contains, so content cannot close the block', () => {
    const md = renderMarkdown(reportOf([configMap('nginx', { conf: 'a' })], [configMap('nginx', { conf: HOSTILE })]));
    expect(md.startsWith(`${MARKDOWN_MARKER}\n`)).toBe(true);
    expect(md).toContain('````diff\n');
    expect(md).toContain('\n````\n');
  });

  test('Markdown text escapes table separators, emphasis and HTML', () => {
    expect(markdownText('a | b *c* <i>')).toBe('a \\| b \\*c\\* &lt;i&gt;');
  });

  test('Markdown leaves out the diffs that do not fit the length limit and says so', () => {
    const before = Array.from({ length: 40 }, (_, i) => configMap(`cm-${String(i).padStart(2, '0')}`, { value: 'a'.repeat(200) }));
    const after = before.map((m) => configMap(m.metadata.name, { value: 'b'.repeat(200) }));
    const report = reportOf(before, after);
    const full = renderMarkdown(report);
    const limited = renderMarkdown(report, { maxLength: 8000 });
    expect(full.length).toBeGreaterThan(8000);
    expect(limited.length).toBeLessThanOrEqual(8000);
    const shown = (limited.match(/<details>/g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(limited).toContain(`_${40 - shown} of 40 resource diffs left out to stay within 8000 characters; the HTML report has them all._`);
    // Every resource is still in the table.
    expect(limited).toContain('| changed | dev/frontend | ConfigMap chat-dev/cm-39 |');
  });

  test('text colors additions and removals only when asked', () => {
    const report = reportOf([configMap('nginx', { conf: 'a' })], [configMap('nginx', { conf: 'b' })]);
    expect(renderText(report)).not.toContain('\x1b[');
    expect(renderText(report)).toContain('-  conf: a\n+  conf: b\n');
    expect(renderText(report, { color: true })).toContain('\x1b[31m-  conf: a\x1b[0m\n\x1b[32m+  conf: b\x1b[0m');
  });

  test('an empty change renders as "no resource changes" in every format', () => {
    const report = reportOf([configMap('nginx', { conf: 'a' })], [configMap('nginx', { conf: 'a' })]);
    expect(renderText(report)).toBe('gitops diff: main (abc123) → working tree\nno resource changes\n');
    expect(renderMarkdown(report)).toContain('No resource changes.');
    expect(renderHtml(report)).toContain('<p>No resource changes.</p>');
  });
});
