// Entry point of `npm run promote`: copies images from one environment to another and re-synthesizes.
import { parseArgs } from 'node:util';
import { describeFailure } from '../lib/pipeline/describe-failure';
import { APPLICATION_COMPONENTS, IMAGE_COMPONENTS, ImageComponent, parseComponent } from '../lib/pipeline/image-edit';
import { formatChange } from '../lib/pipeline/image-update';
import { promote } from '../lib/pipeline/promote';

const USAGE = `usage: npm run promote -- --from <env> --to <env> [<component>...] [--allow-repository-change]

Copies the images of the given components (default: ${APPLICATION_COMPONENTS.join(', ')}) from
environments/<from>.yaml into environments/<to>.yaml, prints each change (old → new) and
re-synthesizes gitops/. Only images move; all or nothing.
  --from <env>               the environment whose images are copied, e.g. staging
  --to <env>                 the environment that receives them, e.g. prod
  <component>                any of ${IMAGE_COMPONENTS.join(', ')} (kafka only when named)
  --allow-repository-change  accept images from other repositories than the target runs now
  -h, --help                 show this help

Exit status: 0 done (also when nothing differed), 1 refused or failed, 2 usage error.`;

function main(argv: string[]): number {
  let from: string;
  let to: string;
  let components: ImageComponent[] | undefined;
  let allowRepositoryChange: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'allow-repository-change': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.from || !values.to) throw new Error('--from <env> and --to <env> are required');
    from = values.from;
    to = values.to;
    components = positionals.length > 0 ? [...new Set(positionals.map(parseComponent))] : undefined;
    allowRepositoryChange = values['allow-repository-change']!;
  } catch (e) {
    console.error(`promote: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }

  try {
    const { changes, synth } = promote({ from, to, components, allowRepositoryChange });
    for (const change of changes) console.log(formatChange(change));
    const changed = changes.filter((c) => c.from !== c.to).length;
    console.log(
      `promote: ${from} → ${to}: ${changed} image${changed === 1 ? '' : 's'} changed; ` +
        `gitops/: ${synth.write.written.length} written, ${synth.write.removed.length} removed, ${synth.write.unchanged} unchanged`,
    );
    return 0;
  } catch (e) {
    console.error(describeFailure(e));
    console.error('promote: nothing written; environments/ and gitops/ are unchanged');
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
