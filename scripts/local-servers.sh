#!/usr/bin/env bash
# Real local servers for the accounts service and its tests, on 127.0.0.1 over TCP:
#   store  = FerretDB (MongoDB wire protocol) on SQLite, built from the Go module proxy
#   broker = Apache Kafka 4.x, one KRaft node (broker+controller), jars fetched by Maven
#
# usage: scripts/local-servers.sh start|stop|status run|test|outage [store|broker|all]
#
#   profile  store             broker (controller)       data
#   run      127.0.0.1:27017   127.0.0.1:9092  (9093)    .data/run/
#   test     127.0.0.1:27117   127.0.0.1:19092 (19093)   .data/test/
#   outage   127.0.0.1:27217   127.0.0.1:29092 (29093)   .data/outage/  (broker-outage tests stop/start it)
#
# Ports: LOCAL_STORE_PORT, LOCAL_BROKER_PORT, LOCAL_CONTROLLER_PORT override the profile's.
# ACCOUNTS_MONGODB_URI set         -> the store is not started (the external one is used).
# ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS -> the broker is not started (the external one is used).
# Builds/downloads are cached in .cache/ (build logs in .cache/logs/, shown on failure);
# server data and logs live in .data/<profile>/{store,broker}/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
KAFKA_POM="$ROOT/scripts/kafka/pom.xml"
KAFKA_PROBE_SRC="$ROOT/scripts/kafka/KafkaReady.java"

FERRETDB_VERSION=1.24.2
FERRETDB_BIN="$CACHE/bin/ferretdb-v$FERRETDB_VERSION"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM")"
KAFKA_LIBS="$CACHE/kafka/libs"
KAFKA_PROBE_DIR="$CACHE/kafka/probe"
# Fixed KRaft cluster id (base64 of 16 bytes); each profile has its own data dir anyway.
KAFKA_CLUSTER_ID="TG9jYWxBY2NvdW50c0thZg"
KAFKA_HEAP=(-Xms128m -Xmx512m)

STORE_READY_TIMEOUT=30
BROKER_READY_TIMEOUT=120
STOP_TIMEOUT=20

usage() {
  echo "usage: $0 start|stop|status run|test|outage [store|broker|all]" >&2
  exit 2
}

die() {
  echo "$*" >&2
  exit 1
}

ACTION="${1:-}"
PROFILE="${2:-}"
WHAT="${3:-all}"
case "$ACTION" in start | stop | status) ;; *) usage ;; esac
case "$PROFILE" in
  run) def_store=27017 def_broker=9092 def_ctrl=9093 ;;
  test) def_store=27117 def_broker=19092 def_ctrl=19093 ;;
  outage) def_store=27217 def_broker=29092 def_ctrl=29093 ;;
  *) usage ;;
esac
case "$WHAT" in store | broker | all) ;; *) usage ;; esac
[[ $# -le 3 ]] || usage

STORE_PORT="${LOCAL_STORE_PORT:-$def_store}"
BROKER_PORT="${LOCAL_BROKER_PORT:-$def_broker}"
CTRL_PORT="${LOCAL_CONTROLLER_PORT:-$def_ctrl}"
for p in "$STORE_PORT" "$BROKER_PORT" "$CTRL_PORT"; do
  if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then die "invalid port: $p"; fi
done

DATA="$ROOT/.data/$PROFILE"
STORE_DIR="$DATA/store"
BROKER_DIR="$DATA/broker"
STORE_PIDFILE="$STORE_DIR/ferretdb.pid"
BROKER_PIDFILE="$BROKER_DIR/kafka.pid"

want_store() { [[ $WHAT == all || $WHAT == store ]]; }
want_broker() { [[ $WHAT == all || $WHAT == broker ]]; }
store_external() { [[ -n ${ACCOUNTS_MONGODB_URI:-} ]]; }
broker_external() { [[ -n ${ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS:-} ]]; }

store_line() { echo "store: mongodb://127.0.0.1:$STORE_PORT (FerretDB $FERRETDB_VERSION)"; }
broker_line() { echo "broker: 127.0.0.1:$BROKER_PORT (Kafka $KAFKA_VERSION)"; }

# ---------------------------------------------------------------- helpers

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_of PIDFILE PATTERN: prints the pid if the process is alive and its command line
# contains PATTERN (guards against a recycled pid); fails otherwise.
pid_of() {
  local pid
  [[ -f $1 ]] || return 1
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

# owns_port PID PORT: true if process PID holds the listening socket on PORT (so a ready
# answer really comes from the server just started, not from another one on that port).
owns_port() {
  local hexport inode fd
  hexport="$(printf '%04X' "$2")"
  while read -r inode; do
    for fd in "/proc/$1/fd/"*; do
      [[ "$(readlink "$fd" 2>/dev/null)" == "socket:[$inode]" ]] && return 0
    done
  done < <(awk -v p=":$hexport" '$4 == "0A" && $2 ~ (p "$") {print $10}' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  [[ -r /proc/net/tcp ]] || return 0 # no procfs: cannot tell, assume yes
  return 1
}

store_pid() { pid_of "$STORE_PIDFILE" "$STORE_DIR/"; }
broker_pid() { pid_of "$BROKER_PIDFILE" "$BROKER_DIR/"; }

# Sends an OP_MSG {ping: 1, $db: "admin"} and checks the reply has ok: 1.
store_ping() (
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  printf '\x33\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00\x1e\x00\x00\x00\x10ping\x00\x01\x00\x00\x00\x02$db\x00\x06\x00\x00\x00admin\x00\x00' >&3 || exit 1
  len="$(timeout 3 head -c 4 <&3 | od -An --endian=little -tu4 | tr -d ' \n')"
  [[ $len =~ ^[0-9]+$ ]] && ((len > 16 && len < 1048576)) || exit 1
  body="$(timeout 3 head -c $((len - 4)) <&3 | od -An -v -tx1 | tr -d ' \n')"
  [[ $body == *016f6b00000000000000f03f* || $body == *106f6b0001000000* ]]
) 2>/dev/null

# spawn PIDFILE LOG CMD...: runs CMD detached (own session, no stdin), appending to LOG.
spawn() {
  local pidfile="$1" log="$2"
  shift 2
  # (9>&- below: the server must not inherit the lock held on fd 9)
  rm -f "$pidfile"
  if command -v setsid >/dev/null 2>&1; then
    setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&- &
  else
    nohup bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&- &
  fi
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  die "could not start: $*"
}

# show_failure WHAT LOG: prints the tail of a log to stderr.
show_failure() {
  echo "$1 (last lines of $2):" >&2
  tail -n 40 "$2" >&2 2>/dev/null || true
}

# ---------------------------------------------------------------- store (FerretDB)

need_go_msg="go not found: set ACCOUNTS_MONGODB_URI to a MongoDB 6+ server, or use docker/ (docker compose up)"

build_ferretdb() {
  local log="$CACHE/logs/build-ferretdb.log" src="$CACHE/src/ferretdb-v$FERRETDB_VERSION" moddir
  command -v go >/dev/null 2>&1 || die "$need_go_msg"
  mkdir -p "$CACHE/bin" "$CACHE/logs" "$CACHE/src"
  : >"$log"
  # The module zip lacks build/version/version.txt (generated at release time) and the
  # binary panics without it, so build from a copy of the module source with it filled in.
  if ! {
    moddir="$(cd "$CACHE" && GOFLAGS="" GOWORK=off go mod download -json \
      "github.com/FerretDB/FerretDB@v$FERRETDB_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" &&
      [[ -n $moddir && -d $moddir ]] &&
      rm -rf "$src" && cp -R "$moddir" "$src" && chmod -R u+w "$src" &&
      echo "v$FERRETDB_VERSION" >"$src/build/version/version.txt" &&
      echo "local" >"$src/build/version/package.txt" &&
      (cd "$src" && CGO_ENABLED=0 GOFLAGS="" GOWORK=off go build -buildvcs=false -trimpath \
        -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) &&
      "$FERRETDB_BIN.tmp" --version &&
      mv -f "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  } >>"$log" 2>&1; then
    show_failure "store: building FerretDB $FERRETDB_VERSION failed" "$log"
    exit 1
  fi
  rm -rf "$src"
}

# Sets AWAIT_STORE: 1 = await (launched now, or already starting), 2 = already running,
# 3 = external (lines are printed afterwards, store first).
AWAIT_STORE=0
launch_store() {
  if store_external; then
    AWAIT_STORE=3
    return 0
  fi
  local pid
  if pid="$(store_pid)"; then
    pid_of "$STORE_PIDFILE" "--listen-addr=127.0.0.1:$STORE_PORT " >/dev/null ||
      die "store: already running for profile $PROFILE on another port (pid $pid): stop it first"
    if port_open "$STORE_PORT"; then
      AWAIT_STORE=2
    else
      AWAIT_STORE=1 # starting up (or stuck): wait for it below
    fi
    return 0
  fi
  port_open "$STORE_PORT" && die "store: port 127.0.0.1:$STORE_PORT is in use by another process (set LOCAL_STORE_PORT or ACCOUNTS_MONGODB_URI)"
  [[ -x $FERRETDB_BIN ]] || build_ferretdb
  mkdir -p "$STORE_DIR/db" "$STORE_DIR/state"
  spawn "$STORE_PIDFILE" "$STORE_DIR/ferretdb.log" "$FERRETDB_BIN" \
    --handler=sqlite --sqlite-url="file:$STORE_DIR/db/" --state-dir="$STORE_DIR/state" \
    --listen-addr="127.0.0.1:$STORE_PORT" --debug-addr=- --telemetry=disable \
    --log-level=info --log-format=text
  AWAIT_STORE=1
}

await_store() {
  local i
  for ((i = 0; i < STORE_READY_TIMEOUT * 5; i++)); do
    if ! store_pid >/dev/null; then
      show_failure "store: FerretDB exited during startup" "$STORE_DIR/ferretdb.log"
      exit 1
    fi
    if store_ping "$STORE_PORT"; then
      owns_port "$(store_pid)" "$STORE_PORT" ||
        die "store: another process answers on 127.0.0.1:$STORE_PORT (see $STORE_DIR/ferretdb.log)"
      store_line
      return 0
    fi
    sleep 0.2
  done
  show_failure "store: FerretDB not ready after ${STORE_READY_TIMEOUT}s" "$STORE_DIR/ferretdb.log"
  exit 1
}

# ---------------------------------------------------------------- broker (Kafka)

need_java_msg="java not found: set ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS to a Kafka broker, or use docker/ (docker compose up)"
need_mvn_msg="mvn not found: set ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS to a Kafka broker, or use docker/ (docker compose up)"
need_javac_msg="javac not found (install a JDK 17+): set ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS to a Kafka broker, or use docker/ (docker compose up)"

fetch_kafka() {
  local stamp="$KAFKA_LIBS/.fetched" want log="$CACHE/logs/fetch-kafka.log"
  want="$(cksum <"$KAFKA_POM")"
  if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    command -v mvn >/dev/null 2>&1 || die "$need_mvn_msg"
    mkdir -p "$CACHE/kafka" "$CACHE/logs"
    rm -rf "$KAFKA_LIBS.tmp"
    if ! mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$KAFKA_LIBS.tmp" >"$log" 2>&1; then
      show_failure "broker: fetching Kafka $KAFKA_VERSION with Maven failed" "$log"
      exit 1
    fi
    rm -rf "$KAFKA_LIBS" "$KAFKA_PROBE_DIR"
    mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
    echo "$want" >"$stamp"
  fi
  if [[ ! -f $KAFKA_PROBE_DIR/KafkaReady.class || $KAFKA_PROBE_SRC -nt $KAFKA_PROBE_DIR/KafkaReady.class ]]; then
    command -v javac >/dev/null 2>&1 || die "$need_javac_msg"
    mkdir -p "$KAFKA_PROBE_DIR"
    if ! javac -nowarn -cp "$KAFKA_LIBS/*" -d "$KAFKA_PROBE_DIR" "$KAFKA_PROBE_SRC" >"$CACHE/logs/probe-javac.log" 2>&1; then
      show_failure "broker: compiling the readiness probe failed" "$CACHE/logs/probe-javac.log"
      exit 1
    fi
  fi
}

write_broker_config() {
  mkdir -p "$BROKER_DIR/data"
  cat >"$BROKER_DIR/server.properties" <<EOF
# generated by scripts/local-servers.sh on each start: edit the script, not this file
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CTRL_PORT
listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT,CONTROLLER://127.0.0.1:$CTRL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$BROKER_DIR/data
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=67108864
EOF
  cat >"$BROKER_DIR/log4j2.properties" <<EOF
# generated by scripts/local-servers.sh
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $BROKER_DIR/kafka.log
appender.file.filePattern = $BROKER_DIR/kafka.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.statechange.name = state.change.logger
logger.statechange.level = warn
logger.clients.name = org.apache.kafka.clients
logger.clients.level = warn
EOF
}

java_ok() {
  local v
  v="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  [[ $v =~ ^[0-9]+$ ]] && ((v >= 17))
}

# Sets AWAIT_BROKER like AWAIT_STORE.
AWAIT_BROKER=0
launch_broker() {
  if broker_external; then
    AWAIT_BROKER=3
    return 0
  fi
  command -v java >/dev/null 2>&1 || die "$need_java_msg"
  local pid
  if pid="$(broker_pid)"; then
    pid_of "$BROKER_PIDFILE" "-Dlocal.servers.ports=$BROKER_PORT,$CTRL_PORT " >/dev/null ||
      ! pid_of "$BROKER_PIDFILE" "-Dlocal.servers.ports=" >/dev/null ||
      die "broker: already running for profile $PROFILE on other ports (pid $pid): stop it first"
    if port_open "$BROKER_PORT"; then
      AWAIT_BROKER=2
    else
      AWAIT_BROKER=1 # starting up (or stuck): wait for it below
    fi
    return 0
  fi
  local p
  for p in "$BROKER_PORT" "$CTRL_PORT"; do
    port_open "$p" && die "broker: port 127.0.0.1:$p is in use by another process (set LOCAL_BROKER_PORT/LOCAL_CONTROLLER_PORT or ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS)"
  done
  java_ok || die "broker: Kafka $KAFKA_VERSION needs Java 17+ ($(command -v java) is older)"
  fetch_kafka
  write_broker_config
  local jvm=("${KAFKA_HEAP[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$BROKER_DIR/log4j2.properties" "-Dkafka.logs.dir=$BROKER_DIR"
    -Dlog4j2.shutdownHookEnabled=false "-Dlocal.servers.ports=$BROKER_PORT,$CTRL_PORT")
  if [[ ! -f $BROKER_DIR/data/meta.properties ]]; then
    if ! java "${jvm[@]}" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format \
      --cluster-id "$KAFKA_CLUSTER_ID" --config "$BROKER_DIR/server.properties" --ignore-formatted \
      >"$BROKER_DIR/format.log" 2>&1; then
      show_failure "broker: formatting Kafka storage failed" "$BROKER_DIR/format.log"
      exit 1
    fi
  fi
  spawn "$BROKER_PIDFILE" "$BROKER_DIR/kafka.out" java "${jvm[@]}" -cp "$KAFKA_LIBS/*" \
    kafka.Kafka "$BROKER_DIR/server.properties"
  AWAIT_BROKER=1
}

await_broker() {
  local pid rc=0
  pid="$(broker_pid)" || {
    show_failure "broker: Kafka exited during startup" "$BROKER_DIR/kafka.out"
    exit 1
  }
  fetch_kafka # probe class (normally already there)
  printf 'status = error\nrootLogger.level = off\n' >"$BROKER_DIR/log4j2-probe.properties"
  java -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    "-Dlog4j2.configurationFile=$BROKER_DIR/log4j2-probe.properties" \
    -cp "$KAFKA_LIBS/*:$KAFKA_PROBE_DIR" KafkaReady "127.0.0.1:$BROKER_PORT" "$BROKER_READY_TIMEOUT" "$pid" \
    >"$BROKER_DIR/probe.log" 2>&1 || rc=$?
  if ((rc != 0)); then
    cat "$BROKER_DIR/probe.log" >&2
    if [[ -s $BROKER_DIR/kafka.out ]]; then show_failure "broker: Kafka stdout/stderr" "$BROKER_DIR/kafka.out"; fi
    show_failure "broker: Kafka not ready" "$BROKER_DIR/kafka.log"
    exit 1
  fi
  if ! owns_port "$pid" "$BROKER_PORT" || ! owns_port "$pid" "$CTRL_PORT"; then
    show_failure "broker: another process answers on 127.0.0.1:$BROKER_PORT/$CTRL_PORT" "$BROKER_DIR/kafka.log"
    exit 1
  fi
  broker_line
}

# ---------------------------------------------------------------- stop / status

# stop_server NAME PID PIDFILE PORT...
stop_server() {
  local name="$1" pid="$2" pidfile="$3" i
  shift 3
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "$name: stopped (killed after ${STOP_TIMEOUT}s)"
  else
    echo "$name: stopped"
  fi
  rm -f "$pidfile"
  local p
  for p in "$@"; do
    for ((i = 0; i < 50; i++)); do
      port_open "$p" || break
      sleep 0.1
    done
  done
}

do_stop() {
  local pid
  if want_broker && ! broker_external; then
    if pid="$(broker_pid)"; then
      stop_server broker "$pid" "$BROKER_PIDFILE" "$BROKER_PORT" "$CTRL_PORT"
    else
      rm -f "$BROKER_PIDFILE"
      echo "broker: not running"
    fi
  fi
  if want_store && ! store_external; then
    if pid="$(store_pid)"; then
      stop_server store "$pid" "$STORE_PIDFILE" "$STORE_PORT"
    else
      rm -f "$STORE_PIDFILE"
      echo "store: not running"
    fi
  fi
}

do_status() {
  local pid ok=0
  if want_store; then
    if store_external; then
      echo "store: external (ACCOUNTS_MONGODB_URI)"
    elif pid="$(store_pid)" && port_open "$STORE_PORT"; then
      echo "$(store_line) running, pid $pid, data $STORE_DIR"
    else
      echo "store: stopped"
      ok=3
    fi
  fi
  if want_broker; then
    if broker_external; then
      echo "broker: external (ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS=$ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS)"
    elif pid="$(broker_pid)" && port_open "$BROKER_PORT"; then
      echo "$(broker_line) running, pid $pid, data $BROKER_DIR"
    else
      echo "broker: stopped"
      ok=3
    fi
  fi
  return $ok
}

do_start() {
  # Check every prerequisite before starting anything.
  if want_store && ! store_external && ! store_pid >/dev/null && [[ ! -x $FERRETDB_BIN ]]; then
    command -v go >/dev/null 2>&1 || die "$need_go_msg"
  fi
  if want_broker && ! broker_external; then
    command -v java >/dev/null 2>&1 || die "$need_java_msg"
    [[ -f $KAFKA_LIBS/.fetched ]] || command -v mvn >/dev/null 2>&1 || die "$need_mvn_msg"
  fi
  if want_store; then launch_store; fi
  if want_broker; then launch_broker; fi
  # both were launched before waiting, so they start up in parallel
  case "$AWAIT_STORE" in
    1) await_store ;;
    2) store_line ;;
    3) echo "store: external server from ACCOUNTS_MONGODB_URI (local store not started)" ;;
  esac
  case "$AWAIT_BROKER" in
    1) await_broker ;;
    2) broker_line ;;
    3) echo "broker: external server from ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS=$ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS (local broker not started)" ;;
  esac
  return 0
}

# ---------------------------------------------------------------- main

mkdir -p "$DATA"
# Serialize start/stop per profile (e.g. parallel test workers all calling start).
if [[ $ACTION != status ]] && command -v flock >/dev/null 2>&1; then
  exec 9>"$DATA/.lock"
  flock -w 300 9 || die "timed out waiting for another $0 on profile $PROFILE"
fi

case "$ACTION" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
esac
