package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hadir-id/hadir/internal/testutil"
)

// run executes a hadir command in-process and returns its exit status and
// the JSON lines it printed.
func run(t *testing.T, args ...string) (int, []map[string]any, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, args)
	var lines []map[string]any
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("hadir %s printed a non-JSON line %q: %v", args[0], sc.Text(), err)
		}
		lines = append(lines, m)
	}
	return code, lines, errOut.String()
}

func TestMain(m *testing.M) {
	// The models are looked up like the binary does: $HADIR_MODELS or ./models
	// at the module root (the test runs in internal/cli).
	if os.Getenv("HADIR_MODELS") == "" {
		os.Setenv("HADIR_MODELS", filepath.Join("..", "..", "models"))
	}
	os.Exit(m.Run())
}

func TestEmbedReportsEachFile(t *testing.T) {
	testutil.ModelsDir(t)
	idols := testutil.Dataset(t, "idols")
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.jpg")
	os.WriteFile(garbage, []byte("not an image"), 0o644)
	good := filepath.Join(idols, "tzuyu", "tzuyu.jpg")
	full, _ := os.ReadFile(good)
	truncated := filepath.Join(dir, "truncated.jpg")
	os.WriteFile(truncated, full[:len(full)/3], 0o644)

	code, lines, _ := run(t, "embed", good, filepath.Join(dir, "missing.jpg"), dir, garbage, truncated, filepath.Join(idols, "_groups", "pristin.jpg"))
	if code != 0 || len(lines) != 6 {
		t.Fatalf("exit %d, %d lines; want 0 and one line per file", code, len(lines))
	}
	faces := func(i int) int { f, _ := lines[i]["faces"].([]any); return len(f) }
	if faces(0) != 1 || faces(5) != 10 {
		t.Errorf("faces: tzuyu %d (want 1), pristin %d (want 10)", faces(0), faces(5))
	}
	desc := lines[0]["faces"].([]any)[0].(map[string]any)["descriptor"].([]any)
	if len(desc) != 128 {
		t.Errorf("descriptor has %d values, want 128", len(desc))
	}
	for i, want := range []string{"no such file", "is a directory", "not a JPEG", "truncated"} {
		if e, _ := lines[i+1]["error"].(string); !strings.Contains(e, want) {
			t.Errorf("%s: error %q, want it to mention %q", lines[i+1]["file"], e, want)
		}
	}
	if code, _, _ := run(t, "embed", garbage); code != 1 {
		t.Errorf("embed with no good file: exit %d, want 1", code)
	}
	if code, _, _ := run(t, "embed"); code != 2 {
		t.Errorf("embed with no files: exit %d, want 2 (usage)", code)
	}
}

func TestVerify(t *testing.T) {
	testutil.ModelsDir(t)
	orl := testutil.Dataset(t, "orl")
	_, same, _ := run(t, "verify", filepath.Join(orl, "s1", "1.pgm"), filepath.Join(orl, "s1", "2.pgm"))
	_, diff, _ := run(t, "verify", filepath.Join(orl, "s1", "1.pgm"), filepath.Join(orl, "s2", "1.pgm"))
	if len(same) != 1 || same[0]["same"] != true {
		t.Errorf("two photos of s1: %v, want same", same)
	}
	if len(diff) != 1 || diff[0]["same"] != false {
		t.Errorf("s1 vs s2: %v, want not same", diff)
	}
}

// nip makes a valid 18-digit NIP for test employee i.
func nip(i int) string { return fmt.Sprintf("19800101200501%d%03d", 1+i%2, i+1) }

func TestEnrollThenIdentify(t *testing.T) {
	testutil.ModelsDir(t)
	orl, idols := testutil.Dataset(t, "orl"), testutil.Dataset(t, "idols")
	data := t.TempDir()
	subjects := []string{"s1", "s2", "s3", "s4", "s5"}
	for i, s := range subjects {
		files := []string{}
		for k := 1; k <= 3; k++ {
			files = append(files, filepath.Join(orl, s, fmt.Sprintf("%d.pgm", k)))
		}
		args := append([]string{"enroll", "--data", data, "--id", nip(i), "--name", "Pegawai " + s, "--unit", "Diskominfo"}, files...)
		code, lines, stderr := run(t, args...)
		if code != 0 || len(lines) != 3 {
			t.Fatalf("enroll %s: exit %d, %v, %s", s, code, lines, stderr)
		}
		for _, l := range lines {
			if l["template"] == nil {
				t.Fatalf("enroll %s: %v not enrolled", s, l)
			}
		}
	}
	// Refusals: several faces, a duplicate of someone else's face, a bad NIP.
	code, lines, _ := run(t, "enroll", "--data", data, "--id", nip(9), "--name", "X",
		filepath.Join(idols, "_groups", "pristin.jpg"), filepath.Join(orl, "s1", "4.pgm"))
	if code != 1 || len(lines) != 2 || lines[0]["reason"] != "multiple_faces" || lines[1]["reason"] != "duplicate_face" {
		t.Errorf("refusals: exit %d, %v", code, lines)
	}
	if code, _, _ := run(t, "enroll", "--data", data, "--id", "12345", "--name", "X", filepath.Join(orl, "s9", "1.pgm")); code != 2 {
		t.Errorf("invalid NIP: exit %d, want 2", code)
	}

	probes := []string{}
	for _, s := range append(subjects, "s6", "s7") { // s6, s7 never enrolled
		for k := 4; k <= 10; k++ {
			probes = append(probes, filepath.Join(orl, s, fmt.Sprintf("%d.pgm", k)))
		}
	}
	code, lines, stderr := run(t, append([]string{"identify", "--data", data}, probes...)...)
	if code != 0 || len(lines) != len(probes) {
		t.Fatalf("identify: exit %d, %d lines for %d files: %s", code, len(lines), len(probes), stderr)
	}
	correct := 0
	for i, l := range lines {
		subject := filepath.Base(filepath.Dir(probes[i]))
		m, _ := l["match"].(map[string]any)
		switch {
		case m == nil && l["reason"] == nil:
			t.Errorf("%s: neither match nor reason: %v", probes[i], l)
		case m == nil:
		case subject == "s6" || subject == "s7":
			t.Errorf("never-enrolled %s identified as %v", probes[i], m)
		case m["name"] != "Pegawai "+subject:
			t.Errorf("%s identified as %v", probes[i], m)
		default:
			correct++
		}
	}
	if correct < 30 { // 35 enrolled probes; ORL is identified at ~97 %
		t.Errorf("only %d of 35 enrolled probes identified", correct)
	}
}
