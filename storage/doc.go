// Package storage is the kiosk's durable, encrypted, tamper-evident
// offline store: one bbolt file, <dir>/hadir.db, holding employees, face
// templates, attendance events with their hash chain and sync outbox,
// evidence photos, settings, operators and the audit log. The kiosk must
// work for weeks without a network, and an attendance record is money
// (late minutes cut the TPP allowance), so nothing the screen called
// "recorded" may be lost, duplicated or silently altered.
//
// # Durability
//
// RecordEvent writes the event, its ledger row, its outbox entry, its
// evidence photo and the new chain head in one bbolt transaction and
// returns only after bbolt has fsynced it (NoSync is never used). An
// event ID (client-generated ULID, see NewID) is recorded at most once:
// retrying after an uncertain failure returns ErrDuplicate. The test
// suite SIGKILLs a recording child process 50 times and checks that every
// acknowledged ID survives exactly once (HADIR_CRASH_ROUNDS for more).
//
// # Keys and encryption
//
// Face descriptors and evidence photos are encrypted with AES-256-GCM, a
// random 96-bit nonce per value, and the record's bucket and key as
// additional data (a ciphertext copied onto another record fails to
// decrypt). Other data (names, events) is not encrypted: protect the disk
// itself (LUKS) as well.
//
// The key is 32 bytes, written as 64 hex characters. It comes from
// Options.Key when set (OptionsFromEnv fills it from HADIR_KEY), else from
// Options.KeyFile (HADIR_KEY_FILE, default <dir>/hadir.key). A missing
// key file is created with mode 0600 and a random key only when the store
// itself is new; for an existing store Open returns ErrNoKey rather than
// invent a key that cannot decrypt it. A key file readable by group or
// others is refused. The file stores an HMAC of the key (not the key), so
// a wrong key fails at Open with ErrWrongKey before anything is written.
// Losing the key loses the templates and photos (employees re-enroll);
// events remain readable. Back the key up separately from the data.
//
// # Tamper evidence
//
// Each event carries the SHA-256 hash of its device's previous event.
// The hash covers the label "hadir-event-v1" and the canonical encoding
// of every field except the mutable sync state, in the order of the Event
// struct: strings as uvarint length and bytes, integers and times (Unix
// nanoseconds, 0 for the zero time) as 8-byte big-endian, floats as their
// IEEE-754 bits, the previous hash as 32 raw bytes (see EventHash). The
// ledger bucket keeps one row per event in recording order (seq, device,
// previous hash, hash); retention deletes an event's body but keeps its
// row, so the chain verifies across purges. VerifyLedger (and `hadir
// verify-ledger --data DIR`) recomputes everything and reports the first
// broken link. A local chain cannot stop someone who rewrites the whole
// tail consistently; the server, which stores the hashes it received,
// anchors it.
//
// # Faults
//
// Open first inspects an existing file read-only: a file too short for
// its meta pages, with invalid meta pages, or shorter than its own page
// high-water mark gives ErrCorrupt naming the file, which is never
// rewritten. A panic or memory fault raised by bbolt while reading a
// damaged page is turned into ErrCorrupt as well. A store held by another
// process gives ErrLocked after Options.Timeout (default 1 s). A full disk
// (ENOSPC), a file size limit (EFBIG) or Options.MaxSize gives
// ErrStorageFull ("storage full — call the operator"); the failed
// transaction is rolled back and earlier records are intact. The test
// suite simulates a full disk with RLIMIT_FSIZE in a child process, which
// needs neither root nor tmpfs.
//
// # Schema versions
//
// The schema version is stored in the meta bucket. Open migrates an older
// file in one transaction (schema 1, the prototype, kept descriptors in
// plaintext: they are encrypted and the file is then compacted so no
// plaintext stays in free pages) and refuses a newer one with
// ErrNewerSchema without touching it.
//
// # Backup and restore
//
// Store.Backup/BackupFile copy the open store with bbolt's Tx.WriteTo
// while the kiosk keeps recording, and audit the export. `hadir backup
// --data DIR OUT` does the same when the kiosk is not running; when it is,
// bbolt's exclusive file lock keeps every other process out, so BackupDir
// copies the file while watching its two meta pages (a commit rewrites a
// meta page last and never overwrites pages the current meta refers to,
// so a copy during which neither changed is consistent), checks the copy
// with Tx.Check and renames it into place. The backup is encrypted like
// the store and needs the same key.
//
// To restore: stop the kiosk; move the old <dir>/hadir.db aside (keep it
// for investigation); copy the backup to <dir>/hadir.db with mode 0600;
// make sure the key file (or HADIR_KEY) is the one the backup was made
// with; run `hadir verify-ledger --data DIR`; start the kiosk. Events
// recorded after the backup and not yet synced are lost with the old
// file, so restore only when that file is unusable.
//
// # Retention and erasure
//
// Purge (run periodically by Run) deletes evidence photos older than
// Options.PhotoRetention (30 days) and synced events older than
// Options.EventRetention (90 days); pending and rejected events are never
// purged. EraseEmployee deletes an employee's record, templates and
// photos (UU PDP right to erasure) and audits it; their attendance events
// stay (adapted templates included: AdaptTemplate). The audit log is
// append-only: the package offers no way to change or delete an entry.
package storage
