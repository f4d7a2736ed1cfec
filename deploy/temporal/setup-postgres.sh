#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases (persistence and visibility), as Temporal's own compose
# setup does (temporalio/samples-server, compose/scripts/setup-postgres.sh). Runs in temporalio/admin-tools before
# the server starts, on every `docker compose up`: creating an existing database and setting up an existing schema
# are no-ops, and update-schema applies only the versions not yet applied.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}" # read by temporal-sql-tool
DB_PORT=${DB_PORT:-5432}
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"
}

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) versioned="$SCHEMA_DIR/temporal/versioned" ;;
    *) versioned="$SCHEMA_DIR/visibility/versioned" ;;
  esac
  echo "Setting up database $db"
  sql_tool --db "$db" create
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$versioned"
done
echo 'PostgreSQL schema setup complete'
