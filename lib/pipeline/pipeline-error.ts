/**
 * A pipeline command refused or failed for a reason its user can act on (a bad argument, a
 * conflict, a rejected push). Commands print the message as is, without a stack trace, and exit 1.
 */
export class PipelineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineError';
  }
}
