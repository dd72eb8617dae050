// The house's floors: which folder may import which. The README ("Which folder may import which")
// draws the same arrows; an import outside them fails here, naming the file and the import.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** Folder → the folders its files may import (besides their own folder and npm packages). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  entry: ['app', 'lib/diff', 'lib/pipeline', 'lib/s3', 'lib/cli', 'lib/git', 'lib/validation', 'lib/gitops', 'lib/environment', 'lib/tree'],
  commands: ['app', 'lib/diff', 'lib/pipeline', 'lib/s3', 'lib/cli', 'lib/git', 'lib/validation', 'lib/gitops', 'lib/environment', 'lib/tree'],
  app: ['charts', 'constructs', 'lib/validation', 'lib/gitops', 'lib/environment', 'lib/tree'],
  charts: ['constructs', 'imports', 'lib/environment', 'lib/tree', 'lib/predicates'],
  constructs: ['imports', 'lib/tree', 'lib/predicates'],
  imports: [],
  'lib/diff': ['lib/gitops', 'lib/validation', 'lib/tree'],
  'lib/pipeline': ['lib/gitops', 'lib/git', 'lib/validation', 'lib/environment', 'lib/tree', 'lib/predicates'],
  'lib/s3': ['lib/environment'],
  'lib/validation': ['lib/environment', 'lib/tree', 'lib/predicates', 'lib/runtime'],
  'lib/gitops': ['lib/tree', 'lib/predicates'],
  'lib/environment': ['lib/tree', 'lib/predicates', 'lib/runtime'],
  'lib/tree': [],
  'lib/predicates': [],
  'lib/runtime': [],
  'lib/git': [],
  'lib/cli': [],
};

/** The floor a project file belongs to: `entry` for main.ts, else its first folder (two under lib/). */
function floorOf(rel: string): string {
  const parts = rel.split('/');
  if (parts.length === 1) return 'entry';
  return parts[0] === 'lib' ? `lib/${parts[1]}` : parts[0]!;
}

function sourceFiles(): string[] {
  const out = ['main.ts'];
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) visit(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(child);
    }
  };
  for (const top of ['commands', 'app', 'charts', 'constructs', 'lib']) visit(top);
  return out.sort();
}

/** Every relative import of a file, resolved to a path relative to the project root. */
function importsOf(rel: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(rel), s)));
}

/** Every import of `files` that points outside its floor's arrows, as readable lines. */
function wrongArrows(files: readonly string[], importsOfFile: (rel: string) => string[]): string[] {
  const wrong: string[] = [];
  for (const file of files) {
    const from = floorOf(file);
    for (const target of importsOfFile(file)) {
      const to = floorOf(target);
      if (to !== from && !MAY_IMPORT[from]!.includes(to)) wrong.push(`${file} imports ${target} (${from} → ${to})`);
    }
  }
  return wrong;
}

describe('the floors', () => {
  const files = sourceFiles();

  test('every source file sits on a known floor', () => {
    expect(files.map(floorOf).filter((f) => !(f in MAY_IMPORT))).toEqual([]);
  });

  test('every import points to its own floor or one the floor may import', () => {
    expect(wrongArrows(files, importsOf)).toEqual([]);
  });

  test('nothing in lib/ imports app/, charts/ or constructs/', () => {
    for (const [floor, allowed] of Object.entries(MAY_IMPORT)) {
      if (floor.startsWith('lib/')) expect(allowed.filter((a) => !a.startsWith('lib/'))).toEqual([]);
    }
  });

  test('the check sees wrong arrows: lib/ importing a chart, a chart importing app/, a floor importing one above it', () => {
    const fake: Record<string, string[]> = {
      'lib/validation/x.ts': ['charts/component-chart', 'lib/tree/layout'],
      'charts/y.ts': ['app/synthesize', 'constructs/web-service'],
      'lib/tree/z.ts': ['lib/environment/environment'],
    };
    expect(wrongArrows(Object.keys(fake), (f) => fake[f]!)).toEqual([
      'lib/validation/x.ts imports charts/component-chart (lib/validation → charts)',
      'charts/y.ts imports app/synthesize (charts → app)',
      'lib/tree/z.ts imports lib/environment/environment (lib/tree → lib/environment)',
    ]);
    expect(importsOf('app/render.ts')).toContain('charts/component-chart');
  });
});
