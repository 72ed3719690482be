package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

func TestEachFileKeepsOrderAndStopsOnEmitError(t *testing.T) {
	files := make([]string, 50)
	for i := range files {
		files[i] = fmt.Sprint(i)
	}
	work := func(_ context.Context, f string) (any, bool) { return f, f != "3" }

	var got []string
	ok, err := eachFile(context.Background(), io.Discard, "t", files, 3, work,
		func(r any) error { got = append(got, r.(string)); return nil })
	if err != nil || ok != 49 || len(got) != 50 {
		t.Fatalf("ok=%d err=%v emitted=%d; want 49, nil, 50", ok, err, len(got))
	}
	for i, g := range got {
		if g != files[i] {
			t.Fatalf("result %d is %s: order lost", i, g)
		}
	}

	before := runtime.NumGoroutine()
	stop := errors.New("disk full")
	n := 0
	_, err = eachFile(context.Background(), io.Discard, "t", files, 3, work,
		func(any) error { n++; return map[bool]error{true: stop}[n == 5] })
	if !errors.Is(err, stop) || n != 5 {
		t.Fatalf("err=%v after %d emits; want %v after 5", err, n, stop)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Errorf("%d goroutines left behind after an early stop", g-before)
	}
}
