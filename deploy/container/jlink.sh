#!/bin/sh
# Creates Atrium's Java runtime: a jlinked JRE with only the modules in jre-modules.txt.
# Usage: jlink.sh <output directory>   (uses $JAVA_HOME/bin/jlink, else jlink on the PATH)
# The Containerfile runs it to build the image's runtime, RestrictedRuntimeTest to build the same one for its run.
set -eu
output="$1"
here="$(cd "$(dirname "$0")" && pwd)"
jlink="${JAVA_HOME:+$JAVA_HOME/bin/}jlink"
modules="$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/jre-modules.txt" | grep -v '^$' | paste -sd, -)"
# --generate-cds-archive: the JDK's own classes come pre-parsed (default CDS archive), as in a full JDK.
exec "$jlink" --add-modules "$modules" --output "$output" \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive
