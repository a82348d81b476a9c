#!/usr/bin/env bash
# One command to a running FastDSO: virtualenv, install, migrate, demo data
# (marked as demo; FASTDSO_DEMO=0 starts empty), logins (printed), then the
# web server (gunicorn; Django's runserver only with DEBUG=1) and the
# django-q2 worker on http://127.0.0.1:8000.
# Ctrl-C or SIGTERM stops both within 10 s and leaves no process behind.
#
#   FASTDSO_BIND=127.0.0.1:8000  WEB_CONCURRENCY=2 (gunicorn workers)
#   WEB_THREADS=4 (threads per worker)  Q_WORKERS=2 (django-q2 workers)
#   FASTDSO_DEMO=1|0  FASTDSO_DEMO_SIZE=small|medium|large
source "$(dirname "$0")/_venv.sh"
ensure_venv requirements.txt
BIND="${FASTDSO_BIND:-127.0.0.1:8000}"
export FASTDSO_DEMO_SIZE="${FASTDSO_DEMO_SIZE:-small}"
python manage.py migrate --noinput
python manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true
if [ "${FASTDSO_DEMO:-1}" = "0" ]; then
  python manage.py seed_demo --users-only
else
  python manage.py seed_demo --size "$FASTDSO_DEMO_SIZE" --if-empty
fi

# Each server runs in a session of its own (setsid): its process group holds
# gunicorn's workers, or qcluster's sentinel, monitor, pusher and workers.
# Stopping asks each server's main process to stop (SIGTERM: gunicorn ends
# its requests, qcluster its workers, in ~2 s), then kills whatever is left
# in those groups after 7 s (a task still running: its job is reported
# failed by the worker that finds it), so nothing is left to init.
PIDS=()
group_alive() { ps -o stat= --sid "$1" 2>/dev/null | grep -qv '^Z'; }
stop() {
  trap - INT TERM EXIT
  echo "FastDSO: deteniendo…" >&2
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  local deadline=$((SECONDS + 7)) alive
  while [ "$SECONDS" -lt "$deadline" ]; do
    alive=0
    for pid in "${PIDS[@]}"; do group_alive "$pid" && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  exit 0
}
trap stop INT TERM EXIT

setsid python manage.py qcluster &
PIDS+=("$!")
if [ "${DEBUG:-0}" = "1" ]; then
  setsid python manage.py runserver --noreload "$BIND" &
else
  setsid gunicorn fastdso.wsgi:application \
    --bind "$BIND" \
    --workers "${WEB_CONCURRENCY:-2}" \
    --threads "${WEB_THREADS:-4}" \
    --timeout "${WEB_TIMEOUT:-300}" \
    --graceful-timeout 5 --no-control-socket \
    --max-requests 2000 --max-requests-jitter 200 \
    --access-logfile - &
fi
PIDS+=("$!")
echo
echo "FastDSO: http://$BIND/  (inicie sesión con uno de los usuarios de arriba; Ctrl-C detiene todo)"
# Either server ending ends both.
wait -n "${PIDS[@]}" || true
