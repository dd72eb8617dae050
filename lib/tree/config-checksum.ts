import { createHash } from 'node:crypto';

/**
 * Pod-template annotation holding a digest of the configuration the pods read: a change to the
 * configuration changes the template, so the workload rolls its pods (a ConfigMap's new content
 * alone restarts nothing).
 */
export const CONFIG_CHECKSUM_ANNOTATION = 'checksum/config';

/** What of a ConfigMap the checksum covers. */
export interface ChecksummedConfigMap {
  readonly name: string;
  readonly data?: unknown;
  readonly binaryData?: unknown;
}

/**
 * The checksum of the ConfigMaps a pod template reads, as `WebService` writes it: SHA-256 over
 * each ConfigMap by name, its name, a NUL, then its `data` and `binaryData` as JSON.
 */
export function configChecksum(configMaps: readonly ChecksummedConfigMap[]): string {
  const hash = createHash('sha256');
  for (const cm of [...configMaps].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(cm.name).update('\0').update(JSON.stringify([cm.data ?? {}, cm.binaryData ?? {}]));
  }
  return hash.digest('hex');
}
