import { CheckStatus, PreflightReport } from './bucket-preflight';
import { redactSecrets } from './redact-secrets';

const STATUS_WIDTH = 'unsupported'.length;

/**
 * The report as printed: what `--apply` did (when it ran), one line per check, and a summary.
 * Every line goes through redaction once more, whatever produced it.
 */
export function formatPreflightReport(report: PreflightReport, options: { apply: boolean; secrets?: readonly string[] }): string[] {
  const lines: string[] = [];
  for (const change of report.changes) {
    lines.push(`${'apply'.padEnd(STATUS_WIDTH)}  ${change.part}: ${change.outcome === 'unchanged' ? 'unchanged, ' : ''}${change.detail}`);
  }
  for (const check of report.checks) {
    lines.push(`${check.status.padEnd(STATUS_WIDTH)}  ${check.check}: ${check.detail}`);
  }
  const counts = (['pass', 'fail', 'unsupported', 'skip'] as CheckStatus[])
    .map((status) => ({ status, n: report.checks.filter((c) => c.status === status).length }))
    .filter(({ status, n }) => n > 0 || status === 'pass' || status === 'fail')
    .map(({ status, n }) => `${n} ${status}`);
  let summary = `s3-preflight: ${counts.join(', ')}`;
  if (options.apply) {
    const changed = report.changes.filter((c) => c.outcome === 'changed').map((c) => c.part);
    summary += changed.length === 0 ? '; --apply changed nothing' : `; --apply changed ${changed.join(', ')}`;
  }
  lines.push(summary);
  return lines.map((line) => redactSecrets(line, options.secrets ?? []));
}

/** 1 when any check failed or was skipped because of a failure, else 0 (unsupported is not a failure). */
export function preflightExitCode(report: PreflightReport): number {
  return report.checks.some((c) => c.status === 'fail' || c.status === 'skip') ? 1 : 0;
}
