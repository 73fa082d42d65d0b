/**
 * The import index: one small JSON file per host package under `<store>/.m/hostpkgs/`, naming the
 * store path made from a given name, version and architecture. An entry is trusted without asking
 * dpkg while dpkg's status file is unchanged since it was written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Store } from '@m/store';

export interface IndexEntry {
  name: string;
  version: string;
  architecture: string;
  storePath: string;
  /** dpkg status-file mtime when written (undefined for non-dpkg imports). */
  stamp?: number;
}

function indexDir(store: Store): string {
  return path.join(store.layout.meta, 'hostpkgs');
}

function entryFile(store: Store, key: string): string {
  return path.join(indexDir(store), `${encodeURIComponent(key)}.json`);
}

export function readIndex(store: Store, key: string): IndexEntry | undefined {
  try {
    const e = JSON.parse(fs.readFileSync(entryFile(store, key), 'utf8')) as IndexEntry;
    return store.isValid(e.storePath) ? e : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically (rename), so concurrent importers never see half an entry. */
export function writeIndex(store: Store, key: string, e: IndexEntry): void {
  fs.mkdirSync(indexDir(store), { recursive: true });
  const f = entryFile(store, key);
  const tmp = `${f}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(e));
  fs.renameSync(tmp, f);
}
