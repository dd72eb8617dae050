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

/** A finding for people: where, what and which rule; then the file it is in, and how to fix it. */
export function formatFinding(f: Finding): string {
  return `${f.environment}/${f.component} ${f.object} [${f.rule}] ${f.message}\n    file: ${f.path}\n    fix: ${f.hint}`;
}
