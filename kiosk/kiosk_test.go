package kiosk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/clock"
	"github.com/hadir-id/hadir/kiosk/kiosktest"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// newKiosk starts a Kiosk on a temporary store, offline, on a manual
// clock: no window, no camera.
func newKiosk(t *testing.T, cfg Config) (*Kiosk, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 4, 6, 7, 25, 0, 0, time.FixedZone("WIB", 7*3600)))
	dir := filepath.Join(t.TempDir(), "data")
	svc := NewServices(kiosktest.Store(t, dir, clk.Now), dir, kiosktest.NoFaces{}, OfflineSync{})
	if err := svc.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cfg.DataDir = dir
	k := New(ctx, cfg, Options{Clock: clk})
	k.Start(svc)
	t.Cleanup(func() {
		cancel()
		k.Close()
	})
	return k, clk
}

// TestStartupProblemsHaveKeys: missing models and a store held by another
// process come back as a StartupError naming what the window explains.
func TestStartupProblemsHaveKeys(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenServices(context.Background(), dir, t.TempDir(), SyncOptions(Config{}))
	var se *StartupError
	if !errors.As(err, &se) || se.Key != "problem.models_missing" || !errors.Is(err, recognition.ErrModelMissing) {
		t.Fatalf("no models: %v", err)
	}
	st := kiosktest.Store(t, dir, time.Now) // the store is free again after the failed start
	defer st.Close()
	_, err = OpenServices(context.Background(), dir, t.TempDir(), SyncOptions(Config{}))
	if !errors.As(err, &se) || se.Key != "problem.store_locked" || !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("store in use: %v", err)
	}
}

// TestOperatorSessionRolesAndIdleLock: each role reaches only its screens,
// and two quiet minutes on the kiosk's clock end the session.
func TestOperatorSessionRolesAndIdleLock(t *testing.T) {
	screens := []string{ScreenEnroll, ScreenEmployees, ScreenBulk, ScreenLog, ScreenSync, ScreenAudit, ScreenSettings}
	want := map[storage.OperatorRole]int{storage.RoleAdmin: 7, storage.RoleOperator: 3, storage.RoleAuditor: 1}
	for role, n := range want {
		s := &OperatorSession{Name: "x", Role: role}
		got := 0
		for _, sc := range screens {
			if s.May(sc) {
				got++
			}
		}
		if got != n {
			t.Errorf("%s may open %d screens, want %d", role, got, n)
		}
	}
	if (*OperatorSession)(nil).May(ScreenAudit) {
		t.Error("no session may open a screen")
	}

	var l IdleLock
	now := time.Date(2026, 4, 6, 8, 0, 0, 0, time.UTC)
	l.Start(now, storage.Operator{Name: "Sari", Role: storage.RoleAdmin})
	l.Touch(now.Add(time.Minute))
	if l.Idle(now.Add(time.Minute + OperatorIdle - time.Second)) {
		t.Error("idle although touched within the limit")
	}
	if !l.Idle(now.Add(time.Minute + OperatorIdle)) {
		t.Error("not idle after the limit")
	}
	l.End()
	if l.Session() != nil || l.Idle(now.Add(time.Hour)) {
		t.Error("an ended session is still there")
	}
}

// TestSettingsRebuildThePipeline saves settings as an operator: the store
// audits them under the operator's name, the pipeline is rebuilt with
// them, and a setting the pipeline cannot use is reported, not ignored.
func TestSettingsRebuildThePipeline(t *testing.T) {
	k, _ := newKiosk(t, Config{})
	first, err := k.Pipeline()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := k.Pipeline(); again != first {
		t.Error("the pipeline was rebuilt without a change")
	}
	k.Lock.Start(k.Now(), storage.Operator{Name: "Sari", Role: storage.RoleAdmin})
	ctx := k.Actor()
	if err := k.SetSettings(ctx, [2]string{SettingThreshold, "0.400"}, [2]string{SettingLiveness, "off"}); err != nil {
		t.Fatal(err)
	}
	p, err := k.Pipeline()
	if err != nil || p == first {
		t.Fatalf("pipeline after a setting change: same %v, %v", p == first, err)
	}
	o, _ := k.PipelineOptions()
	if o.Policy.Threshold != 0.40 || o.Liveness != "off" {
		t.Errorf("options %+v liveness %s", o.Policy, o.Liveness)
	}
	if o.NoAdapt || o.OnAdapt == nil {
		t.Errorf("learning from check-ins is not on by default (NoAdapt %v, OnAdapt set %v)", o.NoAdapt, o.OnAdapt != nil)
	}
	if err := k.SetSettings(ctx, [2]string{SettingAdapt, "off"}); err != nil {
		t.Fatal(err)
	}
	if o, _ := k.PipelineOptions(); !o.NoAdapt {
		t.Error("the adapt setting off does not stop learning")
	}
	all, err := ReadAudit(context.Background(), k.Services().Store, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range all {
		if a.Action == storage.ActionSetting && a.Actor == "Sari" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d setting changes audited under Sari, want 3: %+v", n, all)
	}

	// A schedule in another zone moves the kiosk's time zone.
	example, err := os.ReadFile("../attendance/schedule.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	zone := regexp.MustCompile(`(?m)^time_zone\s*=.*$`)
	if !zone.Match(example) {
		t.Fatal("the example schedule has no time_zone line")
	}
	sched := filepath.Join(t.TempDir(), "jadwal.toml")
	if err := os.WriteFile(sched, zone.ReplaceAll(example, []byte(`time_zone = "Asia/Jayapura"`)), 0o600); err != nil {
		t.Fatal(err)
	}
	if k.Location().String() != "Asia/Jakarta" {
		t.Errorf("default zone %s", k.Location())
	}
	if err := k.SetSettings(ctx, [2]string{SettingSchedule, sched}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Pipeline(); err != nil {
		t.Fatal(err)
	}
	if k.Location().String() != "Asia/Jayapura" {
		t.Errorf("zone after the schedule %s", k.Location())
	}

	// A broken value (written past the screen's checks) stops the rebuild.
	if err := k.SetSettings(ctx, [2]string{SettingThreshold, "0.9"}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Pipeline(); !errors.Is(err, ErrRange) {
		t.Errorf("threshold 0.9: %v", err)
	}
}
