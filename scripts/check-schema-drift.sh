#!/usr/bin/env bash
# Fails when src/db/schema.ts and migrations/ disagree: drizzle-kit generate is run against a copy of
# migrations/ and must find nothing to write. Run it after changing the schema (npm run db:check); CI
# runs it too. The fix is `npm run db:generate`, then reviewing and committing the new migration.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r migrations "$work/migrations"
# drizzle-kit joins --out to the working directory, so it is given a relative path.
out="$(realpath --relative-to=. "$work/migrations")"
npx drizzle-kit generate --dialect postgresql --schema ./src/db/schema.ts --casing snake_case \
  --out "$out" --name drift >"$work/generate.log" 2>&1 || { cat "$work/generate.log"; exit 1; }
if ! diff -rq migrations "$work/migrations" >/dev/null; then
  echo "src/db/schema.ts has changes that no migration holds:"
  diff -r migrations "$work/migrations" | grep '^Only in\|^[<>] ' | head -40 || true
  echo "Run \`npm run db:generate\`, review the SQL, and commit it with the schema change."
  exit 1
fi
echo "schema and migrations agree"
