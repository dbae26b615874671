# scanlens build. `make` builds build/scanlens; `make test` and `make demo` first install
# the Debian packages the build and tests need (scripts/install-deps.sh), as the README says.
# Header dependencies are tracked by the compiler (-MMD), not by hand.

CC      ?= cc
PKGS    := libpcap libisal libzstd liblzma sqlite3
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
DEPCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libbz2 has no pkg-config file in Debian 12
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lisal -lzstd -llzma -lsqlite3) -lbz2 -lm -lpthread
# the unit tests make gzip data with zlib
TEST_LDLIBS = $(shell pkg-config --libs zlib 2>/dev/null || echo -lz)
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(filter-out src/cli/main.c,$(shell find src -name '*.c' | sort))
MAIN_SRC := src/cli/main.c
GEN_SRC  := build/gen/fingerprints_builtin.c
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

OBJ      := $(patsubst %.c,build/obj/%.o,$(LIB_SRC) $(MAIN_SRC) $(GEN_SRC))
SAN_LIB  := $(patsubst %.c,build/san/%.o,$(LIB_SRC) $(GEN_SRC))
SAN_OBJ  := $(SAN_LIB) build/san/src/cli/main.o
UNIT_BIN := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRC))

.PHONY: all deps demo test check unit clean format captures bench fuzz
# Objects built on the way to a pattern target are kept, not deleted as intermediates.
.SECONDARY:
all: build/scanlens

# Link-time optimisation inlines the small accessors of the opaque handles (agg_record, ...)
# into the loops over millions of records: about 5% on bench/. `make RELEASE_FLAGS=` for a
# compiler without it.
RELEASE_FLAGS ?= -flto=auto

build/scanlens: $(OBJ)
	$(CC) $(CFLAGS) $(RELEASE_FLAGS) -o $@ $^ $(LDLIBS)

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(RELEASE_FLAGS) $(DEPCFLAGS) -MMD -MP -c -o $@ $<

# The shipped rules are compiled in, so the binary works without an installed data file.
$(GEN_SRC): data/fingerprints.conf scripts/embed-text.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-text.sh fprules_builtin_text $< > $@

# ThreadSanitizer build: the tests read with several threads under it.
TSAN_OBJ := $(patsubst %.c,build/tsan/%.o,$(LIB_SRC) $(MAIN_SRC) $(GEN_SRC))
build/tsan/scanlens: $(TSAN_OBJ)
	$(CC) -fsanitize=thread -o $@ $^ $(LDLIBS)

build/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -g -fsanitize=thread $(DEPCFLAGS) -MMD -MP -c -o $@ $<

# Sanitizer build: what the tests run.
build/san/scanlens: $(SAN_OBJ)
	$(CC) $(SANFLAGS) -o $@ $^ $(LDLIBS)

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -O2,$(CFLAGS)) $(SANFLAGS) $(DEPCFLAGS) -MMD -MP -c -o $@ $<

build/san/tests/%: tests/unit/%.c tests/unit/check.h $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -O2,$(CFLAGS)) $(SANFLAGS) $(DEPCFLAGS) -Isrc -o $@ $< $(SAN_LIB) $(LDLIBS) $(TEST_LDLIBS)

# Fuzz targets (libFuzzer, clang): tests/fuzz/*.c; tests/run.sh runs each briefly.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_LIB := $(patsubst %.c,build/fuzz/obj/%.o,$(LIB_SRC) $(GEN_SRC))
FUZZFLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang -std=c17 -D_GNU_SOURCE $(FUZZFLAGS) $(DEPCFLAGS) -MMD -MP -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	clang -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined $(DEPCFLAGS) -Isrc -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz: $(FUZZ_BIN)

deps:
	sh scripts/install-deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	./build/scanlens analyze -o out/demo tests/captures/demo-month.pcap.gz
	@echo "Report written to out/demo/report.html (with the figures as .svg and the data as .csv and .json)"

unit: $(UNIT_BIN)

check: build/scanlens build/san/scanlens build/tsan/scanlens $(UNIT_BIN) $(FUZZ_BIN)
	bash tests/run.sh

test: deps
	@$(MAKE) --no-print-directory check

captures:
	sh scripts/make-captures.sh

format:
	clang-format -i $$(find src tests/unit bench -name '*.[ch]')

clean:
	rm -rf build out

-include $(shell find build -name '*.d' 2>/dev/null)
