// Entry point of `npm run synth`: environments/*.yaml → gitops/.
import { readCommandLine } from './lib/cli/command-line';
import { ConfigError } from './lib/environment/config-error';
import { SynthError } from './lib/synth/render';
import { ValidationError } from './lib/validation/validation-error';
import { ForeignTreeError, TreeLockedError } from './lib/gitops/write-tree';
import { buildApp, synthesize } from './lib/synth/synthesize';
import { loadEnvironments } from './lib/environment/load-environments';

const USAGE = `usage: npm run synth [-- --environments <dir>] [--out <dir>] [--dry-run]

Synthesizes every environments/<env>.yaml into gitops/envs/<env>/<component>/.
  --environments <dir>  folder of environment files (default: environments)
  --out <dir>           gitops tree to write (default: gitops)
  --dry-run             report what would change, write nothing`;

function main(argv: string[]): number {
  const args = readCommandLine(
    'synth',
    USAGE,
    argv,
    {
      options: {
        environments: { type: 'string', default: 'environments' },
        out: { type: 'string', default: 'gitops' },
        'dry-run': { type: 'boolean', default: false },
      },
    },
    ({ values }) => values,
  );
  if (typeof args === 'number') return args;
  const started = process.hrtime.bigint();
  try {
    const result = synthesize({ environmentsDir: args.environments, outDir: args.out, dryRun: args['dry-run'] });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const { written, removed, unchanged } = result.write;
    const verb = args['dry-run'] ? 'would write' : 'wrote';
    for (const file of written) console.log(`  ${verb} ${args.out}/${file}`);
    for (const file of removed) console.log(`  ${args['dry-run'] ? 'would remove' : 'removed'} ${args.out}/${file}`);
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
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SynthError || e instanceof ValidationError || e instanceof TreeLockedError || e instanceof ForeignTreeError) {
      console.error(e.message);
      console.error(`synth: nothing written; ${args.out}/ is unchanged`);
      return 1;
    }
    console.error(`synth: ${(e as Error).stack ?? e}`);
    console.error(`synth: nothing written; ${args.out}/ is unchanged`);
    return 1;
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
