#!/bin/sh
# Turns a text file into a C string constant: embed-text.sh SYMBOL FILE > out.c
# (C17 has no #embed; this keeps the shipped fingerprint rules inside the binary.)
set -eu
symbol=$1
file=$2
printf '/* Generated from %s by scripts/embed-text.sh; do not edit. */\n' "$file"
printf 'const char %s[] =\n' "$symbol"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/\\n"/' "$file"
printf '    ;\n'
