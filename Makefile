# stoa: the only entry points a user needs.
#   make run    install what is missing, build, create ./data with a demo instance, serve :8080
#   make test   install what is missing, build, run every test (unit, integration, client suite,
#               and the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer)
#   make build  build build/stoa (Release with debug info)
#   make bench  run the benchmarks (see BENCHMARKS.md)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DATA ?= data
LISTEN ?= 127.0.0.1:8080
BUILD_DIR ?= build
ASAN_DIR ?= build-asan

.PHONY: all build run test test-unit test-asan test-client bench deps deps-test deps-bench clean

all: build

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

deps-bench:
	@scripts/install-deps.sh bench

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD_DIR)/build.ninja
	@ninja -C $(BUILD_DIR) -j $(JOBS) stoa stoa_default_model

run: build
	@mkdir -p $(DATA)
	@if [ ! -f $(DATA)/stoa.db ]; then \
	  echo "Creating $(DATA)/stoa.db and seeding a demo instance..."; \
	  ./$(BUILD_DIR)/stoa demo --data $(DATA) >/dev/null || exit 1; \
	fi
	@echo
	@echo "stoa is starting on http://$(LISTEN)"
	@./$(BUILD_DIR)/stoa demo --data $(DATA)
	@echo "Sign in from a Mastodon app or library at http://$(LISTEN) (Ctrl-C stops the server)."
	@echo
	@exec ./$(BUILD_DIR)/stoa serve --data $(DATA) --listen $(LISTEN)

test: deps-test $(BUILD_DIR)/build.ninja
	@ninja -C $(BUILD_DIR) -j $(JOBS)
	@$(MAKE) --no-print-directory test-unit test-client test-asan

test-unit:
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-client:
	@STOA_BIN=$(CURDIR)/$(BUILD_DIR)/stoa tests/client/run.sh

test-asan:
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTOA_SANITIZE=ON -DSTOA_BUILD_BENCH=OFF >/dev/null
	@ninja -C $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

bench: deps-bench $(BUILD_DIR)/build.ninja
	@ninja -C $(BUILD_DIR) -j $(JOBS)
	@bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
