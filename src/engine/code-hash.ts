import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const SKIPPED = new Set(['node_modules', 'target', '__pycache__', '.build', '.git']);

/** SHA-256 (base64, as AWS's CodeSha256) over every file's relative path and bytes, in sorted order. */
export async function hashFolder(dir: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  async function walk(relative: string): Promise<void> {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (SKIPPED.has(entry.name)) continue;
      const rel = path.join(relative, entry.name);
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) {
        const bytes = await readFile(path.join(dir, rel));
        size += bytes.length;
        hash.update(rel).update('\0').update(bytes).update('\0');
      }
    }
  }
  await walk('');
  return { sha256: hash.digest('base64'), size };
}
