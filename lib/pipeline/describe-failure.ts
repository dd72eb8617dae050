import { ConfigError } from '../environment/config-error';
import { SynthError } from '../synth/render';
import { ValidationError } from '../validation/validation-error';
import { PipelineError } from './pipeline-error';

/**
 * What a pipeline command prints when it fails: the message alone for the failures its user
 * caused and can fix (bad input, a refused tree, a conflict), the stack for anything else, which
 * is a bug worth the full trace.
 */
export function describeFailure(e: unknown): string {
  if (e instanceof PipelineError || e instanceof ConfigError || e instanceof SynthError || e instanceof ValidationError) {
    return e.message;
  }
  return (e as Error)?.stack ?? String(e);
}

/** Prints a pipeline command's failure and what it left as it was (`<command>: <untouched>`); exit status 1. */
export function reportFailure(command: string, e: unknown, untouched: string): 1 {
  console.error(describeFailure(e));
  console.error(`${command}: ${untouched}`);
  return 1;
}
