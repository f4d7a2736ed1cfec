#!/bin/sh
# Registers the namespace and the search attributes custom-integrations writes (src/temporal/search-attributes.ts),
# retrying until the server answers. Runs in temporalio/admin-tools after the server is up, on every
# `docker compose up`; it is idempotent: an existing namespace is left alone, and creating a search attribute that
# already exists with the same type is a no-op (a different type is an error, reported by the CLI).
#
#   TEMPORAL_ADDRESS     host:port of the frontend (required)
#   NAMESPACE            namespace to create (default: default)
#   NAMESPACE_RETENTION  retention of closed workflow runs for a new namespace (default: 72h)
#   SEARCH_ATTRIBUTES    space-separated Name=Type pairs, e.g. "CustomIntegration=Keyword"
#   MAX_ATTEMPTS, SLEEP_SECONDS  retry budget of each step (default: 60 attempts, 2 s apart)
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
NAMESPACE=${NAMESPACE:-default}
NAMESPACE_RETENTION=${NAMESPACE_RETENTION:-72h}
SEARCH_ATTRIBUTES=${SEARCH_ATTRIBUTES:-}
MAX_ATTEMPTS=${MAX_ATTEMPTS:-60}
SLEEP_SECONDS=${SLEEP_SECONDS:-2}

# retry DESCRIPTION COMMAND...: runs COMMAND until it succeeds, at most MAX_ATTEMPTS times.
retry() {
  description=$1
  shift
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
      echo "Gave up: $description (after $attempt attempts)" >&2
      return 1
    fi
    echo "Waiting: $description (attempt $attempt/$MAX_ATTEMPTS)"
    attempt=$((attempt + 1))
    sleep "$SLEEP_SECONDS"
  done
}

server_serving() {
  temporal operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -q SERVING
}

ensure_namespace() {
  temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1 ||
    temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" \
      --retention "$NAMESPACE_RETENTION" --description "custom-integrations"
}

for pair in $SEARCH_ATTRIBUTES; do
  case "$pair" in
    ?*=?*) ;;
    *) echo "SEARCH_ATTRIBUTES: expected Name=Type pairs, got '$pair'" >&2; exit 2 ;;
  esac
done

create_search_attributes() {
  # One call with a --name/--type pair per attribute.
  set --
  for pair in $SEARCH_ATTRIBUTES; do
    set -- "$@" --name "${pair%%=*}" --type "${pair#*=}"
  done
  temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" "$@"
}

# The namespace cache of the server catches up a few seconds after a change: wait until every attribute is listed.
search_attributes_listed() {
  listed=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" 2>/dev/null) || return 1
  for pair in $SEARCH_ATTRIBUTES; do
    printf '%s\n' "$listed" | grep -qw "${pair%%=*}" || return 1
  done
}

retry "Temporal server at $TEMPORAL_ADDRESS to be serving" server_serving
retry "namespace $NAMESPACE" ensure_namespace
echo "Namespace $NAMESPACE is registered"
if [ -n "$SEARCH_ATTRIBUTES" ]; then
  retry "search attributes on $NAMESPACE" create_search_attributes
  retry "search attributes to be listed on $NAMESPACE" search_attributes_listed
  echo "Search attributes registered on $NAMESPACE: $SEARCH_ATTRIBUTES"
fi
