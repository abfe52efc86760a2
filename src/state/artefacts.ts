/**
 * Artefacts kept across reloads in IndexedDB (through `idb`): trained models, computed surfaces,
 * dropped checkpoints' summaries. Each record is a Blob plus small JSON metadata; views keep only ids.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export type ArtefactKind = 'w2s-model' | 'surface' | 'curve' | 'checkpoint' | 'file' | 'job';

export interface ArtefactRecord {
  id: string;
  kind: ArtefactKind;
  name: string;
  createdAt: number;
  updatedAt: number;
  meta: Record<string, unknown>;
  blob: Blob | null;
}

interface Schema extends DBSchema {
  artefacts: { key: string; value: ArtefactRecord; indexes: { byKind: ArtefactKind } };
}

let db: Promise<IDBPDatabase<Schema>> | null = null;

function open(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>('sensescape', 1, {
    upgrade(database) {
      const store = database.createObjectStore('artefacts', { keyPath: 'id' });
      store.createIndex('byKind', 'kind');
    },
    // Another tab (or a deletion) wants a new version: let it proceed and reopen on next use.
    blocking() {
      void db?.then((d) => d.close());
      db = null;
    },
  });
  return db;
}

/** Inserts or replaces an artefact; keeps `createdAt` of an existing record. */
export async function saveArtefact(record: Omit<ArtefactRecord, 'createdAt' | 'updatedAt'>): Promise<ArtefactRecord> {
  const database = await open();
  const previous = await database.get('artefacts', record.id);
  const now = Date.now();
  const full: ArtefactRecord = { ...record, createdAt: previous?.createdAt ?? now, updatedAt: now };
  await database.put('artefacts', full);
  return full;
}

/**
 * Inserts several new artefacts in one IndexedDB transaction: either all are stored or, when any put
 * fails or the commit is refused (QuotaExceededError), none is. Rejects with the browser's error.
 */
export async function saveArtefactsAtomically(
  records: readonly Omit<ArtefactRecord, 'createdAt' | 'updatedAt'>[],
): Promise<void> {
  const database = await open();
  const tx = database.transaction('artefacts', 'readwrite');
  const now = Date.now();
  await Promise.all([...records.map((r) => tx.store.put({ ...r, createdAt: now, updatedAt: now })), tx.done]);
}

export async function loadArtefact(id: string): Promise<ArtefactRecord | undefined> {
  return (await open()).get('artefacts', id);
}

/** Artefacts of one kind, newest first (metadata and blobs). */
export async function listArtefacts(kind: ArtefactKind): Promise<ArtefactRecord[]> {
  const all = await (await open()).getAllFromIndex('artefacts', 'byKind', kind);
  return all.sort((a, b) => b.updatedAt - a.updatedAt);
}

export async function deleteArtefact(id: string): Promise<void> {
  await (await open()).delete('artefacts', id);
}

/** Deletes several artefacts in one transaction (ids that are absent are fine). */
export async function deleteArtefacts(ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const tx = (await open()).transaction('artefacts', 'readwrite');
  await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
}
