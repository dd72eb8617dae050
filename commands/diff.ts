// Entry point of `npm run diff`: what a change to environments/ (or the code) does to each cluster.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandArgs, oneOf, readCommandLine } from '../lib/cli/command-line';
import { EXIT } from '../lib/cli/exit-status';
import { buildDiffReport, reportJson } from '../lib/diff/diff-report';
import { renderHtml } from '../lib/diff/render-html';
import { renderMarkdown } from '../lib/diff/render-markdown';
import { renderText } from '../lib/diff/render-text';
import { DEFAULT_PROMOTED_FROM, imagesInPatch } from '../lib/diff/rollout-impact';
import { describeStaleTree, staleFiles, staleTree } from '../lib/diff/stale-tree';
import { TreeReadError } from '../lib/tree/read-tree';
import { Git, GitError } from '../lib/git/git';
import { isUserFacing } from '../lib/pipeline/describe-failure';
import { synthesize, SynthesizeResult } from '../app/synthesize';
import { TREE_PREFIX } from '../lib/tree/layout';

/**
 * The longest Markdown report written by default: GitHub refuses a pull-request comment over 65,536
 * characters, and a CI step may add a line or two around the report.
 */
export const MARKDOWN_MAX_LENGTH = 65_000;

const USAGE = `usage: npm run diff [-- [--base <git-rev>] [--format text|markdown|html|json] [--output <file>]]
       npm run diff -- --check

Synthesizes the working tree in memory and compares it, resource by resource, with gitops/ as
committed at the base revision: a rollout-impact summary (images, pods rolled and capacity during
the rollout, autoscaling, disruption budgets, routes, network policies, Argo CD sync, warnings),
then a YAML diff of each changed resource. Secret values are redacted.
  --base <git-rev>       revision to compare with (default: HEAD)
  --format <format>      text (default), markdown (a pull-request comment), html (one page), json
  --output <file>        write the report to <file> instead of stdout
  --max-length <chars>   markdown only: leave out resource diffs beyond this size (default: 65000,
                         under GitHub's 65536-character limit of a pull-request comment)
  --color, --no-color    force or suppress colors (default: on a terminal, unless NO_COLOR is set)
  --check                compare gitops/ on disk with what synth produces instead; exit 1 if stale
  --environments <dir>   folder of environment files (default: environments)
  --gitops <dir>         the gitops tree (default: gitops)
  -h, --help             show this help

Exit status (docs/exit-statuses.md): 0 report written (or tree current); 1 --check found a stale
tree, an unknown revision, or the working tree does not synthesize; 2 usage error; 3 internal error.`;

const FORMATS = ['text', 'markdown', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface Options {
  readonly base: string;
  readonly format: Format;
  readonly output: string | undefined;
  readonly maxLength: number | undefined;
  readonly color: boolean | undefined;
  readonly check: boolean;
  readonly environments: string;
  readonly gitops: string;
}

const OPTIONS = {
  base: { type: 'string' },
  format: { type: 'string', default: 'text' },
  output: { type: 'string' },
  'max-length': { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  check: { type: 'boolean', default: false },
  environments: { type: 'string', default: 'environments' },
  gitops: { type: 'string', default: TREE_PREFIX },
} as const;

function readOptions({ values }: CommandArgs<typeof OPTIONS>): Options {
  const format = oneOf('--format', values.format, FORMATS);
  if (values.color && values['no-color']) throw new Error('--color and --no-color contradict each other');
  if (values.check && (values.base !== undefined || values.output !== undefined || values.format !== 'text')) {
    throw new Error('--check compares gitops/ on disk with synth and prints which files differ; it takes no --base, --format or --output');
  }
  let maxLength: number | undefined;
  if (values['max-length'] !== undefined) {
    maxLength = Number(values['max-length']);
    if (!Number.isInteger(maxLength) || maxLength < 1000) throw new Error(`--max-length must be a whole number of characters ≥ 1000, not ${JSON.stringify(values['max-length'])}`);
    if (values.format !== 'markdown') throw new Error('--max-length applies to --format markdown only');
  } else if (format === 'markdown') {
    maxLength = MARKDOWN_MAX_LENGTH;
  }
  return {
    base: values.base ?? 'HEAD',
    format,
    output: values.output,
    maxLength,
    color: values.color ? true : values['no-color'] ? false : undefined,
    check: values.check!,
    environments: values.environments!,
    gitops: values.gitops!,
  };
}

function useColor(options: Options): boolean {
  if (options.format !== 'text' || options.output !== undefined) return false;
  if (options.color !== undefined) return options.color;
  if ((process.env.NO_COLOR ?? '') !== '') return false;
  return process.stdout.isTTY === true;
}

function main(argv: string[]): number {
  const options = readCommandLine('diff', USAGE, argv, { options: OPTIONS, paths: ['output', 'environments', 'gitops'] }, readOptions);
  if (typeof options === 'number') return options;

  const root = process.cwd();
  let synth: SynthesizeResult;
  try {
    // Nothing is written, so nothing is removed here: the report names removals instead.
    synth = synthesize({ root, environmentsDir: options.environments, outDir: options.gitops, dryRun: true, allowRemoval: 'any' });
  } catch (e) {
    if (isUserFacing(e)) {
      console.error(e.message);
      console.error('diff: the working tree does not synthesize; nothing to compare');
      return EXIT.failed;
    }
    console.error(`diff: ${(e as Error).stack ?? e}`);
    return EXIT.internal;
  }

  if (options.check) {
    const stale = staleFiles(path.resolve(root, options.gitops), synth.write);
    const label = options.gitops.replace(/\/+$/, '');
    (stale.length > 0 ? process.stderr : process.stdout).write(describeStaleTree(label, stale, synth.files.size));
    return stale.length > 0 ? EXIT.failed : EXIT.ok;
  }

  let output: string;
  try {
    const git = new Git(root);
    const base = git.readTree(options.base, options.gitops);
    const label = base.rev === base.commit ? base.commit.slice(0, 12) : `${base.rev} (${base.commit.slice(0, 12)})`;
    // The tree on disk is what Argo CD would deploy: when it is not what synth makes, say so first.
    const stale = staleTree({ dir: path.resolve(root, options.gitops), label: options.gitops, write: synth.write, synthesized: synth.files, base: base.files });
    const report = buildDiffReport(base.files, synth.files, {
      base: label,
      head: 'working tree',
      stale,
      ranBefore: imageHistory(git, base.commit, options.gitops),
    });
    output =
      options.format === 'markdown'
        ? renderMarkdown(report, options.maxLength !== undefined ? { maxLength: options.maxLength } : {})
        : options.format === 'html'
          ? renderHtml(report)
          : options.format === 'json'
            ? reportJson(report)
            : renderText(report, { color: useColor(options) });
  } catch (e) {
    if (e instanceof GitError || e instanceof TreeReadError) {
      console.error(`diff: ${e.message}`);
      return EXIT.failed;
    }
    console.error(`diff: ${(e as Error).stack ?? e}`);
    return EXIT.internal;
  }

  if (options.output === undefined) {
    // A reader that stops early (`| head`) is no error.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
    process.stdout.write(output);
  } else {
    try {
      fs.mkdirSync(path.dirname(path.resolve(options.output)), { recursive: true });
      fs.writeFileSync(options.output, output);
    } catch (e) {
      console.error(`diff: cannot write ${options.output}: ${(e as Error).message}`);
      return EXIT.failed;
    }
    console.error(`diff: wrote ${options.format} report to ${options.output}`);
  }
  return EXIT.ok;
}

/**
 * The images each environment that must run another's images first (and that other one) held
 * in the tree's history up to the base commit, from git: reviewing a rollback to an image the
 * environment ran before is no warning.
 */
function imageHistory(git: Git, commit: string, gitops: string): Record<string, Set<string>> {
  const environments = new Set(Object.entries(DEFAULT_PROMOTED_FROM).flat());
  return Object.fromEntries([...environments].map((env) => [env, imagesInPatch(git.history(commit, path.join(gitops, 'envs', env)))]));
}

process.exitCode = main(process.argv.slice(2));
