package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// auditCount counts audit entries of an action.
func auditCount(t *testing.T, st *storage.Store, action storage.AuditAction) int {
	t.Helper()
	all, err := kiosk.ReadAudit(context.Background(), st, 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range all {
		if a.Action == action {
			n++
		}
	}
	return n
}

// typePIN enters a PIN on the login form and submits it, waiting for the
// check to finish.
func typePIN(t *testing.T, env *kioskEnv, pin string) {
	t.Helper()
	f := env.k.login
	if f == nil {
		t.Fatal("login form not shown")
	}
	f.pin.SetText("")
	test.Type(f.pin, pin)
	test.Tap(f.ok)
	env.q.until(t, 10*time.Second, "the PIN check", func() bool { return !f.busy })
}

// TestOperatorPINLockout drives the operator login with an injected clock:
// five wrong PINs lock it for five minutes (audited, and the right PIN is
// refused meanwhile without even being checked), then it opens again; an
// idle session locks itself after two minutes.
func TestOperatorPINLockout(t *testing.T) {
	env := newEnv(t, envOptions{})
	k, st := env.k, env.k.svc.Store
	env.loginAdmin(t) // first start: creates admin Sari, PIN 135790
	if got := auditCount(t, st, storage.ActionOperator); got != 1 {
		t.Fatalf("first admin: %d operator audit entries", got)
	}
	k.lock(kiosk.LogoutByOperator)
	if k.mode != modeCheckin || k.ops.Lock.Session() != nil {
		t.Fatal("lock did not end the session")
	}
	tapText(t, env.w.Content(), tr("kiosk.operator"))
	env.q.pump()
	if k.mode != modeLogin || k.login == nil || k.login.first {
		t.Fatalf("operator button: mode %s", k.mode)
	}
	if k.pipe.cancel != nil {
		t.Error("check-in still running behind the login screen")
	}
	if k.login.name.Selected != "Sari" {
		t.Fatalf("the only operator is not preselected: %q", k.login.name.Selected)
	}
	for i := 1; i <= 4; i++ {
		typePIN(t, env, "000000")
		if !strings.Contains(k.login.msg.Text, "Sisa percobaan: "+string(rune('0'+5-i))) {
			t.Fatalf("wrong PIN %d: message %q", i, k.login.msg.Text)
		}
	}
	typePIN(t, env, "111111")
	if !k.login.ok.Disabled() || !strings.Contains(k.login.msg.Text, "terkunci") {
		t.Fatalf("fifth wrong PIN: button enabled=%v, message %q", !k.login.ok.Disabled(), k.login.msg.Text)
	}
	if got := auditCount(t, st, storage.ActionLoginFailure); got != 5 {
		t.Errorf("%d login failures audited, want 5", got)
	}
	if got := auditCount(t, st, storage.ActionLockout); got != 1 {
		t.Errorf("%d lockouts audited, want 1", got)
	}
	logins := auditCount(t, st, storage.ActionLogin)

	// Locked: even the right PIN is not checked.
	k.login.pin.SetText("135790")
	k.login.submit()
	env.q.pump()
	if k.mode != modeLogin || auditCount(t, st, storage.ActionLogin) != logins {
		t.Fatal("the right PIN was accepted during the lockout")
	}
	env.clock.Add(4*time.Minute + 59*time.Second)
	k.tick()
	if !k.login.ok.Disabled() {
		t.Fatal("lockout ended before 5 minutes")
	}
	env.clock.Add(time.Second)
	k.tick()
	if k.login.ok.Disabled() {
		t.Fatal("lockout did not end after 5 minutes")
	}
	typePIN(t, env, "135790")
	if k.mode != modeOperator || k.ops.Lock.Session() == nil || k.ops.Lock.Session().Name != "Sari" {
		t.Fatalf("right PIN after the lockout: mode %s", k.mode)
	}
	if got := auditCount(t, st, storage.ActionLogin); got != logins+1 {
		t.Errorf("login not audited: %d -> %d", logins, got)
	}

	// Idle lock: activity postpones it, two quiet minutes end the session.
	env.clock.Add(time.Minute + 50*time.Second)
	k.tick()
	k.operator.selectTab(tabEmployees) // a tap
	env.clock.Add(time.Minute + 59*time.Second)
	k.tick()
	if k.mode != modeOperator {
		t.Fatal("locked although the operator was active")
	}
	env.clock.Add(time.Second)
	k.tick()
	if k.mode != modeCheckin || k.ops.Lock.Session() != nil {
		t.Fatalf("not locked after 2 idle minutes: mode %s", k.mode)
	}
	env.settle(t)
	if got := auditCount(t, st, kiosk.ActionLogout); got != 2 { // the manual lock and the idle one
		t.Errorf("%d logouts audited, want 2", got)
	}
	if k.pipe.cancel == nil && k.cam.src != nil {
		t.Error("check-in did not resume after the lock")
	}
}
