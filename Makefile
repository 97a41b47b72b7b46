# weft — build, test, benchmark.
#   make            build/weft (CLI), build/libweft.so, build/libweft.a
#   make check      set up, build, run every test suite (unit, spec, fuzz corpus replay)
#   make asan       the same tests under ASan+UBSan (build-asan/)
#   make valgrind   unit tests and spec scripts under valgrind memcheck (build-vg/,
#                   explicit bounds checks instead of guard-page faults)
#   make bench      benchmarks: weft vs V8 (node) vs wabt's wasm-interp vs native
#   make demo       set up, build, run the bundled example
#   make fuzz       build libFuzzer targets (clang) into build/fuzz/

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
CFLAGS_BASE = -std=c17 -D_GNU_SOURCE -g $(OPT) -Wall -Wextra -Werror -fPIC \
              -fvisibility=hidden -Iinclude -Isrc -MMD -MP
CFLAGS  += $(CFLAGS_BASE) $(EXTRA_CFLAGS)
LDLIBS  += -lm -lpthread -lcurl -lffi -larchive -ldl $(EXTRA_LDLIBS)

LIB_SRC  := $(sort $(wildcard src/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

WEFT_CORPORA ?= $(abspath ../shared/corpora)
export WEFT_CORPORA

.PHONY: install print-ldlibs all check asan valgrind bench demo fuzz setup clean unit spec fuzz-replay
all: $(BUILD)/weft $(BUILD)/libweft.so $(BUILD)/libweft.a

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libweft.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libweft.so: $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(LDFLAGS) $(LDLIBS)

# The CLI is a client of the public API only (include/weft.h); `weft serve`
# also links libmicrohttpd.
CLI_LDLIBS = -lmicrohttpd
$(BUILD)/weft: $(CLI_OBJ) $(BUILD)/libweft.so
	$(CC) -o $@ $(CLI_OBJ) -L$(BUILD) -lweft -Wl,-rpath,'$$ORIGIN' -Wl,-rpath,'$$ORIGIN/../lib' $(LDFLAGS) $(LDLIBS) $(CLI_LDLIBS)

# Unit tests may use internal headers: link the static archive.
$(BUILD)/test_unit: $(TEST_OBJ) $(BUILD)/libweft.a
	$(CC) -o $@ $(TEST_OBJ) $(BUILD)/libweft.a $(LDFLAGS) $(LDLIBS)

# Fuzz corpus replay: the fuzz targets linked with a plain main() that feeds
# each corpus file once (no libFuzzer needed to replay).
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
$(BUILD)/fuzz-replay/%: fuzz/fuzz_%.c fuzz/replay_main.c $(BUILD)/libweft.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ fuzz/fuzz_$*.c fuzz/replay_main.c $(BUILD)/libweft.a $(LDFLAGS) $(LDLIBS)

setup:
	@scripts/setup.sh

unit: $(BUILD)/test_unit
	$(BUILD)/test_unit

spec: $(BUILD)/weft
	scripts/spec.sh $(BUILD)

fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)
	scripts/fuzz-replay.sh $(BUILD) $(FUZZ_TARGETS)

check: setup
	$(MAKE) all $(BUILD)/test_unit $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)
	scripts/check.sh $(BUILD) $(FUZZ_TARGETS)

SANITIZE = -fsanitize=address,undefined
asan: setup
	$(MAKE) BUILD=build-asan OPT=-O1 \
	  EXTRA_CFLAGS="$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  EXTRA_LDLIBS="$(SANITIZE)" \
	  all build-asan/test_unit $(FUZZ_TARGETS:%=build-asan/fuzz-replay/%)
	# WEFT_SANITIZE: test scripts that compile programs against the build link with it.
	ASAN_OPTIONS=handle_segv=0:detect_leaks=1 WEFT_SANITIZE="$(SANITIZE)" \
	  scripts/check.sh build-asan $(FUZZ_TARGETS)

# Explicit bounds checks (-DWF_BOUNDS_CHECK): memcheck would report the
# guard-page faults of the default build as invalid accesses.
valgrind: setup
	$(MAKE) BUILD=build-vg OPT="-O1 -g" EXTRA_CFLAGS=-DWF_BOUNDS_CHECK \
	  build-vg/weft build-vg/test_unit
	scripts/valgrind.sh build-vg

bench: setup all
	bench/run.sh $(BUILD)

demo: setup all
	scripts/demo.sh $(BUILD)

# libFuzzer builds (clang): the library is compiled once with coverage
# instrumentation into build/fuzz/libweft-fuzz.a, then each target links it:
#   build/fuzz/core -max_total_time=600 fuzz/corpus/core
FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJ := $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
# clang 14 takes tens of minutes on the interpreter's dispatch function with
# UBSan: it gets ASan + coverage here (UBSan covers it in `make asan`, gcc).
FUZZ_SAN_OVERRIDE = -fno-sanitize=undefined
$(BUILD)/fuzz/obj/src/core/interp.o: FUZZ_EXTRA = $(FUZZ_SAN_OVERRIDE)
$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(FUZZ_EXTRA) -c $< -o $@
$(BUILD)/fuzz/libweft-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/fuzz/%: fuzz/fuzz_%.c $(BUILD)/fuzz/libweft-fuzz.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz/libweft-fuzz.a -lm -lpthread -lcurl -lffi -larchive -ldl
fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

# Install the CLI, the library and the public headers (weft.h for
# embedders, weft_host.h for host-bundle authors, weft_hosts.h, weft_wasi.h,
# weft_serve.h): make install PREFIX=/usr/local [DESTDIR=...].
PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 755 $(BUILD)/weft $(DESTDIR)$(PREFIX)/bin/weft
	install -m 755 $(BUILD)/libweft.so $(DESTDIR)$(PREFIX)/lib/libweft.so
	install -m 644 $(BUILD)/libweft.a $(DESTDIR)$(PREFIX)/lib/libweft.a
	install -m 644 include/*.h $(DESTDIR)$(PREFIX)/include/

clean:
	rm -rf build build-asan build-vg

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

# The libraries a program linked against libweft.a needs (bench, tests).
print-ldlibs:
	@echo $(LDLIBS)
