import { formatFinding, ValidationReport } from './finding';

/** The tree breaks a schema, reference or policy rule; nothing was written. */
export class ValidationError extends Error {
  constructor(readonly report: ValidationReport) {
    super(
      `validation failed: ${report.findings.length} problem(s) in ${report.objects} objects\n` +
        report.findings.map((f) => `  ${formatFinding(f).replace(/\n/g, '\n  ')}`).join('\n'),
    );
    this.name = 'ValidationError';
  }
}

/** Constructs rejected their configuration (their `node.addValidation`s); nothing was written. */
export class SynthError extends Error {
  constructor(readonly problems: string[]) {
    super(`synth failed:\n  ${problems.join('\n  ')}`);
    this.name = 'SynthError';
  }
}
