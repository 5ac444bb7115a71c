# Builds the libFuzzer harnesses (tests/fuzz/fuzz-*.c) into $(O), for
# scripts/fuzz and tests/fuzz.sh:
#   make -f tests/fuzz/fuzz.mk top=SRCDIR O=OUTDIR [CC=clang]
# Each harness links only the parsers it reaches, against the modules
# compiled once here with coverage, AddressSanitizer and UBSan. No configure
# run: the few macros config.h holds are written below.

top ?= .
O ?= $(top)/_build/fuzz
CC = clang
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
CFLAGS = -g -O1 $(SAN) -std=gnu11
CPPFLAGS = -include $(O)/config.h -I$(top)/daemon -D_GNU_SOURCE
PKGS = libconfig jansson libesmtp-1.0 libcurl libssl libcrypto sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# libcsv ships no pkg-config file.
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lcsv

# The modules the parsers need: conf.c reaches the mail and webhook
# settings; the importer (csvread, mapping, import) writes into a case
# database made from the schema (casedb, schema, and the SQL carried in
# the program, generated here as make does it; and progress, which it
# tells how far it has got).
MODULES = util address diag date tz holfile calendar cfg rules conf tmpl message mail webhook \
	csvread mapping import progress schema casedb casedb-sql
HARNESSES = $(patsubst $(top)/tests/fuzz/%.c,%,$(wildcard $(top)/tests/fuzz/fuzz-*.c))

all: $(addprefix $(O)/,$(HARNESSES))

$(O)/config.h: $(top)/configure.ac $(top)/tests/fuzz/fuzz.mk
	@mkdir -p $(O)
	{ echo '#define PACKAGE_VERSION "'$$(sed -n 's/^AC_INIT(\[[^]]*\], \[\([^]]*\)\].*/\1/p' $(top)/configure.ac)'"'; \
	  echo '#define ZONEINFO_DIR "/usr/share/zoneinfo"'; \
	  echo '#define CONFIG_DEFAULT "/etc/casewatch/casewatch.conf"'; } >$@.tmp && mv $@.tmp $@

$(O)/casedb-sql.c: $(top)/schema/casedb.sql $(top)/schema/sql2c.sh
	@mkdir -p $(O)
	sh $(top)/schema/sql2c.sh casedb_schema_sql $(top)/schema/casedb.sql >$@.tmp && mv $@.tmp $@

# The schema's text: data, not code worth coverage or sanitizers.
$(O)/obj/casedb-sql.o: $(O)/casedb-sql.c
	@mkdir -p $(O)/obj
	$(CC) -c $< -o $@

# Modules get coverage only (fuzzer-no-link): libFuzzer's main is linked once.
$(O)/obj/%.o: $(top)/daemon/%.c $(O)/config.h
	@mkdir -p $(O)/obj
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(O)/obj/fuzz-%.o: $(top)/tests/fuzz/fuzz-%.c $(O)/config.h
	@mkdir -p $(O)/obj
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(O)/libfuzz.a: $(addprefix $(O)/obj/,$(addsuffix .o,$(MODULES)))
	rm -f $@ && ar rcs $@ $^

$(O)/fuzz-%: $(O)/obj/fuzz-%.o $(O)/libfuzz.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $^ $(PKG_LIBS) -o $@

.PHONY: all
.SECONDARY:
-include $(wildcard $(O)/obj/*.d)
