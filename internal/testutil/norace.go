//go:build !race

package testutil

const race = false
