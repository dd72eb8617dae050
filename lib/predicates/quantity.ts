/**
 * Kubernetes resource quantities, parsed into plain numbers so that requests can be compared
 * with limits before the API server (or, worse, the scheduler) does it for us.
 *
 * Only the spellings people actually use are accepted, on purpose narrower than the full
 * Kubernetes quantity grammar: `2k` cores or `1Ki` of CPU are legal to the API server but are
 * always a mistake in a values file.
 */

/**
 * Whole millicores (`250m`), or cores with at most three decimals (`1`, `0.5`, `.25`): the API
 * server rounds anything finer than a millicore, so a value like `0.0005` would silently become
 * a different number.
 */
export const CPU_QUANTITY_PATTERN = '^(?:[0-9]+m|[0-9]+(?:\\.[0-9]{1,3})?|\\.[0-9]{1,3})$';

/**
 * Bytes, optionally with a binary (`Ki` … `Ei`) or decimal (`k` … `E`) suffix or a decimal
 * exponent (`1e9`). The decimal `m` (milli) suffix is legal Kubernetes but means thousandths of a
 * byte, so `512m` is half a byte rather than 512 MiB; it is refused.
 */
export const MEMORY_QUANTITY_PATTERN = '^(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)(?:[KMGTPE]i|[kMGTPE]|[eE][0-9]+)?$';

const CPU = new RegExp(CPU_QUANTITY_PATTERN);
const MEMORY = new RegExp(MEMORY_QUANTITY_PATTERN);
const MEMORY_PARTS = /^([0-9]*)(?:\.([0-9]+))?(.*)$/;

const BINARY_EXPONENT: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXPONENT: Readonly<Record<string, number>> = { k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Parses a CPU quantity into cores (`250m` → 0.25, `"2"` → 2). */
export function parseCpu(quantity: string | number): number {
  const text = String(quantity);
  if (!CPU.test(text)) {
    throw new Error(
      `CPU quantity ${JSON.stringify(quantity)} is malformed; expected whole millicores such as "250m" ` +
        'or cores with at most three decimals such as "1" or "0.5"',
    );
  }
  // Counting in whole millicores keeps "0.3" and "300m" exactly equal once divided.
  if (text.endsWith('m')) {
    return Number(text.slice(0, -1)) / 1000;
  }
  const [whole, fraction = ''] = text.split('.');
  return (Number(whole || '0') * 1000 + Number(fraction.padEnd(3, '0'))) / 1000;
}

/** Parses a memory quantity into bytes (`512Mi` → 536870912), rounded up as Kubernetes does. */
export function parseMemory(quantity: string | number): number {
  const text = String(quantity);
  if (/^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)m$/.test(text)) {
    throw new Error(
      `memory quantity ${JSON.stringify(quantity)} uses "m" (milli), i.e. thousandths of a byte; ` +
        `write "${text.slice(0, -1)}Mi" for mebibytes or "${text.slice(0, -1)}M" for megabytes`,
    );
  }
  const match = MEMORY.test(text) ? MEMORY_PARTS.exec(text) : null;
  if (!match) {
    throw new Error(
      `memory quantity ${JSON.stringify(quantity)} is malformed; expected bytes, optionally with a ` +
        'binary suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal suffix (k, M, G, T, P, E) or an exponent (e9), ' +
        'such as "512Mi", "1Gi", "1G" or "1073741824"',
    );
  }
  const [, whole = '', fraction = '', suffix = ''] = match;
  // Scale an integer mantissa, so that "1.5Gi" and "0.1G" come out as exact whole numbers.
  const mantissa = Number(`${whole}${fraction}`);
  let bytes: number;
  if (suffix in BINARY_EXPONENT) {
    bytes = (mantissa * 2 ** BINARY_EXPONENT[suffix]) / 10 ** fraction.length;
  } else {
    const exponent = suffix === '' ? 0 : suffix in DECIMAL_EXPONENT ? DECIMAL_EXPONENT[suffix] : Number(suffix.slice(1));
    const scale = exponent - fraction.length;
    bytes = scale >= 0 ? mantissa * 10 ** scale : mantissa / 10 ** -scale;
  }
  return Math.ceil(bytes);
}
