/** One synthesized object and where it sits in the gitops tree. */
export interface TreeObject {
  /** Path relative to the gitops root, e.g. `envs/dev/backend/Deployment-backend.yaml`. */
  readonly path: string;
  /** Environment the object belongs to, from its place in the tree. */
  readonly environment: string;
  /** Component the object belongs to, from its place in the tree. */
  readonly component: string;
  readonly manifest: Record<string, any>;
}

/** One problem found by validation. */
export interface Finding {
  /** Stable rule id, e.g. `POD-READONLY-ROOT`. */
  readonly rule: string;
  readonly environment: string;
  readonly component: string;
  /** `Kind/name` of the object at fault. */
  readonly object: string;
  /** Where in the tree the object lives. */
  readonly path: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
}

/** A finding waived by an exemption declared on the object, with its reason. */
export interface Exemption extends Finding {
  readonly reason: string;
}

export interface ValidationReport {
  readonly objects: number;
  /** Findings that fail validation. */
  readonly findings: Finding[];
  /** Findings waived by exemptions declared next to the resource. */
  readonly exemptions: Exemption[];
}

/**
 * Annotation prefix that waives a rule for one object: `exempt.policy/<RULE-ID>: <reason>`.
 * The reason is mandatory and shows in every report.
 */
export const EXEMPT_PREFIX = 'exempt.policy/';
/**
 * Annotation prefix declaring an object a pod needs that is created outside git:
 * `external.policy/<Kind>.<name>: <reason>`, e.g. `external.policy/Secret.regcred`.
 */
export const EXTERNAL_PREFIX = 'external.policy/';

export function objectId(manifest: Record<string, any>): string {
  return `${manifest.kind}/${manifest.metadata?.name ?? '(unnamed)'}`;
}

export function formatFinding(f: Finding): string {
  return `${f.environment}/${f.component} ${f.object} [${f.rule}] ${f.message}\n    fix: ${f.hint}`;
}
