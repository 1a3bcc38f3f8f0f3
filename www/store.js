// The user's imported files and rules kept in this browser (IndexedDB), so
// the analysis is there again, as it was left, on the next visit. Plain IndexedDB in small promise helpers;
// each call opens and closes its own connection, so `clearStored` is never
// blocked by an open one. Used by the worker.

const DB_NAME = "member-analytics";
const FILES = "files";
/** Small named values: today only `rules` (the rules document as JSON text). */
const SETTINGS = "settings";
/** The order stored files load in (members after orders, as a user would). */
export const KIND_ORDER = ["orders", "members", "order_lines", "events"];

/** An IDBRequest as a promise of its result. */
function done(request) {
    return new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
}

function open() {
    const request = indexedDB.open(DB_NAME, 2);
    request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(FILES)) db.createObjectStore(FILES, { keyPath: "kind" });
        if (!db.objectStoreNames.contains(SETTINGS)) db.createObjectStore(SETTINGS, { keyPath: "key" });
    };
    return done(request);
}

/** Run `body(store)` in one transaction on object store `name`; resolves with its result once the transaction completes. */
async function withStore(name, mode, body) {
    const db = await open();
    try {
        const tx = db.transaction(name, mode);
        const result = body(tx.objectStore(name));
        await new Promise((resolve, reject) => {
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
            tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
        });
        return result instanceof IDBRequest ? result.result : result;
    } finally {
        db.close();
    }
}

/** Keep `file` (a File or Blob) as the file of `kind`, replacing the older one; `replaceAll` forgets the other kinds first. */
export function saveFile(kind, name, file, { replaceAll = false } = {}) {
    return withStore(FILES, "readwrite", (store) => {
        if (replaceAll) store.clear();
        store.put({ kind, name, file, savedAt: Date.now() });
    });
}

/** The stored files as `[{ kind, name, file }]`, in `KIND_ORDER`. */
export async function storedFiles() {
    const rows = await withStore(FILES, "readonly", (store) => store.getAll());
    return rows
        .filter((r) => KIND_ORDER.includes(r.kind))
        .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

/** Keep the rules document (JSON text); `null` forgets it (the defaults apply). */
export function saveRules(text) {
    return withStore(SETTINGS, "readwrite", (store) =>
        text === null ? store.delete("rules") : store.put({ key: "rules", text }),
    );
}

/** The kept rules document (JSON text), or null. */
export async function storedRules() {
    const row = await withStore(SETTINGS, "readonly", (store) => store.get("rules"));
    return row?.text ?? null;
}

/** Delete the whole database: files and rules. */
export function clearStored() {
    return done(indexedDB.deleteDatabase(DB_NAME));
}
