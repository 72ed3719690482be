package storage

import (
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// BootID returns the kernel's random ID of the current boot
// (/proc/sys/kernel/random/boot_id). Stored on each event with Monotonic
// so that the order and spacing of events from one boot can be trusted
// even if the wall clock was changed between them.
func BootID() (string, error) {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", fmt.Errorf("read boot id: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Monotonic returns the time since boot, including time suspended
// (CLOCK_BOOTTIME); it never jumps when the wall clock is set.
func Monotonic() (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0, fmt.Errorf("clock_gettime(CLOCK_BOOTTIME): %w", err)
	}
	return time.Duration(ts.Nano()), nil
}

// StampClock fills an event's clock fields from this machine: device
// time now (stored UTC), the zone name given (an IANA name such as
// "Asia/Jakarta"; the kiosk's configured zone), monotonic time and boot
// ID. ClockOffset is left to the sync worker's last measurement.
func StampClock(e *Event, now time.Time, zone string) error {
	mono, err := Monotonic()
	if err != nil {
		return err
	}
	boot, err := BootID()
	if err != nil {
		return err
	}
	e.Time, e.Zone, e.Monotonic, e.BootID = now.UTC(), zone, mono, boot
	return nil
}
