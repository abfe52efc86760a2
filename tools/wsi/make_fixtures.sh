#!/bin/sh
# Regenerates tests/fixtures/wsi/ from the official SemEval jars (needs Java 17 and /usr/bin/python3).
set -e
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 tools/wsi/make_fixtures.py
