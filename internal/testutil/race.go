//go:build race

package testutil

// race: this test binary was built with -race.
const race = true
