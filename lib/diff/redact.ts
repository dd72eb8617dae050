import { secretLooking } from '../validation/policy-rules';

/**
 * Replaces secret values in manifests before they are shown in a diff, the way validation sees
 * them: all `data`/`stringData` of a Secret, env entries and ConfigMap entries whose name or value
 * looks like a credential, and any string anywhere whose value looks like one (a private key, an
 * AWS key id, a URL with a password, a webhook URL, a token).
 *
 * One redactor serves both sides of a resource: each distinct secret value gets a number, so a
 * reader still sees whether a value changed (`<redacted-1>` → `<redacted-2>`) without seeing it,
 * and without a hash that a weak password could be recovered from.
 */
export class Redactor {
  private readonly numbers = new Map<string, number>();

  /** A deep copy of `manifest` with its secret values replaced. */
  redact(manifest: Record<string, any>): Record<string, any> {
    const copy = this.walk(manifest) as Record<string, any>;
    if (manifest.kind === 'Secret') {
      for (const field of ['data', 'stringData']) {
        const entries = copy[field];
        if (entries && typeof entries === 'object' && !Array.isArray(entries)) {
          for (const key of Object.keys(entries)) entries[key] = this.mask(String(manifest[field][key]));
        }
      }
    }
    if (manifest.kind === 'ConfigMap' && copy.data && typeof copy.data === 'object') {
      for (const [key, value] of Object.entries(copy.data)) {
        if (secretLooking(key, value)) copy.data[key] = this.mask(String(value));
      }
    }
    return copy;
  }

  /** Whether anything was replaced so far. */
  get used(): boolean {
    return this.numbers.size > 0;
  }

  private mask(value: string): string {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(value, n);
    }
    return `<redacted-${n}>`;
  }

  private walk(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === 'object') {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(source)) out[key] = this.walk(v);
      // An env entry: the name says what the value is (DB_PASSWORD), as the NO-SECRET-VALUES rule reads it.
      if (typeof source.name === 'string' && typeof source.value === 'string' && secretLooking(source.name, source.value)) {
        out.value = this.mask(source.value);
      }
      return out;
    }
    // Keys alone say nothing here (`secretName: chat-tls` names a Secret, it is not one), so only
    // the value decides.
    if (typeof value === 'string' && secretLooking('', value)) return this.mask(value);
    return value;
  }
}
