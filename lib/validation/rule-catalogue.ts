import { Rule } from './rule';

/** One line of `npm run validate -- --rules`: what a rule checks, on which kinds, after whose rule. */
export interface CatalogueEntry {
  readonly id: string;
  readonly kinds: string;
  readonly checks: string;
  readonly mirrors: string;
}

/** Every rule, in the order validation runs them. */
export function ruleCatalogue(rules: readonly Rule[]): CatalogueEntry[] {
  return rules.map((r) => ({
    id: r.id,
    kinds: r.kinds === undefined || r.kinds === '*' ? 'any' : r.kinds.join(', '),
    checks: r.checks,
    mirrors: r.mirrors ?? '(this project)',
  }));
}

/** The catalogue as a Markdown table, or as tab-separated lines for scripts. */
export function formatCatalogue(entries: readonly CatalogueEntry[], format: 'text' | 'markdown' = 'text'): string {
  if (format === 'markdown') {
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    return [
      '| rule | kinds | checks | mirrors |',
      '| --- | --- | --- | --- |',
      ...entries.map((e) => `| \`${e.id}\` | ${cell(e.kinds)} | ${cell(e.checks)} | ${cell(e.mirrors)} |`),
    ].join('\n');
  }
  return entries.map((e) => `${e.id}\t${e.kinds}\t${e.checks}\t${e.mirrors}`).join('\n');
}
