// Entry point of `npm run promote`: copies images from one environment to another and re-synthesizes.
import { readCommandLine } from '../lib/cli/command-line';
import { EXIT } from '../lib/cli/exit-status';
import { isUserFacing, reportFailure } from '../lib/pipeline/describe-failure';
import { APPLICATION_COMPONENTS, IMAGE_COMPONENTS, parseComponents } from '../lib/pipeline/image-edit';
import { formatChange } from '../lib/pipeline/image-update';
import { promote } from '../lib/pipeline/promote';
import { resynthesize } from '../app/synthesize';

const USAGE = `usage: npm run promote -- --from <env> --to <env> [<component>...] [--allow-repository-change]

Copies the images of the given components (default: ${APPLICATION_COMPONENTS.join(', ')} and every
service both files declare) from environments/<from>.yaml into environments/<to>.yaml, prints each
change (old → new) and re-synthesizes gitops/. Only images move; all or nothing.
  --from <env>               the environment whose images are copied, e.g. staging
  --to <env>                 the environment that receives them, e.g. prod
  <component>                any of ${IMAGE_COMPONENTS.join(', ')} (kafka only when named), or a
                             service both files declare under services:
  --allow-repository-change  accept images from other repositories than the target runs now
  -h, --help                 show this help

Exit status (docs/exit-statuses.md): 0 done (also when nothing differed), 1 refused or failed, 2
usage error, 3 internal error.`;

function main(argv: string[]): number {
  const input = readCommandLine(
    'promote',
    USAGE,
    argv,
    {
      options: { from: { type: 'string' }, to: { type: 'string' }, 'allow-repository-change': { type: 'boolean', default: false } },
      positionals: true,
    },
    ({ values, positionals }) => {
      if (!values.from || !values.to) throw new Error('--from <env> and --to <env> are required');
      return { from: values.from, to: values.to, components: parseComponents(positionals), allowRepositoryChange: values['allow-repository-change']! };
    },
  );
  if (typeof input === 'number') return input;
  const { from, to } = input;

  try {
    const { changes, synth } = promote({ ...input, synthesize: resynthesize });
    for (const change of changes) console.log(formatChange(change));
    const changed = changes.filter((c) => c.from !== c.to).length;
    console.log(
      `promote: ${from} → ${to}: ${changed} image${changed === 1 ? '' : 's'} changed; ` +
        `gitops/: ${synth.write.written.length} written, ${synth.write.removed.length} removed, ${synth.write.unchanged} unchanged`,
    );
    return EXIT.ok;
  } catch (e) {
    const status = reportFailure('promote', e, 'nothing written; environments/ and gitops/ are unchanged');
    // A failure nobody caused by their input is a bug: its stack is printed, and it says so.
    return isUserFacing(e) ? status : EXIT.internal;
  }
}

process.exitCode = main(process.argv.slice(2));
