/** Reading the untyped values of a manifest: what a field holds, whatever a hand edit put there. */

export type Obj = Record<string, any>;

/** A mapping (not null, not a list). */
export const isObject = (value: unknown): value is Obj => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Set to anything but null: how the API server tells a field given from one left out. */
export const isSet = (value: unknown): boolean => value !== undefined && value !== null;

/** The mapping at a field, or an empty one. */
export const objectAt = (value: unknown): Obj => (isObject(value) ? value : {});

/** The list at a field, or an empty one. */
export const listAt = (value: unknown): any[] => (Array.isArray(value) ? value : []);
