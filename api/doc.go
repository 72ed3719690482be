// Package api is the kiosk <-> server wire contract of /api/v1: every
// request and response body of the device endpoints, the limits both sides
// enforce, the descriptor codec, the result and reason codes, and the
// event-hash function. It imports only the standard library, so the kiosk
// (sync/, storage/) and the server (server/) share one definition of what
// travels between them (after tailscale's tailcfg). Changing a type here
// changes the protocol: keep fields additive and old kiosks working.
package api
