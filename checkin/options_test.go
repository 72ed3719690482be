package checkin

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/storage"
)

// Zero options mean the defaults, as in the other packages: before, a
// zero PINAttempts locked a NIP on the first wrong fallback PIN.
func TestZeroOptionsMeanDefaults(t *testing.T) {
	var o Options
	if err := o.check(); err != nil {
		t.Fatal(err)
	}
	d := DefaultOptions()
	o.Now, o.ClockOffset, o.Rand = nil, nil, nil
	if !reflect.DeepEqual(o, d) {
		t.Fatalf("zero options became %+v, want %+v", o, d)
	}

	k := newKiosk(t)
	ctx := context.Background()
	if _, err := k.store.PutEmployee(ctx, storage.Employee{NIP: fixture.NIP(5), Name: "Subject Five"}); err != nil {
		t.Fatal(err)
	}
	if err := k.store.SetEmployeePIN(ctx, fixture.NIP(5), "246810"); err != nil {
		t.Fatal(err)
	}
	p, err := New(ctx, k.eng, k.gal, k.store, Options{Now: k.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < DefaultPINAttempts; i++ {
		if _, err := p.Manual(ctx, fixture.NIP(5), "000000", nil); !errors.Is(err, storage.ErrBadCredentials) {
			t.Fatalf("wrong PIN %d with zero options: %v, want ErrBadCredentials (not locked yet)", i, err)
		}
	}
	if _, err := p.Manual(ctx, fixture.NIP(5), "000000", nil); !errors.Is(err, storage.ErrBadCredentials) {
		t.Fatalf("wrong PIN %d: %v", DefaultPINAttempts, err)
	}
	if _, err := p.Manual(ctx, fixture.NIP(5), "246810", nil); !errors.Is(err, ErrPINLocked) {
		t.Fatalf("after %d wrong PINs: %v, want ErrPINLocked", DefaultPINAttempts, err)
	}
}
