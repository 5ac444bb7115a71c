# systemd integration: the unit, and the sysusers.d and tmpfiles.d snippets.
# Included from the top-level Makefile.am, so paths are from the top.

# The unit names installed programs and files: substitute at make time, so
# that `make prefix=...` gets the same folders as the programs it installs.
# The template may use @bindir@, @sbindir@ and @sysconfdir@.
systemdsystemunit_DATA = contrib/systemd/casewatchd.service
contrib/systemd/casewatchd.service: $(top_srcdir)/contrib/systemd/casewatchd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd && \
	sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sbindir[@]|$(sbindir)|g' \
		-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(top_srcdir)/contrib/systemd/casewatchd.service.in >$@.tmp && \
	mv $@.tmp $@

# systemd-sysusers and systemd-tmpfiles read only *.conf, and both snippets
# install as casewatch.conf: a copy under the folder's name gives each its
# name for automake's own install and uninstall rules.
sysusers_DATA = contrib/systemd/sysusers.d/casewatch.conf
contrib/systemd/sysusers.d/casewatch.conf: $(top_srcdir)/contrib/systemd/casewatch.sysusers
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd/sysusers.d && \
	cat $(top_srcdir)/contrib/systemd/casewatch.sysusers >$@
tmpfiles_DATA = contrib/systemd/tmpfiles.d/casewatch.conf
contrib/systemd/tmpfiles.d/casewatch.conf: $(top_srcdir)/contrib/systemd/casewatch.tmpfiles
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd/tmpfiles.d && \
	cat $(top_srcdir)/contrib/systemd/casewatch.tmpfiles >$@

CLEANFILES += \
	contrib/systemd/casewatchd.service \
	contrib/systemd/sysusers.d/casewatch.conf \
	contrib/systemd/tmpfiles.d/casewatch.conf

EXTRA_DIST += \
	contrib/systemd/casewatchd.service.in \
	contrib/systemd/casewatch.sysusers \
	contrib/systemd/casewatch.tmpfiles

# The folders come from systemd.pc and lie outside the prefix: distcheck
# installs as an ordinary user under its own prefix.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir="$${dc_install_base}/lib/systemd/system" \
	--with-sysusersdir="$${dc_install_base}/lib/sysusers.d" \
	--with-tmpfilesdir="$${dc_install_base}/lib/tmpfiles.d"

shell_tests += tests/systemd-unit.sh
