// Entry point of `npm run validate`: checks a gitops tree on disk against every validation rule.
import { oneOf, POSITIONALS, readCommandLine } from '../lib/cli/command-line';
import { EXIT } from '../lib/cli/exit-status';
import { scanEnvironmentFiles } from '../lib/validation/credential-scan';
import { formatFinding, ValidationReport } from '../lib/validation/finding';
import { parseTree, readTreeFiles, TreeReadError } from '../lib/tree/read-tree';
import { RULES, validateTree } from '../lib/validation/validate';
import { formatCatalogue, ruleCatalogue } from '../lib/validation/rule-catalogue';
import { isProtected } from '../lib/environment/environment';
import { loadEnvironments } from '../lib/environment/load-environments';
import { TREE_PREFIX } from '../lib/tree/layout';

const USAGE = `usage: npm run validate [-- [<path>] [--format text|json] [--environments <dir>]]
       npm run validate -- --rules [--format text|markdown]

Validates every *.yaml object below <path> (default: gitops) against the Kubernetes 1.28 schema,
the cross-object references and the platform policy, checks that every file reads the same in
YAML 1.1 (go-yaml: Argo CD, kubectl) as in YAML 1.2, and looks through the environment files for
anything shaped like a credential.
  --format text|json    text (default) lists problems with how to fix them; json prints the report
  --environments <dir>  environment files to scan for credentials (default: environments, if present)
  --rules               list every rule instead: id, kinds, what it checks, what it mirrors
  -h, --help          show this help

Exit status (docs/exit-statuses.md): 0 no problems, 1 problems found or the tree cannot be read,
2 usage error, 3 internal error.`;

const FORMATS = ['text', 'json'] as const;
const CATALOGUE_FORMATS = ['text', 'markdown'] as const;

function main(argv: string[]): number {
  const input = readCommandLine(
    'validate',
    USAGE,
    argv,
    {
      options: {
        format: { type: 'string', default: 'text' },
        environments: { type: 'string', default: 'environments' },
        rules: { type: 'boolean', default: false },
      },
      positionals: true,
      paths: [POSITIONALS, 'environments'],
    },
    ({ values, positionals }) => {
      if (values.rules) {
        if (positionals.length > 0) throw new Error(`--rules takes no path, got ${positionals.join(' ')}`);
        return { catalogue: oneOf('--format', values.format, CATALOGUE_FORMATS) } as const;
      }
      if (positionals.length > 1) throw new Error(`expected at most one path, got ${positionals.length}: ${positionals.join(' ')}`);
      return { dir: positionals[0] ?? TREE_PREFIX, format: oneOf('--format', values.format, FORMATS), environmentsDir: values.environments! };
    },
  );
  if (typeof input === 'number') return input;
  if ('catalogue' in input) {
    console.log(formatCatalogue(ruleCatalogue(RULES), input.catalogue));
    return 0;
  }
  const { dir, format, environmentsDir } = input;

  const started = process.hrtime.bigint();
  let report: ValidationReport;
  try {
    // Each file is read once: parsed into objects, and its text kept for the rules on how it reads.
    const files = readTreeFiles(dir);
    const tree = validateTree(parseTree(files, dir), { isProtected: protection(environmentsDir), sourceText: (rel) => files.get(rel) });
    report = { ...tree, findings: [...tree.findings, ...scanEnvironmentFiles(environmentsDir)] };
  } catch (e) {
    if (e instanceof TreeReadError) {
      console.error(`validate: cannot read the tree: ${e.message}`);
      return EXIT.failed;
    }
    // Not 1: scripts read 1 as "the input is wrong", which a crash does not establish.
    console.error(`validate: ${(e as Error).stack ?? e}`);
    return EXIT.internal;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;

  if (format === 'json') {
    console.log(JSON.stringify(report, null, 2));
  } else {
    for (const f of report.findings) console.log(formatFinding(f));
    for (const x of report.exemptions) console.log(`exempted [${x.rule}] ${x.object}: ${x.reason}`);
    console.log(
      `validate: ${report.objects} objects, ${report.findings.length} problems, ` +
        `${report.exemptions.length} exemptions (${ms.toFixed(0)} ms)`,
    );
  }
  return report.findings.length > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * Which environments are protected: as their files say when the folder loads, else (no folder, or
 * a file with problems, which synth reports) the default, prod only.
 */
function protection(environmentsDir: string): (name: string) => boolean {
  try {
    const declared = new Map(loadEnvironments(environmentsDir).map((env) => [env.name, isProtected(env)]));
    return (name) => declared.get(name) ?? isProtected({ name });
  } catch {
    return (name) => isProtected({ name });
  }
}

process.exitCode = main(process.argv.slice(2));
