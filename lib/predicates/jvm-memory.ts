/**
 * How a JVM's memory is divided inside a container's memory limit. The kernel kills the container
 * when the process as a whole (heap, metaspace, compiled code, thread stacks, direct buffers, the
 * collector's and the compiler's own structures, malloc arenas) passes the limit, not when the
 * heap is full; so the heap is what is left of the limit once every other part has a budget, and
 * each part the JVM can cap is capped, so that a leak there fails as a Java `OutOfMemoryError`
 * (with `-XX:+ExitOnOutOfMemoryError`: a restart with a log line) rather than as a silent kill.
 *
 * All sizes are whole MiB: the options are written as `-Xmx448m` and the like.
 */

const MiB = 1024 * 1024;

/**
 * Smallest non-heap budget accepted: 128 MiB of metaspace (a Spring Boot application with web,
 * JPA and Kafka clients loads some 20,000 classes, about 100 MiB of class metadata), 64 MiB of
 * code cache, 32 MiB of direct buffers and 96 MiB for thread stacks and the JVM's own structures.
 */
export const NON_HEAP_FLOOR_BYTES = 320 * MiB;
/** Smallest heap accepted: below it a Spring Boot application spends its time collecting. */
export const HEAP_FLOOR_BYTES = 256 * MiB;
/** Share of the memory limit given to the non-heap parts when no budget is set (never below the floor). */
export const DEFAULT_NON_HEAP_SHARE = 0.25;
/**
 * Stack size of every Java thread: the 64-bit Linux default, written out so that the thread part
 * of the budget has a known unit. Stacks are reserved at this size and committed as they are used.
 */
export const THREAD_STACK_KIB = 1024;

/** The shares of the non-heap budget the JVM can cap; the rest is for what it cannot. */
const SHARES = { metaspace: 0.4, codeCache: 0.2, directMemory: 0.1 } as const;

/** The division of a container's memory limit between the heap and the JVM's other parts. */
export interface JvmMemory {
  /** The container's memory limit. */
  readonly limitBytes: number;
  /** Everything but the heap: the capped parts below and the uncapped rest. */
  readonly nonHeapBytes: number;
  /** `-Xmx`: the limit less the non-heap budget. */
  readonly heapBytes: number;
  /** `-XX:MaxMetaspaceSize`: class metadata. */
  readonly metaspaceBytes: number;
  /** `-XX:ReservedCodeCacheSize`: code compiled by the JIT. */
  readonly codeCacheBytes: number;
  /** `-XX:MaxDirectMemorySize`: NIO direct buffers (sockets, TLS, Netty). */
  readonly directMemoryBytes: number;
  /**
   * What no option caps: thread stacks (`-Xss` each), the collector's remembered sets and card
   * tables, compiler arenas, symbol tables, malloc arenas.
   */
  readonly uncappedBytes: number;
}

/** The non-heap budget used when none is configured: a quarter of the limit, at least the floor. */
export function defaultNonHeapBytes(limitBytes: number): number {
  return Math.max(NON_HEAP_FLOOR_BYTES, wholeMiB(limitBytes * DEFAULT_NON_HEAP_SHARE));
}

/** Whether a configured non-heap budget is enough; what is allowed, or `undefined`. */
export function nonHeapProblem(nonHeapBytes: number): string | undefined {
  if (nonHeapBytes >= NON_HEAP_FLOOR_BYTES && nonHeapBytes % MiB === 0) return undefined;
  return (
    `whole MiB and at least ${mib(NON_HEAP_FLOOR_BYTES)}: metaspace, compiled code, direct buffers, thread stacks ` +
    'and the JVM\'s own structures of a Spring Boot application need that much beside the heap'
  );
}

/**
 * Whether the memory limit leaves the heap floor once the non-heap budget is taken; what is
 * allowed, or `undefined`. `nonHeapSource` says where the budget came from, for the message.
 */
export function memoryLimitProblem(limitBytes: number, nonHeapBytes: number, nonHeapSource: string): string | undefined {
  if (limitBytes - nonHeapBytes >= HEAP_FLOOR_BYTES) return undefined;
  return (
    `at least ${mib(nonHeapBytes + HEAP_FLOOR_BYTES)}: the JVM's non-heap budget (${mib(nonHeapBytes)}, ${nonHeapSource}) ` +
    `plus a heap of at least ${mib(HEAP_FLOOR_BYTES)}`
  );
}

/**
 * Divides `limitBytes` for a JVM. Throws when the budget or the limit is refused by
 * {@link nonHeapProblem} or {@link memoryLimitProblem}; callers that report problems with a file
 * and a field check those first.
 */
export function jvmMemory(limitBytes: number, nonHeapBytes: number = defaultNonHeapBytes(limitBytes)): JvmMemory {
  const budgetProblem = nonHeapProblem(nonHeapBytes);
  if (budgetProblem !== undefined) throw new Error(`non-heap budget ${nonHeapBytes} bytes: ${budgetProblem}`);
  const limitProblem = memoryLimitProblem(limitBytes, nonHeapBytes, 'as given');
  if (limitProblem !== undefined) throw new Error(`memory limit ${limitBytes} bytes: ${limitProblem}`);
  const metaspaceBytes = wholeMiB(nonHeapBytes * SHARES.metaspace);
  const codeCacheBytes = wholeMiB(nonHeapBytes * SHARES.codeCache);
  const directMemoryBytes = wholeMiB(nonHeapBytes * SHARES.directMemory);
  return {
    limitBytes,
    nonHeapBytes,
    heapBytes: wholeMiB(limitBytes - nonHeapBytes),
    metaspaceBytes,
    codeCacheBytes,
    directMemoryBytes,
    uncappedBytes: nonHeapBytes - metaspaceBytes - codeCacheBytes - directMemoryBytes,
  };
}

/** The JVM options that apply a division, in a fixed order. */
export function jvmMemoryOptions(memory: JvmMemory): string[] {
  const m = (bytes: number) => `${bytes / MiB}m`;
  return [
    `-Xmx${m(memory.heapBytes)}`,
    `-Xss${THREAD_STACK_KIB}k`,
    `-XX:MaxMetaspaceSize=${m(memory.metaspaceBytes)}`,
    `-XX:ReservedCodeCacheSize=${m(memory.codeCacheBytes)}`,
    `-XX:MaxDirectMemorySize=${m(memory.directMemoryBytes)}`,
  ];
}

function wholeMiB(bytes: number): number {
  return Math.floor(bytes / MiB) * MiB;
}

function mib(bytes: number): string {
  return Number.isInteger(bytes / MiB) ? `${bytes / MiB}Mi` : `${bytes} bytes`;
}
