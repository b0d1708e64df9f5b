export { type CommandFlags, defineConfig, type LambenchConfig, type SharedConfig } from './define.js';
export { commandDefaults, FUNCTION_COMMANDS, SHARED_KEYS, splitConfig } from './flags.js';
export { CONFIG_FILES, findConfigFile, type LoadedConfig, loadConfigFile, loadProjectConfig } from './load.js';
export { type ResolvedConfig, resolvedConfig } from './resolve.js';
