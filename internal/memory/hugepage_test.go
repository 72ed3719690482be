//go:build linux

package memory

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestMain doubles as the child process of TestUseHugePages: it counts
// how many times it was started, calls UseHugePages and reports.
func TestMain(m *testing.M) {
	if os.Getenv("HADIR_HUGEPAGE_CHILD") == "1" {
		n, _ := strconv.Atoi(os.Getenv("HADIR_HUGEPAGE_STARTS"))
		os.Setenv("HADIR_HUGEPAGE_STARTS", strconv.Itoa(n+1))
		UseHugePages()
		fmt.Printf("starts=%d tunables=%s\n", n+1, os.Getenv("GLIBC_TUNABLES"))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestUseHugePages(t *testing.T) {
	for _, tc := range []struct {
		name, tunables, want string
	}{
		{"none set", "", "starts=2 tunables=" + HugePagesTunable},
		{"others kept", "glibc.malloc.arena_max=2", "starts=2 tunables=glibc.malloc.arena_max=2:" + HugePagesTunable},
		{"operator's choice kept", "glibc.malloc.hugetlb=0", "starts=1 tunables=glibc.malloc.hugetlb=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = []string{"HADIR_HUGEPAGE_CHILD=1"}
			if tc.tunables != "" {
				cmd.Env = append(cmd.Env, "GLIBC_TUNABLES="+tc.tunables)
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("child printed %q, want %q", got, tc.want)
			}
		})
	}
}
