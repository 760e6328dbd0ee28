// What the phone keeps, in IndexedDB, encrypted with a key the page cannot export.
//
// One AES-GCM key is made on first use with `extractable: false` and kept in IndexedDB as a
// CryptoKey object: scripts of this origin can ask the browser to encrypt and decrypt with it but
// can never read its bytes. Every record that holds personal data or a token is stored as
// {iv, data} ciphertext; only what the queue needs to schedule (state, attempts, times) is plain.
// Signing out deletes the database, key included, so nothing left behind can be read again.

const DB_NAME = "onestop";
const DB_VERSION = 1;
const STORES = ["keys", "records", "drafts", "outbox"];

let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        for (const name of STORES) {
          if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opened;
}

async function tx(storeName, mode, work) {
  const db = await open();
  const transaction = db.transaction(storeName, mode);
  const result = await work(transaction.objectStore(storeName));
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result;
}

export const raw = {
  get: (store, key) => tx(store, "readonly", (s) => request(s.get(key))),
  put: (store, key, value) => tx(store, "readwrite", (s) => request(s.put(value, key))),
  delete: (store, key) => tx(store, "readwrite", (s) => request(s.delete(key))),
  all: (store) =>
    tx(store, "readonly", async (s) => {
      const [keys, values] = await Promise.all([request(s.getAllKeys()), request(s.getAll())]);
      return keys.map((key, i) => [key, values[i]]);
    }),
};

async function key() {
  const found = await raw.get("keys", "records");
  if (found) return found;
  const made = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
  await raw.put("keys", "records", made);
  return made;
}

export async function seal(value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await key(), plain);
  return { iv, data };
}

export async function unseal(sealed) {
  if (!sealed) return null;
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, await key(), sealed.data);
  return JSON.parse(new TextDecoder().decode(plain));
}

export async function putSealed(store, id, value, plain = {}) {
  await raw.put(store, id, { ...plain, sealed: await seal(value) });
}

export async function getSealed(store, id) {
  const found = await raw.get(store, id);
  return found ? unseal(found.sealed) : null;
}

// Everything the phone holds, the key with it.
export async function wipe() {
  if (opened) {
    (await opened).close();
    opened = null;
  }
  await request(indexedDB.deleteDatabase(DB_NAME));
}
