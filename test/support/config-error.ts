import { ConfigError } from '../../lib/environment/config-error';

/** The `ConfigError` that `load` throws; fails the test when it throws anything else or nothing. */
export function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, but loading succeeded');
}
