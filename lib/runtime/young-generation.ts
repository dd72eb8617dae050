import { setFlagsFromString } from 'node:v8';

/**
 * scripts/run.js starts every run with V8's young generation held at its initial size: a synth of
 * the default environments then touches ~1,600 fewer memory pages, and each first touch is a page
 * fault that costs ~14 µs on the virtual machines this runs on. For a large tree the small young
 * generation costs more in scavenges than it saves (measured at 1000 services × 3 environments:
 * render +30–50 %, validation +40 %), so a run that expects many objects lets it grow again, as V8
 * does by default, before it builds them. Outside scripts/run.js this changes nothing.
 */
const LARGE_TREE_OBJECTS = 1000;

/** About how many objects one environment of the chat platform renders (126 for 3 today). */
export const OBJECTS_PER_ENVIRONMENT = 50;

let grows = false;

export function expectObjects(count: number): void {
  if (grows || count < LARGE_TREE_OBJECTS) return;
  grows = true;
  setFlagsFromString('--semi-space-growth-factor=2');
}
