// Entry point of `npm run synth`: environments/*.yaml → gitops/.
import { readCommandLine } from './lib/cli/command-line';
import { EXIT } from './lib/cli/exit-status';
import { isUserFacing } from './lib/pipeline/describe-failure';
import { TreeWriteError } from './lib/gitops/write-tree';
import { buildApp, synthesize } from './app/synthesize';
import { unusedAllowances } from './lib/gitops/deployments';
import { checkRemovalNames, describeRemoval } from './lib/gitops/removal-guard';
import { loadEnvironments } from './lib/environment/load-environments';
import { TREE_PREFIX } from './lib/tree/layout';

const USAGE = `usage: npm run synth [-- --environments <dir>] [--out <dir>] [--dry-run] [--allow-removal <what>]…

Synthesizes every environments/<env>.yaml into gitops/envs/<env>/<component>/.
  --environments <dir>    folder of environment files (default: environments)
  --out <dir>             gitops tree to write (default: gitops)
  --dry-run               report what would change, write nothing
  --allow-removal <what>  allow the tree to drop what is deployed: <env> (a whole environment),
                          <env>/<component>, <env>@<cluster> or <env>/<component>@<cluster>;
                          repeat for each. Without it, synth refuses a tree that removes any of
                          them (Argo CD would prune them)`;

function main(argv: string[]): number {
  const args = readCommandLine(
    'synth',
    USAGE,
    argv,
    {
      options: {
        environments: { type: 'string', default: 'environments' },
        out: { type: 'string', default: TREE_PREFIX },
        'dry-run': { type: 'boolean', default: false },
        'allow-removal': { type: 'string', multiple: true, default: [] },
      },
      paths: ['environments', 'out'],
    },
    ({ values }) => ({ ...values, 'allow-removal': checkRemovalNames(values['allow-removal'] ?? []) }),
  );
  if (typeof args === 'number') return args;
  const started = process.hrtime.bigint();
  try {
    const result = synthesize({
      environmentsDir: args.environments,
      outDir: args.out,
      dryRun: args['dry-run'],
      allowRemoval: args['allow-removal'],
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const { written, removed, unchanged } = result.write;
    const verb = args['dry-run'] ? 'would write' : 'wrote';
    for (const file of written) console.log(`  ${verb} ${args.out}/${file}`);
    for (const file of removed) console.log(`  ${args['dry-run'] ? 'would remove' : 'removed'} ${args.out}/${file}`);
    for (const removal of result.removals) console.log(`  ${args['dry-run'] ? 'would retire' : 'retired'} ${describeRemoval(removal)}`);
    for (const name of unusedAllowances(result.removals, args['allow-removal'])) {
      console.log(`  --allow-removal ${name}: nothing of it is removed`);
    }
    for (const x of result.validation.exemptions) {
      console.log(`  exempted [${x.rule}] ${x.environment}/${x.component} ${x.object}: ${x.reason}`);
    }
    const t = result.timings;
    console.log(
      `synth: ${result.objects.length} objects in ${result.environments.length} environments ` +
        `(${result.environments.map((e) => e.name).join(', ')}); ${args.out}/: ${written.length} written, ` +
        `${removed.length} removed, ${unchanged} unchanged, ${result.validation.exemptions.length} exemptions ` +
        `(${ms.toFixed(0)} ms: load ${t.load.toFixed(0)}, render ${t.render.toFixed(0)}, ` +
        `validate ${t.validate.toFixed(0)}, write ${t.write.toFixed(0)})`,
    );
    return EXIT.ok;
  } catch (e) {
    // A refusal (bad input, removals, a held lock) or a filesystem failure is told in its own
    // words; anything else is a bug, worth its stack.
    console.error(isUserFacing(e) ? e.message : `synth: ${(e as Error)?.stack ?? e}`);
    // Only the writer can have changed the tree, and its error says what it left there.
    console.error(`synth: ${e instanceof TreeWriteError ? e.outcome(`${args.out}/`) : `nothing written; ${args.out}/ is unchanged`}`);
    return isUserFacing(e) ? EXIT.failed : EXIT.internal;
  }
}

/**
 * Under `cdk8s synth` (which sets CDK8S_OUTDIR) behave as a stock cdk8s app: one manifest file per
 * chart in the CLI's output folder, gitops/ untouched.
 */
function stockCdk8sSynth(): number {
  try {
    buildApp(loadEnvironments('environments')).synth();
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

if (process.env.CDK8S_OUTDIR) {
  process.exitCode = stockCdk8sSynth();
} else {
  process.exitCode = main(process.argv.slice(2));
  // Nothing is left to do once main() has returned: the tree was written and the lock released
  // synchronously, and output to files, pipes and terminals is synchronous on Linux. Exiting now
  // skips tearing V8's heap down, ~10 ms of a short run. Output still queued (elsewhere) waits.
  if (process.platform === 'linux' && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}
