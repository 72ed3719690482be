// Command desccmp compares two outputs of `hadir embed` (JSON lines) face by
// face: the same files, the same number of faces, boxes within a pixel and
// every descriptor component within a tolerance. tools/baseline-check.sh
// uses it to show that the baseline-CPU build (run under qemu as an older
// CPU) computes what the native build computes. Exit status 1 on a
// difference, 2 on bad input.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
)

type face struct {
	Box        [4]int    `json:"box"`
	Descriptor []float64 `json:"descriptor"`
}

type line struct {
	File  string `json:"file"`
	Faces []face `json:"faces"`
	Error string `json:"error"`
}

func main() {
	tol := flag.Float64("tol", 1e-4, "largest allowed difference of one descriptor component")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: desccmp [--tol T] WANT.jsonl GOT.jsonl")
		os.Exit(2)
	}
	want, err := read(flag.Arg(0))
	if err == nil {
		var got map[string]line
		if got, err = read(flag.Arg(1)); err == nil {
			os.Exit(compare(want, got, *tol))
		}
	}
	fmt.Fprintln(os.Stderr, "desccmp:", err)
	os.Exit(2)
}

// compare prints one line per file and the largest difference seen; it
// returns the exit status.
func compare(want, got map[string]line, tol float64) int {
	status, faces, worst := 0, 0, 0.0
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			fmt.Printf("%s: missing from the second output\n", name)
			status = 1
			continue
		case w.Error != "" || g.Error != "":
			fmt.Printf("%s: error (want %q, got %q)\n", name, w.Error, g.Error)
			status = 1
			continue
		case len(w.Faces) != len(g.Faces):
			fmt.Printf("%s: %d faces, want %d\n", name, len(g.Faces), len(w.Faces))
			status = 1
			continue
		}
		fileWorst := 0.0
		for i := range w.Faces {
			for k := range w.Faces[i].Box {
				if d := w.Faces[i].Box[k] - g.Faces[i].Box[k]; d > 1 || d < -1 {
					fmt.Printf("%s: face %d box %v, want %v\n", name, i, g.Faces[i].Box, w.Faces[i].Box)
					status = 1
				}
			}
			if len(w.Faces[i].Descriptor) != len(g.Faces[i].Descriptor) || len(w.Faces[i].Descriptor) == 0 {
				fmt.Printf("%s: face %d descriptor length %d, want %d\n", name, i, len(g.Faces[i].Descriptor), len(w.Faces[i].Descriptor))
				status = 1
				continue
			}
			for k, v := range w.Faces[i].Descriptor {
				fileWorst = math.Max(fileWorst, math.Abs(v-g.Faces[i].Descriptor[k]))
			}
			faces++
		}
		fmt.Printf("%s: %d faces, max component difference %.3g\n", name, len(w.Faces), fileWorst)
		worst = math.Max(worst, fileWorst)
	}
	if worst > tol {
		status = 1
	}
	fmt.Printf("%d faces in %d files; max component difference %.3g (tolerance %g)\n", faces, len(want), worst, tol)
	if faces == 0 {
		status = 1
	}
	return status
}

func read(path string) (map[string]line, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]line{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[l.File] = l
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}
