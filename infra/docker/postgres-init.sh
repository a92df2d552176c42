#!/bin/sh
# One database per service, each owned by its own role: no service can read or change
# another's data, and none runs as the superuser. Passwords come from the environment.
set -eu
for service in registry hazards notifier gateway; do
  password=$(printenv "$(echo "${service}_DB_PASSWORD" | tr '[:lower:]' '[:upper:]')")
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v role="$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
