# Sluice — the two commands:
#   make run    install what is missing, build, start the server (data in ./data)
#   make test   install what is missing, build, run every test (plus unit tests under ASan/UBSan)
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
DATA_DIR   ?= $(CURDIR)/data

.PHONY: all deps test-deps build build-asan run test test-unit test-asan fuzz bench clean format

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSL_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

run: build
	@mkdir -p $(DATA_DIR)
	$(BUILD)/server/sluice-server --data-dir $(DATA_DIR) $(ARGS)

# Everything: unit, fuzz-corpus replay and interop tests on the normal build, then the unit
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
test: test-deps build build-asan
	cd $(BUILD) && ctest --output-on-failure --timeout 600
	cd $(ASAN_BUILD) && ctest --output-on-failure -L unit --timeout 600

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit

# libFuzzer over the fuzz targets for FUZZ_SECONDS each (needs clang).
FUZZ_SECONDS ?= 60
fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DSL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@for t in build-fuzz/tests/fuzz/fuzz_*; do \
	  name=$$(basename $$t | sed 's/^fuzz_//'); \
	  mkdir -p build-fuzz/corpus/$$name; \
	  $$t -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/$$name tests/fuzz/corpus/$$name || exit 1; \
	done

bench: test-deps build
	bench/run.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
