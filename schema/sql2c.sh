#!/bin/sh
# sql2c.sh NAME FILE: FILE's text as a C string constant NAME, so that the
# programs carry their schema and need no data files at run time.
set -eu
name=$1 file=$2
echo "/* Generated from $(basename "$file") by sql2c.sh: do not edit. */"
echo "const char $name[] ="
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$file"
echo ";"
