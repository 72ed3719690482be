// Command benchtable turns `go test -bench` output on stdin into one table,
// so `make bench` prints every package's numbers side by side.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(nil, 1<<20)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tbenchmark\truns\tms/op\tother metrics\t")
	pkg, rows, failed := "", 0, false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(strings.TrimPrefix(line, "pkg: "), "github.com/hadir-id/hadir/")
		case strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL"):
			failed = true
			fmt.Fprintln(os.Stderr, line)
		case strings.HasPrefix(line, "Benchmark"):
			f := strings.Fields(line)
			if len(f) < 4 {
				continue
			}
			name := strings.TrimPrefix(f[0], "Benchmark")
			if i := strings.LastIndex(name, "-"); i > 0 {
				name = name[:i]
			}
			ms, other := "", []string{}
			for i := 2; i+1 < len(f); i += 2 {
				if f[i+1] == "ns/op" {
					var ns float64
					fmt.Sscan(f[i], &ns)
					ms = fmt.Sprintf("%.3f", ns/1e6)
				} else {
					other = append(other, f[i]+" "+f[i+1])
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", pkg, name, f[1], ms, strings.Join(other, ", "))
			rows++
		}
	}
	tw.Flush()
	if rows == 0 || failed {
		fmt.Fprintln(os.Stderr, "benchtable: benchmarks failed or none ran (raw output in bench.txt)")
		os.Exit(1)
	}
}
