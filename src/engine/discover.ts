import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE } from './manifest.js';

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/**
 * Folders holding a `function.json`, up to two levels below `root` (functions/<name>/ or
 * functions/<workload>/<language>/). A missing root yields nothing.
 */
export async function findFunctionFolders(root: string): Promise<string[]> {
  const found: string[] = [];
  async function visit(dir: string, depth: number): Promise<void> {
    if (await exists(path.join(dir, MANIFEST_FILE))) {
      found.push(dir);
      return;
    }
    if (depth === 0) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
        await visit(path.join(dir, entry.name), depth - 1);
      }
    }
  }
  await visit(root, 2);
  return found;
}
