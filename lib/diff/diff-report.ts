import { deploymentsOf, Removal, removalsBetween } from '../gitops/deployments';
import { analyzeImpact, ImpactOptions, RolloutImpact } from './rollout-impact';
import { diffTrees, ResourceChange } from './tree-diff';
import { TreeObject } from '../tree/tree-object';
import { keyedObjects } from './keyed-objects';
import { StaleTree } from './stale-tree';
import { patchedChanges } from './patch-provenance';
import { patchOriginsOf } from '../tree/manifest-file';

/** Everything `npm run diff` reports: what changes per resource, and what that does to the clusters. */
export interface DiffReport {
  /** Names the base side: `HEAD (ced5b7d)`. */
  readonly base: string;
  /** Names the new side: `working tree`. */
  readonly head: string;
  readonly changes: ResourceChange[];
  /**
   * Environments, components and clusters the base tree deploys and the new one does not: what
   * Argo CD will prune, and what synth refuses without `--allow-removal`. Reports put it first.
   */
  readonly removals: readonly Removal[];
  readonly impact: RolloutImpact;
  /**
   * How the tree on disk differs from what synth makes of the environment files (hand edits,
   * files added by hand, a synth not run); absent when it is current. Reports open with it.
   */
  readonly stale?: StaleTree;
  readonly counts: { readonly added: number; readonly removed: number; readonly changed: number; readonly warnings: number };
}

export interface DiffReportOptions extends ImpactOptions {
  /** Names the base side in headings and patch headers. */
  readonly base: string;
  /** Names the new side. */
  readonly head: string;
  /** The tree on disk is not what synth makes ({@link staleTree}): the report opens with that. */
  readonly stale?: StaleTree;
}

/**
 * Compares two gitops trees given as files (path relative to the tree → content): the tree at the
 * base revision and the tree synth produces now.
 */
export function buildDiffReport(
  baseFiles: ReadonlyMap<string, string>,
  headFiles: ReadonlyMap<string, string>,
  options: DiffReportOptions,
): DiffReport {
  const base = keyedObjects(baseFiles, options.base);
  const head = keyedObjects(headFiles, options.head);
  const changes = withPatchOrigins(diffTrees(base, head, { baseLabel: 'a', headLabel: 'b' }), headFiles);
  const removals = removalsBetween(deploymentsIn(baseFiles, base), deploymentsIn(headFiles, head));
  const impact = analyzeImpact(changes, base, head, options);
  const count = (s: ResourceChange['status']) => changes.filter((c) => c.status === s).length;
  return {
    base: options.base,
    head: options.head,
    changes,
    removals,
    impact,
    ...(options.stale ? { stale: options.stale } : {}),
    counts: {
      added: count('added'),
      removed: count('removed'),
      changed: count('changed'),
      warnings: impact.groups.reduce((n, g) => n + g.warnings.length, 0),
    },
  };
}

/**
 * Each change with the values the new side's patches wrote, read from the provenance header of
 * the new file: the diff compares files, so what a patch did is known from what the file says.
 */
function withPatchOrigins(changes: ResourceChange[], headFiles: ReadonlyMap<string, string>): ResourceChange[] {
  return changes.map((c) => {
    const text = c.after ? headFiles.get(c.after.path) : undefined;
    const origins = text !== undefined ? patchOriginsOf(text) : [];
    const patched = patchedChanges(c.before?.manifest, c.after?.manifest, origins);
    return patched.length > 0 ? { ...c, patched } : c;
  });
}

function deploymentsIn(files: ReadonlyMap<string, string>, resources: ReadonlyMap<string, TreeObject>) {
  const byPath = new Map<string, Record<string, any>>();
  for (const r of resources.values()) if (!byPath.has(r.path)) byPath.set(r.path, r.manifest);
  return deploymentsOf(files.keys(), (rel) => byPath.get(rel));
}

/**
 * The report's first line when it removes deployed things: loud on purpose, since it is the one
 * change Argo CD cannot undo.
 */
export function removalLines(report: DiffReport): string[] {
  return report.removals.map(
    (r) => `REMOVES ${r.kind.toUpperCase()} ${r.unit}: ${r.detail}. Argo CD prunes it once this is merged; synth refuses it without --allow-removal ${r.unit}`,
  );
}

/** The report as plain data for machines: no parsed manifests, patches included. */
export function reportJson(report: DiffReport): string {
  return `${JSON.stringify(
    {
      base: report.base,
      head: report.head,
      counts: report.counts,
      ...(report.stale
        ? {
            stale: {
              tree: report.stale.label,
              files: report.stale.files,
              edits: report.stale.edits.map((c) => ({ key: c.key, status: c.status, path: (c.after ?? c.before)!.path, patch: c.patch })),
              unreadable: report.stale.unreadable,
            },
          }
        : {}),
      removals: report.removals,
      impact: report.impact,
      resources: report.changes.map((c) => ({
        key: c.key,
        status: c.status,
        environment: c.environment,
        component: c.component,
        kind: c.kind,
        namespace: c.namespace,
        name: c.name,
        path: (c.after ?? c.before)!.path,
        ...(c.patched ? { patched: c.patched } : {}),
        patch: c.patch,
      })),
    },
    null,
    2,
  )}\n`;
}

/** `2 changed, 1 added, 0 removed; 1 warning`. */
export function countsLine(report: DiffReport): string {
  const { added, removed, changed, warnings } = report.counts;
  return `${changed} changed, ${added} added, ${removed} removed; ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

/** `~` changed, `+` added, `-` removed. */
export function statusMark(status: ResourceChange['status']): string {
  return status === 'added' ? '+' : status === 'removed' ? '-' : '~';
}
