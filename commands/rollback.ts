// Entry point of `npm run rollback`: restores an environment's images to a git revision's values.
import { readCommandLine } from '../lib/cli/command-line';
import { EXIT } from '../lib/cli/exit-status';
import { isUserFacing, reportFailure } from '../lib/pipeline/describe-failure';
import { APPLICATION_COMPONENTS, IMAGE_COMPONENTS, parseComponents } from '../lib/pipeline/image-edit';
import { formatChange } from '../lib/pipeline/image-update';
import { rollback } from '../lib/pipeline/rollback';
import { resynthesize } from '../app/synthesize';

const USAGE = `usage: npm run rollback -- --env <env> --to <git-rev> [<component>...]

Restores the images (only the images) of environments/<env>.yaml to their values at <git-rev>,
prints each change (old → new) and re-synthesizes gitops/. Publish the result with
\`npm run publish\`: a rollback is a new commit on top of the branch, never a rewrite of history,
and Argo CD's auto-sync stays on.
  --env <env>      the environment to roll back, e.g. prod
  --to <git-rev>   a commit, tag or expression such as HEAD~1
  <component>      any of ${IMAGE_COMPONENTS.join(', ')}, or a service the file declares (default:
                   ${APPLICATION_COMPONENTS.join(', ')} and every service the file declares now and at <git-rev>)
  -h, --help       show this help

Exit status (docs/exit-statuses.md): 0 done (also when nothing differed), 1 refused or failed, 2
usage error, 3 internal error.`;

function main(argv: string[]): number {
  const input = readCommandLine(
    'rollback',
    USAGE,
    argv,
    { options: { env: { type: 'string' }, to: { type: 'string' } }, positionals: true },
    ({ values, positionals }) => {
      if (!values.env || !values.to) throw new Error('--env <env> and --to <git-rev> are required');
      return { environment: values.env, to: values.to, components: parseComponents(positionals) };
    },
  );
  if (typeof input === 'number') return input;
  const { environment: env, to } = input;

  try {
    const { changes, synth, commit, leftAlone } = rollback({ ...input, synthesize: resynthesize });
    for (const change of changes) console.log(formatChange(change));
    for (const change of leftAlone) {
      console.log(`${change.environment}/${change.component}: left at ${change.from} (was ${change.to} at ${to}); name ${change.component} to roll it back too`);
    }
    const changed = changes.filter((c) => c.from !== c.to).length;
    console.log(
      `rollback: ${env} images as of ${to} (${commit.slice(0, 12)}): ${changed} changed; ` +
        `gitops/: ${synth.write.written.length} written, ${synth.write.removed.length} removed, ${synth.write.unchanged} unchanged` +
        (changed > 0 ? '; publish with `npm run publish`' : ''),
    );
    return EXIT.ok;
  } catch (e) {
    const status = reportFailure('rollback', e, 'nothing written; environments/ and gitops/ are unchanged');
    // A failure nobody caused by their input is a bug: its stack is printed, and it says so.
    return isUserFacing(e) ? status : EXIT.internal;
  }
}

process.exitCode = main(process.argv.slice(2));
