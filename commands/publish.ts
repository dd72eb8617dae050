// Entry point of `npm run publish`: commits environments/ and gitops/ and pushes them.
import { readCommandLine, wholeNumber } from '../lib/cli/command-line';
import { EXIT } from '../lib/cli/exit-status';
import { isUserFacing, reportFailure } from '../lib/pipeline/describe-failure';
import { publish } from '../lib/pipeline/publish';
import { resynthesize } from '../app/synthesize';

const USAGE = `usage: npm run publish [-- [--message-from <build-url>] [--remote <name>] [--branch <name>] [--attempts <n>] [--title <text>]]

Re-synthesizes and validates gitops/, commits the changes of environments/ and gitops/ (and
nothing else) with a message saying what changed, and pushes to the remote branch. When someone
else pushed first it fetches, rebases, regenerates gitops/ and tries again.
  --message-from <url>  the build that made the change (e.g. Jenkins' BUILD_URL), named in the commit
  --remote <name>       remote to push to (default: $PUBLISH_REMOTE, else origin)
  --branch <name>       branch to push to (default: $PUBLISH_BRANCH, else the current branch)
  --attempts <n>        pushes to try before giving up (default: 5)
  --title <text>        commit subject instead of the generated one
  -h, --help            show this help

Exit status (docs/exit-statuses.md): 0 pushed, or nothing to commit; 1 refused or failed (nothing
pushed); 2 usage error, 3 internal error.`;

function main(argv: string[]): number {
  const options = readCommandLine(
    'publish',
    USAGE,
    argv,
    {
      options: {
        'message-from': { type: 'string' },
        remote: { type: 'string', default: process.env.PUBLISH_REMOTE || 'origin' },
        branch: { type: 'string', default: process.env.PUBLISH_BRANCH || undefined },
        attempts: { type: 'string', default: '5' },
        title: { type: 'string' },
      },
      positionals: true,
    },
    ({ values, positionals }) => {
      if (positionals.length > 0) throw new Error(`unexpected argument(s): ${positionals.join(' ')}`);
      const attempts = wholeNumber('--attempts', values.attempts, 1, 50);
      for (const name of ['message-from', 'title'] as const) {
        if (values[name] !== undefined && /[\r\n]/.test(values[name]!)) throw new Error(`--${name} must be a single line`);
      }
      return { buildUrl: values['message-from'], remote: values.remote, branch: values.branch, attempts, title: values.title };
    },
  );
  if (typeof options === 'number') return options;

  try {
    const result = publish({ ...options, synthesize: resynthesize, log: (line) => console.log(`publish: ${line}`) });
    if (result.outcome === 'pushed' && result.change) {
      console.log(result.change.message.trimEnd().replace(/^(?=.)/gm, '  '));
    }
    return EXIT.ok;
  } catch (e) {
    const status = reportFailure('publish', e, 'nothing pushed');
    // A failure nobody caused by their input is a bug: its stack is printed, and it says so.
    return isUserFacing(e) ? status : EXIT.internal;
  }
}

process.exitCode = main(process.argv.slice(2));
