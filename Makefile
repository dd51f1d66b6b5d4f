# coda: `make` builds lib/libcoda.a and bin/coda-*; `make check` runs every test (also under
# ASan+UBSan); `make demo` runs the main job on bundled data. Both install missing Debian
# packages first (scripts/deps.sh).

CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
BUILD   ?= build
BINDIR  ?= bin
LIBA    ?= lib/libcoda.a

PKGS      := openblas lapacke
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -llapacke -lopenblas)
# OpenMP only where a kernel splits into independent pieces (results never depend on threads)
CODA_CFLAGS = -std=c17 -D_DEFAULT_SOURCE -fopenmp -Wall -Wextra -Werror $(PKG_CFLAGS) -MMD -MP
LDLIBS   = $(PKG_LIBS) -lcsv -lz -lm -fopenmp

# The MPI engine (lib/engine/mpi*.c) is built apart, with Open MPI's flags, into libcoda-mpi.a,
# and linked only into the programs that run under mpirun; the rest of libcoda knows no MPI.
MPI_SRC  := $(sort $(wildcard lib/engine/mpi*.c))
MPI_OBJ  := $(MPI_SRC:%.c=$(BUILD)/%.o)
MPI_LIBA := $(dir $(LIBA))libcoda-mpi.a
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c 2>/dev/null)
MPI_LIBS   := $(shell pkg-config --libs ompi-c 2>/dev/null || echo -lmpi)
LIB_SRC  := $(filter-out $(MPI_SRC),$(sort $(wildcard lib/*/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_SRC  := $(sort $(wildcard cmd/*.c))
PROGS    := $(patsubst cmd/%.c,$(BINDIR)/coda-%,$(subst _,-,$(CMD_SRC)))
MPI_PROGS := $(BINDIR)/coda-worker-mpi $(BINDIR)/coda-solve
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all deps check test asan-build demo install clean bench examples
all: $(LIBA) $(PROGS) $(UNITS)

deps:
	@scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CODA_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(MPI_OBJ): CODA_CFLAGS += $(MPI_CFLAGS)

$(MPI_LIBA): $(MPI_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# cmd/worker_sim.c becomes coda-worker-sim
.SECONDEXPANSION:
$(BINDIR)/coda-%: $(BUILD)/cmd/$$(subst -,_,$$*).o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(MPI_PROGS): $(BINDIR)/coda-%: $(BUILD)/cmd/$$(subst -,_,$$*).o $(MPI_LIBA) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(MPI_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The whole suite, then the whole suite again under AddressSanitizer + UBSan.
check: deps
	$(MAKE) all
	$(MAKE) asan-build
	tests/run.sh

test: all
	CODA_BUILD=$(BUILD) CODA_BINDIR=$(BINDIR) tests/run.sh --plain

asan-build:
	$(MAKE) BUILD=build-asan BINDIR=build-asan/bin LIBA=build-asan/libcoda.a \
	    CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all

# Fuzzing (tests/fuzz/README.md): libFuzzer harnesses, built with clang under ASan+UBSan into
# build-fuzz/ (scripts/deps.sh fuzz installs clang), each run FUZZ_SECONDS from seeds that the
# programs make; fails on any crash, leak or hang. fuzz-smoke is the short run for CI.
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -O1 -g -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer \
                -fno-sanitize-recover=all
FUZZERS      := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

.PHONY: fuzz fuzz-smoke fuzz-build fuzzers
fuzz: all fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BUILD)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=20

fuzz-build:
	@scripts/deps.sh fuzz
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" fuzzers

# (run by fuzz-build, with BUILD=$(FUZZ_BUILD): the library's objects are its own)
fuzzers: $(FUZZERS)

$(FUZZ_BUILD)/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CODA_CFLAGS) $(CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_BUILD)/fuzz/fuzz.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

demo: deps
	$(MAKE) all
	scripts/demo.sh

bench: all
	bench/io.sh
	bench/pipeline.sh
	bench/invert.sh
	bench/lsq.sh
	bench/gd.sh
	bench/hetero.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/

clean:
	rm -rf build build-asan bin lib/libcoda.a lib/libcoda-mpi.a

-include $(LIB_OBJ:.o=.d) $(MPI_OBJ:.o=.d) $(CMD_SRC:%.c=$(BUILD)/%.d) $(UNIT_SRC:%.c=$(BUILD)/%.d)
-include $(wildcard $(FUZZ_BUILD)/fuzz/*.d)
.SECONDARY:
