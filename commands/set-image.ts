// Entry point of `npm run set-image`: puts a new image into an environment file and re-synthesizes.
import { readCommandLine } from '../lib/cli/command-line';
import { EXIT } from '../lib/cli/exit-status';
import { isUserFacing, reportFailure } from '../lib/pipeline/describe-failure';
import { IMAGE_COMPONENTS, imageField, parseComponent } from '../lib/pipeline/image-edit';
import { formatChange, updateImages } from '../lib/pipeline/image-update';
import { resynthesize } from '../app/synthesize';

const USAGE = `usage: npm run set-image -- <component> <image> --env <env> [--allow-repository-change]

Sets <component>'s image in environments/<env>.yaml (only that value: comments and layout stay)
and re-synthesizes gitops/. If the image is refused or the new tree does not validate, the file is
restored and nothing is written.
  <component>                ${IMAGE_COMPONENTS.map((c) => `${c} (${imageField(c)})`).join(', ')},
                             or a service the file declares (services.<name>.image)
  <image>                    [registry[:port]/]path:tag, path@sha256:<digest> or path:tag@sha256:<digest>;
                             untagged and "latest" are refused
  --env <env>                the environment, e.g. staging
  --allow-repository-change  accept an image from another repository than the current one
  -h, --help                 show this help

Exit status (docs/exit-statuses.md): 0 done (also when the image was already set), 1 refused or
failed, 2 usage error, 3 internal error.`;

function main(argv: string[]): number {
  const input = readCommandLine(
    'set-image',
    USAGE,
    argv,
    { options: { env: { type: 'string' }, 'allow-repository-change': { type: 'boolean', default: false } }, positionals: true },
    ({ values, positionals }) => {
      if (positionals.length !== 2) throw new Error(`expected <component> <image>, got ${positionals.length} argument(s)${positionals.length ? `: ${positionals.join(' ')}` : ''}`);
      if (!values.env) throw new Error('--env <env> is required');
      return {
        update: { environment: values.env, component: parseComponent(positionals[0]), image: positionals[1]! },
        allowRepositoryChange: values['allow-repository-change']!,
      };
    },
  );
  if (typeof input === 'number') return input;

  try {
    const { changes, synth } = updateImages([input.update], { synthesize: resynthesize, allowRepositoryChange: input.allowRepositoryChange });
    for (const change of changes) console.log(formatChange(change));
    for (const file of synth.write.written) console.log(`  wrote gitops/${file}`);
    for (const file of synth.write.removed) console.log(`  removed gitops/${file}`);
    console.log(`set-image: gitops/: ${synth.write.written.length} written, ${synth.write.removed.length} removed, ${synth.write.unchanged} unchanged`);
    return EXIT.ok;
  } catch (e) {
    const status = reportFailure('set-image', e, 'nothing written; environments/ and gitops/ are unchanged');
    // A failure nobody caused by their input is a bug: its stack is printed, and it says so.
    return isUserFacing(e) ? status : EXIT.internal;
  }
}

process.exitCode = main(process.argv.slice(2));
