package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/storage"
)

// The whole kiosk's memory (issue 3: "kiosk RSS <= 300 MB" with a store
// of 10,000 employees x 5 templates and 100,000 events loaded).
const (
	kioskPeople = 10  // ORL subjects enrolled for real, walking up in the video
	kioskGap    = 1.5 // seconds of empty lobby before each person
	kioskStay   = 2.0 // seconds each person stands in front
	kioskFPS    = 15
)

// BenchmarkKioskMemory runs the real kiosk binary (window, preview,
// recognition, store, offline sync worker) in an Xvfb screen on the large
// store while ten enrolled people walk up in a looped camera video. It
// samples the kiosk's resident memory from /proc and reports the peak,
// in MiB and in decimal MB, with its private (anonymous) part; and the
// people the kiosk recorded, which shows recognition really ran.
// Software GL under Xvfb (Mesa llvmpipe) is part of what is measured.
func BenchmarkKioskMemory(b *testing.B) {
	xvfb := testutil.Tool(b, "Xvfb")
	models := testutil.ModelsDir(b)
	orl := testutil.Dataset(b, "orl")
	dir := b.TempDir()
	bin := filepath.Join(dir, "hadir")
	build := exec.Command("go", "build", "-tags", "no_emoji", "-o", bin, ".") // as make build
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build the kiosk: %v\n%s", err, out)
	}
	key := hex.EncodeToString(make([]byte, storage.KeySize)) // a test store
	env := append(os.Environ(), storage.EnvKey+"="+key, "HADIR_MODELS="+models, "GOGC=")
	data := filepath.Join(dir, "data")
	var clips []testutil.Clip
	for i := 1; i <= kioskPeople; i++ {
		img := func(n int) string { return filepath.Join(orl, fmt.Sprintf("s%d", i), fmt.Sprintf("%d.pgm", n)) }
		enroll := exec.Command(bin, "enroll", "--data", data, "--id", kioskNIP(i), "--name", fmt.Sprintf("Subject %d", i), "--unit", "BKPSDM", img(1), img(2), img(3))
		enroll.Env = env
		if out, err := enroll.CombinedOutput(); err != nil {
			b.Fatalf("enroll ORL s%d: %v\n%s", i, err, out)
		}
		clips = append(clips, testutil.Clip{Seconds: kioskGap},
			testutil.Clip{Image: img(4), Seconds: kioskStay / 2, Height: 336},
			testutil.Clip{Image: img(5), Seconds: kioskStay / 2, Height: 336})
	}
	clips = append(clips, testutil.Clip{Seconds: kioskGap})
	video := testutil.Video(b, clips, kioskFPS)
	prepareKioskStore(b, data, key)

	var peak, steady memSample // steady: the second pass, everything loaded
	var recorded int
	var output string
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		display := startXvfb(b, xvfb)
		kiosk := exec.Command(bin, "--data", data, "--camera", video)
		kiosk.Env = append(env, "DISPLAY="+display)
		out := &testutil.LockedBuffer{}
		kiosk.Stdout, kiosk.Stderr = out, out
		if err := kiosk.Start(); err != nil {
			b.Fatal(err)
		}
		// Two passes of the video: start-up, ten people, then the same
		// ten again (already recorded) with everything loaded.
		pass := time.Duration(float64(kioskPeople) * (kioskGap + kioskStay) * float64(time.Second))
		second, stop := time.After(pass), time.After(2*pass)
		tick := time.NewTicker(200 * time.Millisecond)
		inSecond := false
	sample:
		for {
			select {
			case <-second:
				inSecond = true
			case <-stop:
				break sample
			case <-tick.C:
				s, ok := readMem(kiosk.Process.Pid)
				if ok && s.rss > peak.rss {
					peak = s
					peak.maps = topMappings(kiosk.Process.Pid)
				}
				if ok && inSecond && s.rss > steady.rss {
					steady = s
					steady.maps = topMappings(kiosk.Process.Pid)
				}
			}
		}
		tick.Stop()
		kiosk.Process.Signal(syscall.SIGTERM)
		if err := kiosk.Wait(); err != nil {
			b.Fatalf("kiosk: %v\n%s", err, out)
		}
		recorded = kioskRecorded(b, data, key, start)
		output = out.String()
	}
	if peak.rss == 0 {
		b.Fatal("no memory sample: the kiosk did not run")
	}
	for _, s := range []struct {
		name string
		memSample
	}{{"peak", peak}, {"running", steady}} {
		b.Logf("%s: RSS %d MiB = private %d + file %d; largest mappings:\n%s", s.name, s.rss>>10, s.anon>>10, s.file>>10, s.maps)
	}
	b.ReportMetric(float64(peak.rss)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(peak.rss)*1024/1e6, "peak-RSS-MB")
	b.ReportMetric(float64(steady.rss)/1024, "running-RSS-MiB")
	b.ReportMetric(float64(steady.anon)/1024, "running-private-MiB")
	b.ReportMetric(float64(recorded), "recorded")
	if recorded < kioskPeople {
		b.Errorf("the kiosk recorded %d of %d people; it printed:\n%s", recorded, kioskPeople, output)
	}
}

func kioskNIP(i int) string { return fmt.Sprintf("1990010120150120%02d", i) }

// prepareKioskStore fills the store around the enrolled people and sets
// the kiosk up: liveness off (a video of photos cannot blink) and a
// schedule open all day, so every walk-up ends in a record.
func prepareKioskStore(b *testing.B, data, key string) {
	b.Helper()
	st := openKioskStore(b, data, key)
	defer st.Close()
	ctx := context.Background()
	if err := fixture.Fill(ctx, st, fixture.LargeOPD, time.Now().Add(-72*time.Hour)); err != nil {
		b.Fatal(err)
	}
	schedule := filepath.Join(data, "schedule.toml")
	if err := os.WriteFile(schedule, []byte(allDaySchedule), 0o600); err != nil {
		b.Fatal(err)
	}
	for k, v := range map[string]string{"checkin.liveness": "off", "schedule.file": schedule} {
		if err := st.SetSetting(ctx, k, v); err != nil {
			b.Fatal(err)
		}
	}
}

const allDaySchedule = `version = 1
unit = "Bench"
time_zone = "Asia/Jakarta"
cooldown = "10m"
work_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

[regular]
check_in = { from = "00:00", to = "23:59" }
check_out = { from = "23:59", to = "24:00" }

[[regular.hours]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "23:59"

[[late_tiers]]
name = "TL1"
from = 1
cut_percent = 0.5

[[early_tiers]]
name = "PSW1"
from = 1
cut_percent = 0.5
`

func openKioskStore(b *testing.B, data, key string) *storage.Store {
	b.Helper()
	opts := storage.DefaultOptions()
	k, err := storage.ParseKey(key)
	if err != nil {
		b.Fatal(err)
	}
	opts.Key = k
	st, err := storage.Open(data, opts)
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// kioskRecorded counts the enrolled people with an event since start.
func kioskRecorded(b *testing.B, data, key string, since time.Time) int {
	b.Helper()
	st := openKioskStore(b, data, key)
	defer st.Close()
	events, err := st.RecentEvents(context.Background(), since, 0)
	if err != nil {
		b.Fatal(err)
	}
	people := map[string]bool{}
	for _, e := range events {
		people[e.NIP] = true
	}
	n := 0
	for i := 1; i <= kioskPeople; i++ {
		if people[kioskNIP(i)] {
			n++
		}
	}
	return n
}

// startXvfb starts an X server on a free display (Xvfb picks it and
// writes it to -displayfd) with a tablet-sized screen.
func startXvfb(b *testing.B, xvfb string) string {
	b.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w.Close()
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		b.Fatalf("Xvfb did not report its display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

type memSample struct {
	rss, anon, file int // KiB
	maps            string
}

func readMem(pid int) (memSample, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memSample{}, false
	}
	var s memSample
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmRSS:":
			s.rss = v
		case "RssAnon:":
			s.anon = v
		case "RssFile:":
			s.file = v
		}
	}
	return s, s.rss > 0
}

// topMappings sums resident memory per mapped file ("[anon]" for the
// rest, with its large mappings listed too) from /proc/PID/smaps and lists the largest, to show where the
// memory went.
func topMappings(pid int) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return ""
	}
	defer f.Close()
	sums := map[string]int{}
	name := ""
	cur := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			name = "[anon]"
			cur = fields[0]
			if len(fields) >= 6 {
				name = filepath.Base(fields[5])
			}
		case len(fields) >= 2 && fields[0] == "Rss:":
			v, _ := strconv.Atoi(fields[1])
			sums[name] += v
			if name == "[anon]" && v > 8<<10 { // an arena, Go's heap, a big block
				sums["[anon] of which "+cur] += v
			}
		}
	}
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return sums[names[i]] > sums[names[j]] })
	var out strings.Builder
	for _, n := range names[:min(len(names), 20)] {
		fmt.Fprintf(&out, "  %7d KiB  %s\n", sums[n], n)
	}
	return out.String()
}
