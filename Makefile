# Hadir: two commands on a fresh Debian bookworm machine.
#   make run    installs packages, assembles models, builds and starts the kiosk
#   make test   installs packages, assembles models and runs every test with -race
SHELL := /bin/bash
GO ?= go
export PATH := /usr/local/go/bin:$(PATH)
export HADIR_MODELS ?= $(CURDIR)/models
export OPENCV_LOG_LEVEL ?= ERROR
BENCHTIME ?= 2s
# cgo's C is compiled with clang unless CC is set: cgo asks the compiler
# about each of go-gl's 5,700 names (Fyne's GL binding) in one file of
# deliberate errors, and gcc 12 looks for a "did you mean" spelling for
# every one (77 s of a cold build; clang stops suggesting after 50: 2 s).
# C++ (dlib, OpenCV) stays with g++.
ifeq ($(origin CC),default)
CC := clang
endif
export CC
# The kiosk is built without Fyne's embedded emoji font: its text needs
# none, and the parsed font would cost 9 MiB of a tablet's memory.
KIOSK_TAGS := no_emoji

.PHONY: all deps models build run test bench vet clean screenshots

all: build

deps:
	@tools/deps.sh

models: deps
	@tools/models.sh

build: deps
	$(GO) build -tags $(KIOSK_TAGS) -o bin/hadir .

run: models build
	./bin/hadir $(ARGS)

vet:
	$(GO) vet ./...

# go test builds and starts packages in the order it is given them: the
# longest-running go first, so that on a fresh machine they overlap the
# rest of the build instead of finishing alone at the end.
TEST_FIRST := ./checkin ./server/postgres ./sync ./recognition ./server/sqlite

# The PostgreSQL store tests run against a throwaway cluster started for the
# run (tools/with-postgres.sh), or the server HADIR_TEST_POSTGRES names.
# go test vets each package it tests (-vet=all: every check go vet runs)
# beside the other packages' tests, instead of a whole-tree vet before
# them; go vet then covers the packages without tests from the same
# -race build. On a fresh machine the server's tests thus run while the
# GUI stack compiles.
# C and C++ are compiled without debug info and test binaries linked
# without DWARF: -g changes no generated code, and dlib's facerec.cc took
# 74 s with it, 50 s without.
# glibc's malloc advises huge pages for large blocks, as hadir-server
# does for itself (internal/memory): dlib's CNN detector, which the photo
# tests run on 2,048-pixel photos, then spends a third of the time.
test: export GLIBC_TUNABLES ?= glibc.malloc.hugetlb=1
# A -race program sleeps 1 s before it exits (the race runtime's
# atexit_sleep_ms) to catch goroutines racing at exit; the tests start
# many -race processes (servers, CLIs, crash children), each of which
# then waits a second for nothing (sync's tests: 71 s -> 55 s without
# it). Races while running are all still reported.
test: export GORACE ?= atexit_sleep_ms=0
test: export CGO_CFLAGS ?= -O2
test: export CGO_CXXFLAGS ?= -O2
test: export GOFLAGS ?= -ldflags=-w
test: models
	tools/with-postgres.sh $(GO) test -race -vet=all -count=1 -timeout 25m $(TEST_FIRST) ./...
	$(GO) vet -race $$($(GO) list -f '{{if not (or .TestGoFiles .XTestGoFiles)}}{{.ImportPath}}{{end}}' ./...)

bench: models
	tools/with-postgres.sh $(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 60m ./... | tee bench.txt | $(GO) run ./internal/benchtable

# Runs the real kiosk under Xvfb on a video made from ../shared/datasets/idols
# and writes PNGs of its main screens to screenshots/ (not committed).
screenshots: models
	@tools/screenshots.sh

clean:
	rm -rf bin bench.txt

# --- Packaging (deb): release binaries for the baseline CPU, Debian packages.
# `make release` builds bin/release/{hadir,hadir-server} for x86-64-v2
# (HADIR_MARCH) instead of this machine's CPU (tools/release.sh); `make deb`
# packages them into bin/deb/*.deb (packaging/build.sh); `make baseline-check`
# runs them as an older CPU under qemu (tools/baseline-check.sh).
.PHONY: release deb baseline-check
release: deps
	@tools/release.sh

deb: models release
	@packaging/build.sh

baseline-check: models release
	@tools/baseline-check.sh
