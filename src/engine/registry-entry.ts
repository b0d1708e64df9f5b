import type { StoredFunction } from './persist.js';
import type { Alias, FunctionVersion } from './types.js';

/** One function in the registry: $LATEST, its published versions and aliases, its reserved concurrency. */
export interface FunctionEntry {
  latest: FunctionVersion;
  versions: Map<string, FunctionVersion>;
  aliases: Map<string, Alias>;
  nextVersion: number;
  reservedConcurrency: number | null;
  /** Built-in and folder functions come from the user's files; API-created ones can be deleted. */
  source: 'folder' | 'api';
}

export function entryFromStored(stored: StoredFunction): FunctionEntry {
  return {
    latest: stored.latest,
    versions: new Map(stored.versions.map((v) => [v.version, v])),
    aliases: new Map(stored.aliases.map((a) => [a.name, a])),
    nextVersion: stored.nextVersion,
    reservedConcurrency: stored.reservedConcurrency,
    source: 'api',
  };
}

export function storedFromEntry(entry: FunctionEntry): StoredFunction {
  return {
    latest: entry.latest,
    versions: [...entry.versions.values()],
    aliases: [...entry.aliases.values()],
    nextVersion: entry.nextVersion,
    reservedConcurrency: entry.reservedConcurrency,
  };
}

export function sameConfiguration(a: FunctionVersion, b: FunctionVersion): boolean {
  return (
    a.codeSha256 === b.codeSha256 &&
    a.memorySize === b.memorySize &&
    a.timeout === b.timeout &&
    a.ephemeralStorage === b.ephemeralStorage &&
    a.handler === b.handler &&
    a.runtime === b.runtime &&
    a.role === b.role &&
    JSON.stringify(a.environment) === JSON.stringify(b.environment)
  );
}

export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
