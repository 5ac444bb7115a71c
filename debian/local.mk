# The Debian package: debian/ goes into the tarball, which is the source
# package (3.0 (native): casewatch is its own upstream). Included from the
# top-level Makefile.am, so paths are from the top.
EXTRA_DIST += \
	debian/casewatch.docs \
	debian/casewatch.lintian-overrides \
	debian/casewatch.postrm \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/local.mk \
	debian/rules \
	debian/source/format

# tests/package.sh builds the package from this tree's tarball, installs it,
# runs it and purges it.
shell_tests += tests/package.sh
