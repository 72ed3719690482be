// Package server is Hadir's central server (hadir-server): kiosks register
// with a one-time code, send heartbeats and attendance events, pull the
// roster of employees and face templates of their units and upload on-site
// enrollments; the HR office (BKPSDM) logs in with a password, registers
// and identifies faces from photos (the seed-002 photo API), reads daily and
// monthly recaps, approves manual events and exports CSV; a data-protection
// officer reads the audit log.
//
// The package holds the domain types, the Store interface the HTTP layer
// consumes, and the HTTP handlers. Store implementations live in
// server/sqlite (embedded, the default) and server/postgres (production,
// several server processes against one database); server/storetest is the
// conformance suite both pass. Everything that must hold across processes
// (revision numbers, idempotency, login lockout, refresh tokens, the face
// index used for duplicate checks) lives in the database; a process keeps
// only caches it re-validates against the database.
//
// The device-side wire contract (/api/v1/devices/*, /events, /roster,
// /enrollments, /time) is fixed: see openapi.yaml in this directory.
package server
