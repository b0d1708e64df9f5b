/**
 * lambench.config.ts|mjs|json: flag defaults for every command, so a CI job is `npx lambench check` with no flags.
 * Keys are flag names (`balanced-weight` or `balancedWeight`); flags typed on the command line override them.
 */

/** A flag's value as a config file gives it: lists join with commas, objects (payloads) become JSON. */
export type FlagValue = string | number | boolean | ReadonlyArray<string | number> | Record<string, unknown>;

/** One command's section: its flags by name (`{ precision: "5%" }` for `tune --precision 5%`). */
export type CommandFlags = Record<string, FlagValue>;

/** Keys shared by every command that has the flag (each command's own section wins over them). */
export interface SharedConfig {
  /** The function for commands that take one (invoke, tune, predict, check, deploy): a name, a folder or a LogicalId. */
  function?: string;
  /** A SAM / CloudFormation template whose functions are registered (--template). */
  template?: string;
  /** --parameter-overrides: `{ Stage: "prod" }`, or SAM's strings. */
  parameterOverrides?: Record<string, string | number> | string | string[];
  /** --memory: sizes for tune (and predict, check, plan); invoke takes one size in its own section. */
  memory?: number | ReadonlyArray<number> | string;
  /** --payload: the event (an object), or `@event.json`. */
  payload?: unknown;
  strategy?: 'cost' | 'speed' | 'balanced';
  isolation?: 'auto' | 'cgroup-v2' | 'cgroup-v1' | 'none';
  target?: 'local' | 'aws';
  region?: string;
  arch?: 'x86_64' | 'arm64';
}

/** The sections lambench's commands read; any other command's section works the same way. */
export interface CommandSections {
  invoke?: CommandFlags;
  serve?: CommandFlags;
  tune?: CommandFlags;
  check?: CommandFlags;
  predict?: CommandFlags;
  plan?: CommandFlags;
  run?: CommandFlags;
  compare?: CommandFlags;
  deploy?: CommandFlags;
}

export type LambenchConfig = SharedConfig & CommandSections & { [command: string]: unknown };

/** Types a config file: `export default defineConfig({ tune: { precision: "5%" } })`. Returns it unchanged. */
export function defineConfig<const C extends LambenchConfig>(config: C): C {
  return config;
}
