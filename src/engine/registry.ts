import { randomUUID } from 'node:crypto';
import { AwsError, functionNotFound, invalidParameter } from '../errors.js';
import { parseFunctionRef } from './arn.js';
import { hashFolder } from './code-hash.js';
import {
  readManifest,
  validateDescription,
  validateEnvironment,
  validateEphemeralStorage,
  validateFunctionName,
  validateHandler,
  validateMemory,
  validateRuntime,
  validateTimeout,
} from './manifest.js';
import { loadFunctions, removeFunction, saveFunction } from './persist.js';
import {
  definedOnly,
  entryFromStored,
  type FunctionEntry,
  sameConfiguration,
  storedFromEntry,
} from './registry-entry.js';
import type { Alias, FunctionManifest, FunctionVersion } from './types.js';

export const LATEST = '$LATEST';
const MIN_UNRESERVED_CONCURRENCY = 100;

export interface CodeLocation {
  codeDir: string;
  codeSha256: string;
  codeSize: number;
  uploaded?: boolean;
}

export type ConfigurationPatch = Partial<
  Pick<
    FunctionManifest,
    'memorySize' | 'timeout' | 'ephemeralStorage' | 'environment' | 'handler' | 'runtime' | 'description'
  >
> & { role?: string };

const now = () => new Date().toISOString().replace('Z', '+0000');

/** Functions, their published versions and aliases: the state behind the control-plane API. */
export class FunctionRegistry {
  readonly #functions = new Map<string, FunctionEntry>();
  /** The account's concurrency (AWS's default quota, 1000); reservations must leave 100 of it unreserved. */
  accountConcurrency = 1000;
  /** Where API-created functions are kept (`<data dir>/functions`), once `open()` has loaded them. */
  #store: string | undefined;
  #warn: (message: string) => void = defaultWarn;

  /**
   * Loads the functions an earlier process created through the API under `functionsDir` and keeps every later
   * change there. A file that cannot be read is reported through `warn`, and the rest load.
   */
  async open(functionsDir: string, warn: (message: string) => void = defaultWarn): Promise<void> {
    if (this.#store === functionsDir) return;
    this.#store = functionsDir;
    this.#warn = warn;
    const { functions, problems } = await loadFunctions(functionsDir);
    for (const problem of problems) warn(problem);
    for (const stored of functions) {
      const name = stored.latest.name;
      if (this.#functions.has(name)) {
        warn(
          `A function folder named ${name} is registered: the one created through the API (in ${functionsDir}) was not loaded.`,
        );
        continue;
      }
      this.#functions.set(name, entryFromStored(stored));
    }
  }

  /** Persists an API-created function after a change (folder functions live in the user's files). */
  #save(entry: FunctionEntry): void {
    if (!this.#store || entry.source !== 'api') return;
    try {
      saveFunction(this.#store, storedFromEntry(entry));
    } catch (error) {
      // The change is made (and answered); only its survival of a restart is lost, which the operator must hear of.
      this.#warn(`could not keep ${entry.latest.name} for the next start: ${(error as Error).message}`);
    }
  }

  async registerFolder(dir: string): Promise<FunctionVersion> {
    const manifest = await readManifest(dir);
    const { sha256, size } = await hashFolder(dir);
    return this.#put(manifest, { codeDir: dir, codeSha256: sha256, codeSize: size }, 'folder');
  }

  /**
   * A function whose configuration comes from elsewhere than a function.json (a SAM template): `dir` is the folder it
   * runs from, `hashDir` the code its CodeSha256 is taken over (the source, when `dir` is a build or a folder of links).
   */
  async registerCode(manifest: FunctionManifest, dir: string, hashDir = dir): Promise<FunctionVersion> {
    const { sha256, size } = await hashFolder(hashDir);
    return this.#put(manifest, { codeDir: dir, codeSha256: sha256, codeSize: size }, 'folder');
  }

  create(manifest: FunctionManifest, code: CodeLocation, role?: string): FunctionVersion {
    if (this.#functions.has(manifest.name)) {
      throw new AwsError('ResourceConflictException', 409, `Function already exist: ${manifest.name}`);
    }
    const latest = this.#put({ ...manifest, ...(role ? { role } : {}) }, { ...code, uploaded: true }, 'api');
    this.#save(this.#entry(manifest.name));
    return latest;
  }

  #put(
    manifest: FunctionManifest & { role?: string },
    code: CodeLocation,
    source: FunctionEntry['source'],
  ): FunctionVersion {
    const latest: FunctionVersion = {
      ...manifest,
      ...code,
      version: LATEST,
      revisionId: randomUUID(),
      lastModified: now(),
    };
    this.#functions.set(manifest.name, {
      latest,
      versions: new Map(),
      aliases: new Map(),
      nextVersion: 1,
      reservedConcurrency: null,
      source,
    });
    return latest;
  }

  #entry(nameOrArn: string): FunctionEntry {
    const { name } = parseFunctionRef(nameOrArn);
    const entry = this.#functions.get(name);
    if (!entry) throw functionNotFound(nameOrArn);
    return entry;
  }

  has(name: string): boolean {
    return this.#functions.has(parseFunctionRef(name).name);
  }

  /** Resolves a name or ARN plus an optional qualifier (version, alias or $LATEST) to one version. */
  resolve(nameOrArn: string, qualifier?: string): FunctionVersion {
    const ref = parseFunctionRef(nameOrArn);
    const entry = this.#entry(ref.name);
    if (qualifier && ref.qualifier && qualifier !== ref.qualifier) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const wanted = qualifier ?? ref.qualifier ?? LATEST;
    if (wanted === LATEST) return entry.latest;
    const version = entry.versions.get(wanted) ?? entry.versions.get(entry.aliases.get(wanted)?.functionVersion ?? '');
    if (!version) throw functionNotFound(`${ref.name}:${wanted}`);
    return version;
  }

  list(): FunctionVersion[] {
    return [...this.#functions.values()].map((entry) => entry.latest);
  }

  updateConfiguration(nameOrArn: string, patch: ConfigurationPatch): FunctionVersion {
    const entry = this.#entry(nameOrArn);
    const next = { ...entry.latest };
    if (patch.memorySize !== undefined) next.memorySize = validateMemory(patch.memorySize);
    if (patch.timeout !== undefined) next.timeout = validateTimeout(patch.timeout);
    if (patch.ephemeralStorage !== undefined) next.ephemeralStorage = validateEphemeralStorage(patch.ephemeralStorage);
    if (patch.runtime !== undefined) next.runtime = validateRuntime(patch.runtime);
    if (patch.handler !== undefined) next.handler = validateHandler(patch.handler, next.runtime);
    if (patch.environment !== undefined) next.environment = validateEnvironment(patch.environment);
    if (patch.description !== undefined) next.description = validateDescription(patch.description);
    if (patch.role !== undefined) next.role = patch.role;
    entry.latest = { ...next, revisionId: randomUUID(), lastModified: now() };
    this.#save(entry);
    return entry.latest;
  }

  updateCode(nameOrArn: string, code: CodeLocation): FunctionVersion {
    const entry = this.#entry(nameOrArn);
    entry.latest = { ...entry.latest, ...code, uploaded: true, revisionId: randomUUID(), lastModified: now() };
    this.#save(entry);
    return entry.latest;
  }

  /** Like AWS, publishing unchanged code and configuration returns the last version instead of a new one. */
  publishVersion(nameOrArn: string, description?: string, expectedRevisionId?: string): FunctionVersion {
    const entry = this.#entry(nameOrArn);
    if (expectedRevisionId && expectedRevisionId !== entry.latest.revisionId) {
      throw new AwsError(
        'PreconditionFailedException',
        412,
        'The RevisionId provided does not match the latest RevisionId.',
      );
    }
    const last = [...entry.versions.values()].at(-1);
    if (last && sameConfiguration(last, entry.latest)) return last;
    const version: FunctionVersion = {
      ...entry.latest,
      version: String(entry.nextVersion++),
      description: description ?? entry.latest.description,
      revisionId: randomUUID(),
      lastModified: now(),
    };
    entry.versions.set(version.version, version);
    this.#save(entry);
    return version;
  }

  listVersions(nameOrArn: string): FunctionVersion[] {
    const entry = this.#entry(nameOrArn);
    return [entry.latest, ...entry.versions.values()];
  }

  createAlias(nameOrArn: string, alias: { name: string; functionVersion: string; description?: string }): Alias {
    const entry = this.#entry(nameOrArn);
    if (entry.aliases.has(alias.name)) {
      throw new AwsError('ResourceConflictException', 409, `Alias already exists: ${alias.name}`);
    }
    this.#checkVersion(entry, alias.functionVersion);
    const created = { description: '', ...alias, revisionId: randomUUID() };
    entry.aliases.set(alias.name, created);
    this.#save(entry);
    return created;
  }

  getAlias(nameOrArn: string, aliasName: string): Alias {
    const alias = this.#entry(nameOrArn).aliases.get(aliasName);
    if (!alias) throw new AwsError('ResourceNotFoundException', 404, `Alias not found: ${aliasName}`);
    return alias;
  }

  updateAlias(nameOrArn: string, aliasName: string, patch: { functionVersion?: string; description?: string }): Alias {
    const entry = this.#entry(nameOrArn);
    const alias = this.getAlias(nameOrArn, aliasName);
    if (patch.functionVersion) this.#checkVersion(entry, patch.functionVersion);
    const updated = { ...alias, ...definedOnly(patch), revisionId: randomUUID() };
    entry.aliases.set(aliasName, updated);
    this.#save(entry);
    return updated;
  }

  deleteAlias(nameOrArn: string, aliasName: string): void {
    const entry = this.#entry(nameOrArn);
    if (entry.aliases.delete(aliasName)) this.#save(entry);
  }

  listAliases(nameOrArn: string): Alias[] {
    return [...this.#entry(nameOrArn).aliases.values()];
  }

  #checkVersion(entry: FunctionEntry, version: string): void {
    if (version !== LATEST && !entry.versions.has(version)) {
      throw new AwsError('ResourceNotFoundException', 404, `Function not found: ${entry.latest.name}:${version}`);
    }
  }

  /** Deletes the function, or one published version when a qualifier is given. */
  delete(nameOrArn: string, qualifier?: string): void {
    const ref = parseFunctionRef(nameOrArn);
    const entry = this.#entry(ref.name);
    const wanted = qualifier ?? ref.qualifier;
    if (wanted && wanted !== LATEST) {
      const aliased = [...entry.aliases.values()].find((a) => a.functionVersion === wanted);
      if (aliased) {
        throw new AwsError(
          'ResourceConflictException',
          409,
          `Unable to delete version because alias ${aliased.name} points to it.`,
        );
      }
      if (!entry.versions.delete(wanted)) throw functionNotFound(`${ref.name}:${wanted}`);
      this.#save(entry);
      return;
    }
    this.#functions.delete(ref.name);
    if (this.#store && entry.source === 'api') removeFunction(this.#store, ref.name);
  }

  getReservedConcurrency(nameOrArn: string): number | null {
    return this.#entry(nameOrArn).reservedConcurrency;
  }

  putReservedConcurrency(nameOrArn: string, reserved: number | null): void {
    if (reserved !== null && (!Number.isInteger(reserved) || reserved < 0)) {
      throw invalidParameter('ReservedConcurrentExecutions must be an integer of 0 or more.');
    }
    const entry = this.#entry(nameOrArn);
    const others = [...this.#functions.values()]
      .filter((other) => other !== entry)
      .reduce((sum, other) => sum + (other.reservedConcurrency ?? 0), 0);
    if (reserved !== null && this.accountConcurrency - others - reserved < MIN_UNRESERVED_CONCURRENCY) {
      throw invalidParameter(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED_CONCURRENCY}].`,
      );
    }
    entry.reservedConcurrency = reserved;
    this.#save(entry);
  }
}

const defaultWarn = (message: string) => process.stderr.write(`lambench: ${message}\n`);

export { validateFunctionName };
