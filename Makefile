# crashcart — a plain Makefile with automatic dependency tracking.
VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
DEFAULT_IMAGE ?= /var/lib/crashcart/crashcart.img

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CPPFLAGS += -D_GNU_SOURCE -DCRASHCART_VERSION='"$(VERSION)"' -DCRASHCART_DEFAULT_IMAGE='"$(DEFAULT_IMAGE)"'
ALL_CFLAGS := -std=gnu11 $(WARNINGS) -fstack-protector-strong -D_FORTIFY_SOURCE=2 $(CFLAGS) $(shell pkg-config --cflags json-c)
LDLIBS += $(shell pkg-config --libs json-c)

B := build
LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(B)/%.o)
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_LIB_SRCS := $(LIB_SRCS) src/build/elfdeps.c src/build/pkglist.c src/build/alternatives.c

LIBDIR ?= $(PREFIX)/lib/crashcart
CPPFLAGS += -DCRASHCART_LIBDIR='"$(LIBDIR)"'

all: $(B)/crashcart $(B)/crashcart-build $(B)/cart-sh.so

# Preloaded into the cart's programs by the cart's loader: their /bin/sh when
# the container has none.
$(B)/cart-sh.so: src/cart/cart-sh.c | $(B)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC -shared -fvisibility=hidden $(LDFLAGS) $< -o $@

# The cart builder: its own program, sharing crashcart's small helpers.
BUILD_SRCS := $(wildcard src/build/*.c) src/fileio.c
$(B)/crashcart-build: $(BUILD_SRCS) $(wildcard src/build/*.h) src/fileio.h src/macro.h | $(B)
	$(CC) $(CPPFLAGS) -Isrc $(ALL_CFLAGS) $(LDFLAGS) $(BUILD_SRCS) -o $@

$(B)/%.o: src/%.c | $(B)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/crashcart: $(B)/main.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# A static binary to drop onto a node during an incident. glibc linked statically
# is safe here: crashcart never calls NSS (it reads the container's user files
# itself), the one part of glibc that needs shared objects at run time.
static: $(B)/crashcart-static

$(B)/static/%.o: src/%.c | $(B)/static
	$(CC) $(CPPFLAGS) -DCRASHCART_STATIC $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/crashcart-static: $(B)/static/main.o $(LIB_SRCS:src/%.c=$(B)/static/%.o)
	$(CC) -static $(ALL_CFLAGS) $(LDFLAGS) $^ $(shell pkg-config --libs --static json-c) -o $@

$(B)/unit-tests: $(UNIT_SRCS) $(UNIT_LIB_SRCS) $(wildcard src/*.h src/build/*.h tests/unit/*.h) | $(B)
	$(CC) $(CPPFLAGS) -Isrc $(ALL_CFLAGS) $(UNIT_SRCS) $(UNIT_LIB_SRCS) $(LDLIBS) -o $@

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
$(B)/unit-tests-asan: $(UNIT_SRCS) $(UNIT_LIB_SRCS) $(wildcard src/*.h src/build/*.h tests/unit/*.h) | $(B)
	$(CC) $(CPPFLAGS) -Isrc -std=gnu11 $(WARNINGS) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
		$(shell pkg-config --cflags json-c) $(UNIT_SRCS) $(UNIT_LIB_SRCS) $(LDLIBS) -o $@

# libFuzzer harnesses for every parser of untrusted input (clang from Debian).
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZERS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/%)
fuzz: $(FUZZERS)

$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(UNIT_LIB_SRCS) $(wildcard src/*.h src/build/*.h) | $(B)
	clang $(CPPFLAGS) -Isrc -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(shell pkg-config --cflags json-c) $< $(UNIT_LIB_SRCS) $(LDLIBS) -o $@

$(B) $(B)/static:
	mkdir -p $@

unit: $(B)/unit-tests $(B)/unit-tests-asan
	$(B)/unit-tests tests/fixtures
	$(B)/unit-tests-asan tests/fixtures

check: all
	@tests/run

install: $(B)/crashcart $(B)/crashcart-build $(B)/cart-sh.so
	install -D -m 0755 $(B)/crashcart $(DESTDIR)$(BINDIR)/crashcart
	install -D -m 0755 $(B)/crashcart-build $(DESTDIR)$(BINDIR)/crashcart-build
	install -D -m 0644 $(B)/cart-sh.so $(DESTDIR)$(LIBDIR)/cart-sh.so
	install -D -m 0644 man/crashcart.1 $(DESTDIR)$(MANDIR)/man1/crashcart.1
	install -D -m 0644 man/crashcart-build.1 $(DESTDIR)$(MANDIR)/man1/crashcart-build.1
	install -D -m 0644 packages/default.list $(DESTDIR)$(PREFIX)/share/crashcart/default.list
	install -D -m 0644 completion/crashcart.bash $(DESTDIR)$(BASHCOMPDIR)/crashcart
	install -D -m 0644 completion/_crashcart $(DESTDIR)$(ZSHCOMPDIR)/_crashcart
	install -d -m 0755 $(DESTDIR)$(dir $(DEFAULT_IMAGE))

clean:
	rm -rf $(B)

.PHONY: all static unit fuzz check install clean

-include $(wildcard $(B)/*.d $(B)/static/*.d)
