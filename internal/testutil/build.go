package testutil

// BuildFlags are the `go build` flags for a binary a test starts (the
// real hadir-server, the kiosk): -race when the test itself runs under
// -race. Besides checking the child process for races too, this lets the
// build reuse the race-compiled packages `go test -race` just built; a
// plain build compiles every cgo package (SQLite, dlib, OpenCV) a second
// time, which cost a fresh machine's `make test` several minutes.
func BuildFlags() []string {
	if race {
		return []string{"-race"}
	}
	return nil
}
