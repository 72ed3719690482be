package storage

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSettingsAudited(t *testing.T) {
	s, _, _ := openTest(t)
	ctx := WithActor(context.Background(), "admin")
	if _, err := s.Setting(ctx, "server_url"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unset setting: %v", err)
	}
	steps := []struct{ k, v string }{
		{"server_url", "https://absen.example.go.id"},
		{"server_url", "https://absen2.example.go.id"},
		{"server_url", "https://absen2.example.go.id"}, // no change, no entry
		{"api_token", "s3cr3t-t0ken"},
	}
	for _, st := range steps {
		if err := s.SetSetting(ctx, st.k, st.v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetSetting(ctx, "", "x"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty key: %v", err)
	}
	all, err := s.Settings(ctx)
	if err != nil || len(all) != 2 || all["server_url"] != "https://absen2.example.go.id" {
		t.Fatalf("Settings = %v %v", all, err)
	}
	log, _ := s.AuditLog(ctx, 0, 100)
	if len(log) != 3 {
		t.Fatalf("%d audit entries, want 3: %+v", len(log), log)
	}
	if !strings.Contains(log[1].Detail, "absen.example") || !strings.Contains(log[1].Detail, "absen2") {
		t.Fatalf("change entry %+v lacks old and new value", log[1])
	}
	if strings.Contains(log[2].Detail, "s3cr3t") || log[2].Subject != "api_token" {
		t.Fatalf("secret leaked into the audit log: %+v", log[2])
	}
}

func TestOperatorsArgon2(t *testing.T) {
	s, _, dir := openTest(t)
	ctx := WithActor(context.Background(), "root")
	op, err := s.PutOperator(ctx, "ani", RoleOperator, "482916")
	if err != nil || op.Name != "ani" || op.Role != RoleOperator {
		t.Fatalf("PutOperator = %+v %v", op, err)
	}
	cases := []struct {
		name, secret string
		ok           bool
	}{
		{"ani", "482916", true},
		{"ani", "482917", false},
		{"ani", "", false},
		{"budi", "482916", false},
	}
	for _, c := range cases {
		got, err := s.VerifyOperator(ctx, c.name, c.secret)
		if c.ok && (err != nil || got.Name != "ani") {
			t.Errorf("VerifyOperator(%s, %s) = %+v %v", c.name, c.secret, got, err)
		}
		if !c.ok && !errors.Is(err, ErrBadCredentials) {
			t.Errorf("VerifyOperator(%s, %s) = %v, want ErrBadCredentials", c.name, c.secret, err)
		}
	}
	for _, bad := range []struct {
		name   string
		role   OperatorRole
		secret string
	}{{"", RoleAdmin, "1234"}, {"x", "god", "1234"}, {"x", RoleAdmin, "12"}} {
		if _, err := s.PutOperator(ctx, bad.name, bad.role, bad.secret); !errors.Is(err, ErrInvalid) {
			t.Errorf("PutOperator(%+v) = %v", bad, err)
		}
	}
	log, _ := s.AuditLog(ctx, 0, 100)
	var failures, logins int
	for _, a := range log {
		switch a.Action {
		case ActionLoginFailure:
			failures++
		case ActionLogin:
			logins++
		}
	}
	if failures != 3 || logins != 1 {
		t.Fatalf("audited %d failures and %d logins, want 3 and 1", failures, logins)
	}
	ops, _ := s.Operators(ctx)
	if len(ops) != 1 {
		t.Fatalf("Operators = %+v", ops)
	}
	s.Close()
	if bytes.Contains(readFile(t, dbPath(dir)), []byte("482916")) {
		t.Fatal("PIN stored in plaintext")
	}
}
