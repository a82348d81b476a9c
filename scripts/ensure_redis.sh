#!/usr/bin/env bash
# Redis on 127.0.0.1:6379 (the broker and cache of the Redis test leg):
# start redis-server if it is down, install it with apt-get only if absent.
set -euo pipefail
ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if command -v redis-cli >/dev/null 2>&1 && ready; then exit 0; fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis not installed: installing it with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi
redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
for _ in $(seq 1 30); do ready && exit 0; sleep 0.5; done
echo "Redis did not start on 127.0.0.1:6379" >&2
exit 1
