/**
 * Removing what is deployed takes an explicit word from a person. Argo CD prunes whatever git
 * drops, so a tree that loses an environment, a component or a cluster (because a file was
 * renamed, replaced by a link, or deleted by mistake) would delete it from the cluster. The guard
 * refuses such a tree unless each removal is named with `--allow-removal`.
 */
import { Removal, REMOVAL_NAME, unallowedRemovals } from './deployments';

/** Synth would remove deployed things nobody allowed it to remove: nothing was written. */
export class RemovalRefusedError extends Error {
  readonly removals: readonly Removal[];

  constructor(removals: readonly Removal[]) {
    super(describeRefusal(removals));
    this.name = 'RemovalRefusedError';
    this.removals = removals;
  }
}

/** Throws a {@link RemovalRefusedError} naming every removal `allowed` does not cover. */
export function guardRemovals(removals: readonly Removal[], allowed: readonly string[]): void {
  const refused = unallowedRemovals(removals, allowed);
  if (refused.length > 0) throw new RemovalRefusedError(refused);
}

/** Checks the values given to `--allow-removal`; throws naming the first malformed one. */
export function checkRemovalNames(names: readonly string[]): string[] {
  for (const name of names) {
    if (!REMOVAL_NAME.test(name)) {
      throw new Error(
        `--allow-removal ${JSON.stringify(name)} names nothing; allowed: <env>, <env>/<component>, <env>@<cluster> ` +
          'or <env>/<component>@<cluster>, e.g. --allow-removal qa or --allow-removal prod/kafka',
      );
    }
  }
  return [...names];
}

/** `component prod/kafka: 11 files under envs/prod/kafka/, 1 Application`. */
export function describeRemoval(removal: Removal): string {
  return `${removal.kind} ${removal.unit}: ${removal.detail}`;
}

function describeRefusal(removals: readonly Removal[]): string {
  return [
    `synth: refusing to remove what is deployed; Argo CD would prune it from the cluster:`,
    ...removals.map((r) => `  ${describeRemoval(r)} (to allow: --allow-removal ${r.unit})`),
    'No environment file declares it any more. If that is a mistake (a file renamed, moved or refused), put the file back;',
    'to retire it deliberately, re-run with the flags above (README: "Retiring an environment").',
  ].join('\n');
}
