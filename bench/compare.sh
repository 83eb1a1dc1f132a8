#!/usr/bin/env bash
# The same N-table schema (shared/bench/gen_schema.py) through this project, Flask-Migrate, Django
# and Butane, timed in one run on SQLite; prints a markdown table (also written to
# $BENCH_WORK/N/report.md).
#
# usage: bench/compare.sh N [--skip-flask] [--skip-django] [--skip-butane] [--skip-diesel]
#                           [--skip-compiled] [--skip-syn] [--skip-cold-deps] [--skip-callgrind]
#                           [--runs R] [--slow-runs S] [--slow-limit L] [--postgres URL]
#
#   --runs R        timed runs of every fast step (median reported; default 5)
#   --slow-runs S   timed runs of steps that compile (runner rebuilds, Butane edit+build; default 3)
#   --slow-limit L  a step whose first run takes longer than L seconds (default 60) is reported
#                   from that one run (Django's migrate at N=1000 takes minutes)
#   --skip-compiled skips the models crate's compile (cargo check / check --compiled), which takes
#                   minutes at N=200 with Diesel's derives
#   --skip-syn      skips the criterion run that times syn alone on the models file
#   --skip-cold-deps skips the one-shot upgrade in an empty target directory
#   --skip-diesel   skips `diesel print-schema` (installs diesel_cli with bundled SQLite otherwise)
#   --postgres URL  also applies the initial migration to a PostgreSQL database created (and
#                   dropped) on the server of URL, against its floor: the same DDL through
#                   `psql -1` (e.g. postgres://postgres@127.0.0.1:5432/postgres)
#   --skip-callgrind skips the instruction counts (valgrind --tool=callgrind): unlike wall clock,
#                   they do not move when other builds load the machine
#
# Environment: BENCH_WORK (default /tmp/migrate-bench) holds the apps; CARGO_TARGET_DIR (default
# <workspace>/target/bench) is shared by every Rust build of the run and kept between runs.
# Needs python3, cargo, and installs what is missing: hyperfine, sqlite3, GNU time (apt-get),
# alembic flask-migrate flask-sqlalchemy django (pip), butane_cli and diesel_cli (cargo install,
# slow), valgrind (apt-get, for the instruction counts).
set -euo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
N=$1; shift
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 2 ] || usage
SKIP_FLASK=0 SKIP_DJANGO=0 SKIP_BUTANE=0 SKIP_DIESEL=0 SKIP_COMPILED=0 SKIP_SYN=0 SKIP_COLD=0
SKIP_CG=0 R=5 RS=3 SLOW_LIMIT=60 PG_URL=
while [ $# -gt 0 ]; do
    case $1 in
        --skip-flask) SKIP_FLASK=1 ;;
        --skip-django) SKIP_DJANGO=1 ;;
        --skip-butane) SKIP_BUTANE=1 ;;
        --skip-diesel) SKIP_DIESEL=1 ;;
        --skip-callgrind) SKIP_CG=1 ;;
        --skip-compiled) SKIP_COMPILED=1 ;;
        --skip-syn) SKIP_SYN=1 ;;
        --skip-cold-deps) SKIP_COLD=1 ;;
        --runs) R=$2; shift ;;
        --slow-runs) RS=$2; shift ;;
        --slow-limit) SLOW_LIMIT=$2; shift ;;
        --postgres) PG_URL=$2; shift ;;
        *) usage ;;
    esac
    shift
done

HERE=$(cd "$(dirname "$0")" && pwd)
LIVE=$(cd "$HERE/.." && pwd)
SHARED=${SHARED_BENCH:-$(cd "$LIVE/../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)}
GEN="$SHARED/gen_schema.py"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LIVE/target/bench}
T=$CARGO_TARGET_DIR
# Everything this project builds comes from a copy of the workspace taken now, so that edits made
# to the tree while the run goes on neither rebuild nor change what is measured.
ROOT=$T/src
mkdir -p "$ROOT"
rsync -a --delete --exclude /target --exclude .git --exclude '*.db' "$LIVE/" "$ROOT/"
BR=${BENCH_WORK:-/tmp/migrate-bench}/$N
OUT=$BR/out
PREP=$BR/prep
rm -rf "$BR"; mkdir -p "$OUT" "$PREP" "$T/bin"
RES=$OUT/results.tsv; : > "$RES"
res() { printf '%s\t%s\n' "$1" "$2" >> "$RES"; }
res load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
res source "$(git -C "$LIVE" rev-parse --short HEAD 2>/dev/null || echo '?') with $(git -C "$LIVE" status --short 2>/dev/null | wc -l) uncommitted paths"
res machine "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(rustc --version)"

say() { echo ">> $*" >&2; }
res() { printf '%s\t%s\n' "$1" "$2" >> "$RES"; }

# --- tools -----------------------------------------------------------------------------------
need_apt() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    say "installing $2 (apt-get), needed for $1"
    apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$2" >/dev/null 2>&1; }
}
need_apt hyperfine hyperfine
need_apt sqlite3 sqlite3
[ -x /usr/bin/time ] || need_apt /usr/bin/time time
pip_need() { # module package...
    local mod=$1; shift
    python3 -c "import $mod" 2>/dev/null && return 0
    say "installing $* (pip)"
    pip install -q "$@" >/dev/null 2>&1
}
WHY_FLASK="--skip-flask" WHY_DJANGO="--skip-django" WHY_BUTANE="--skip-butane"
if [ $SKIP_FLASK = 0 ] && ! pip_need flask_migrate alembic flask-migrate flask-sqlalchemy; then
    SKIP_FLASK=1; WHY_FLASK="pip install alembic flask-migrate flask-sqlalchemy failed"
fi
if [ $SKIP_DJANGO = 0 ] && ! pip_need django django; then
    SKIP_DJANGO=1; WHY_DJANGO="pip install django failed"
fi
BUTANE=$T/butane-root/bin/butane
if [ $SKIP_BUTANE = 0 ] && [ ! -x "$BUTANE" ]; then
    say "installing butane_cli 0.8.1 (cargo install, about 4 minutes on 2 cores) into $T/butane-root"
    if ! cargo install -q butane_cli --version 0.8.1 --root "$T/butane-root" > "$BR/butane_install.log" 2>&1; then
        SKIP_BUTANE=1
        WHY_BUTANE="cargo install butane_cli failed: $(grep -m1 -i 'error' "$BR/butane_install.log" || tail -1 "$BR/butane_install.log")"
        say "Butane skipped: $WHY_BUTANE"
    fi
fi
DIESEL=$T/diesel-root/bin/diesel
WHY_DIESEL="--skip-diesel"
if [ $SKIP_DIESEL = 0 ] && [ ! -x "$DIESEL" ]; then
    say "installing diesel_cli 2.3 with bundled SQLite (cargo install, minutes) into $T/diesel-root"
    if ! cargo install -q diesel_cli --version '^2.3' --no-default-features --features sqlite-bundled \
        --root "$T/diesel-root" > "$BR/diesel_install.log" 2>&1; then
        SKIP_DIESEL=1
        WHY_DIESEL="cargo install diesel_cli failed: $(grep -m1 -i 'error' "$BR/diesel_install.log" || tail -1 "$BR/diesel_install.log")"
        say "diesel print-schema skipped: $WHY_DIESEL"
    fi
fi
if [ $SKIP_CG = 0 ] && ! need_apt valgrind valgrind; then SKIP_CG=1; fi
SKIPPED=()
[ $SKIP_FLASK = 1 ] && SKIPPED+=("Flask-Migrate ($WHY_FLASK)")
[ $SKIP_DJANGO = 1 ] && SKIPPED+=("Django ($WHY_DJANGO)")
[ $SKIP_BUTANE = 1 ] && SKIPPED+=("Butane ($WHY_BUTANE)")
[ $SKIP_DIESEL = 1 ] && SKIPPED+=("diesel print-schema ($WHY_DIESEL)")
[ $SKIP_CG = 1 ] && SKIPPED+=("instruction counts (--skip-callgrind or no valgrind)")
[ $SKIP_COMPILED = 1 ] && SKIPPED+=("compiling the models crate (--skip-compiled)")
[ $SKIP_SYN = 1 ] && SKIPPED+=("syn alone (--skip-syn)")
[ -z "$PG_URL" ] && SKIPPED+=("PostgreSQL (no --postgres URL)")

# --- measuring -------------------------------------------------------------------------------
# measure KEY RUNS WARMUP PREP_SCRIPT|- [-i] CMD...: a first run under /usr/bin/time (after
# PREP_SCRIPT) gives the peak RSS and serves as a warm-up; a step slower than --slow-limit seconds
# is reported from that one run; the others from the median of RUNS hyperfine runs (each after
# PREP_SCRIPT, after WARMUP - 1 more warm-up runs).
measure() {
    local key=$1 runs=$2 warm=$3 prep=$4; shift 4
    local ignore=()
    if [ "$1" = -i ]; then ignore=(-i); shift; fi
    if [ "$prep" != - ] && ! bash "$prep" > "$OUT/$key.prep" 2>&1; then
        say "step $key: its preparation failed ($OUT/$key.prep)"; res "$key" fail; return 0
    fi
    local rc=0
    /usr/bin/time -f '%e %M %U %S' -o "$OUT/$key.time" "$@" > "$OUT/$key.out" 2>&1 || rc=$?
    local probe; probe=$(tail -1 "$OUT/$key.time")
    res "$key.rss" "$(echo "$probe" | awk '{print $2/1024}')"
    if [ $rc != 0 ] && [ ${#ignore[@]} = 0 ]; then
        say "step $key failed (exit $rc): $*"; tail -5 "$OUT/$key.out" >&2
        res "$key" fail; return 0
    fi
    if awk -v t="$(echo "$probe" | cut -d' ' -f1)" -v l="$SLOW_LIMIT" 'BEGIN { exit !(t > l) }'; then
        say "step $key took $(echo "$probe" | cut -d' ' -f1) s: reported from this one run"
        res "$key" "$(echo "$probe" | awk '{print $1" "$1" "$1" 1 "$3+$4}')"
        res "$key.rc" "$rc"
        return 0
    fi
    [ "$warm" -gt 0 ] && warm=$((warm - 1))
    local args=(-N --runs "$runs" --warmup "$warm" --style none --export-json "$OUT/$key.json" "${ignore[@]}")
    [ "$prep" != - ] && args+=(--prepare "bash $prep")
    local cmd; cmd=$(printf '%q ' "$@")
    if ! hyperfine "${args[@]}" "$cmd" > "$OUT/$key.hf" 2>&1; then
        say "step $key failed: $*"; tail -5 "$OUT/$key.hf" >&2
        res "$key" fail; return 0
    fi
    res "$key" "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.6f %.6f %.6f %d %.6f" % (r["median"], r["min"], r["max"], len(r["times"]), r["user"] + r["system"]))' "$OUT/$key.json")"
}
# once KEY PREP_SCRIPT|- CMD...: one run under /usr/bin/time (wall seconds and peak RSS).
once() {
    local key=$1 prep=$2; shift 2
    if [ "$prep" != - ] && ! bash "$prep" > "$OUT/$key.prep" 2>&1; then
        say "step $key: its preparation failed ($OUT/$key.prep)"; res "$key" fail; return 0
    fi
    local rc=0
    /usr/bin/time -f '%e %M' -o "$OUT/$key.time" "$@" > "$OUT/$key.out" 2>&1 || rc=$?
    res "$key" "$(tail -1 "$OUT/$key.time" | awk '{print $1" "$1" "$1" 1"}')"
    res "$key.rss" "$(tail -1 "$OUT/$key.time" | awk '{print $2/1024}')"
    res "$key.rc" "$rc"
}
# instr KEY PREP_SCRIPT|- CMD...: the instructions CMD and every process it starts execute
# (valgrind --tool=callgrind, one run after PREP_SCRIPT). Unlike wall clock they do not move when
# other builds load the machine, so ratios of them hold on a shared machine.
instr() {
    local key=$1 prep=$2; shift 2
    [ $SKIP_CG = 1 ] && return 0
    if [ "$prep" != - ] && ! bash "$prep" > "$OUT/$key.prep" 2>&1; then
        say "step $key: its preparation failed ($OUT/$key.prep)"; res "$key" fail; return 0
    fi
    local dir=$OUT/callgrind.$key
    rm -rf "$dir"; mkdir -p "$dir"
    if ! valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$dir/%p" "$@" \
        > "$OUT/$key.out" 2> "$OUT/$key.valgrind"; then
        say "step $key failed under callgrind: $*"; res "$key" fail; return 0
    fi
    res "$key" "$(awk '/^summary:/ {s += $2} END {printf "%d", s}' "$dir"/*)"
}
prep() { # NAME BODY: writes a prepare script, prints its path
    printf 'set -e\n%s\n' "$2" > "$PREP/$1.sh"; echo "$PREP/$1.sh"
}
ntables() { sqlite3 "$1" "select count(*) from sqlite_master where type='table' and name like 't0%'"; }
# What an initial migration makes SQLite build: its tables and indexes (automatic ones included).
btrees() { sqlite3 "$1" "select sum(type = 'table') || ' tables, ' || sum(type = 'index') || ' indexes' from sqlite_master where tbl_name like 't0%'"; }

# --- this project ----------------------------------------------------------------------------
say "building migrate-cli (release and debug) into $T"
(cd "$ROOT" && cargo build -q --release -p migrate-cli && cargo build -q -p migrate-cli)
install_bin() { cmp -s "$1" "$2" || cp "$1" "$2"; }  # a stable mtime keeps the runner fingerprint
install_bin "$T/release/migrate-cli" "$T/bin/migrate-cli"
install_bin "$T/debug/migrate-cli" "$T/bin/migrate-cli-debug"
if [ -n "$PG_URL" ]; then
    # The PostgreSQL steps need the backend compiled in; the other steps keep the default build.
    (cd "$ROOT" && cargo build -q --release -p migrate-cli --features postgres)
    install_bin "$T/release/migrate-cli" "$T/bin/migrate-cli-postgres"
fi
REL=$T/bin/migrate-cli
DBG=$T/bin/migrate-cli-debug
SYN=$T/release/syn-alone
if [ $SKIP_CG = 0 ]; then
    cp "$ROOT/Cargo.lock" "$ROOT/bench/syn-alone/Cargo.lock"
    cargo build -q --release --manifest-path "$ROOT/bench/syn-alone/Cargo.toml"
fi
CRUN="cargo run -q --manifest-path $ROOT/Cargo.toml -p migrate-cli --"

W=$BR/rust
mkdir -p "$W/src"
cat > "$W/Cargo.toml" <<EOF
[package]
name = "benchapp"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = { path = "$ROOT/migrate-core", features = ["sqlite", "chrono", "bigdecimal"] }
diesel = { version = "2.3", default-features = false, features = ["sqlite", "chrono", "numeric"] }
chrono = { version = "0.4", default-features = false, features = ["clock"] }
bigdecimal = "0.4"

[workspace]
EOF
cat > "$W/migrate.toml" <<'EOF'
models = "."
migrations = "migrations"
database_url = "sqlite://app.db"
schema_rs = "src/schema.rs"
EOF
# Diesel's allow_tables_to_appear_in_same_query! over every table (which migrate writes into
# schema.rs, as diesel print-schema does) and Butane's chain of ForeignKey<previous table> both
# recurse about once per table: past ~120 tables neither crate compiles under rustc's default
# recursion limit of 128, so both crates raise it, as a user with this many tables must.
RLIMIT=256; while [ $RLIMIT -lt $((4 * N)) ]; do RLIMIT=$((RLIMIT * 2)); done
printf '#![recursion_limit = "%s"]\npub mod models;\npub mod schema;\n' "$RLIMIT" > "$W/src/lib.rs"
cp "$ROOT/Cargo.lock" "$W/Cargo.lock"
python3 "$GEN" "$N" --rust "$W/src/models.rs" --diesel --diesel-schema "$W/src/schema.rs"
python3 "$GEN" "$N" --rust "$W/models_base.rs" --diesel
python3 "$GEN" "$N" --rust "$W/models_extra.rs" --diesel --extra
cp "$W/src/schema.rs" "$W/schema_base.rs"
cd "$W"
"$REL" -q init
cp -a migrations migrations.empty
say "this project: autogenerate initial"
P=$(prep p_initial "cd $W; rm -rf migrations; cp -a migrations.empty migrations; cp schema_base.rs src/schema.rs")
measure ours_autogen_initial "$R" 1 "$P" "$REL" -q migrate -m initial
measure ours_dbg_autogen_initial "$R" 1 "$P" "$DBG" -q migrate -m initial
measure ours_crun_autogen_initial "$R" 1 "$P" $CRUN -q migrate -m initial
bash "$P"; "$REL" -q migrate -m initial
INITIAL=$W/$(ls migrations/versions/*_initial.rs)
cp -a migrations migrations.initial; cp src/schema.rs schema_initial.rs
measure ours_rustfmt_initial "$R" 1 - bash -c "rustfmt --edition 2021 --emit stdout < $INITIAL > /dev/null"
measure ours_process_start "$R" 3 - "$REL" --version

say "this project: upgrade initial"
RUNNER_CLEAN="for d in $T/migrate/migrate-runner-*; do [ -f \$d/Cargo.toml ] && grep -q 'of $W/migrations to' \$d/Cargo.toml || continue; rm -f \$d/fingerprint; cargo clean -q --manifest-path \$d/Cargo.toml -p \$(basename \$d) 2>/dev/null || true; done"
RUNNER_TOUCH="for d in $T/migrate/migrate-runner-*; do [ -f \$d/Cargo.toml ] && grep -q 'of $W/migrations to' \$d/Cargo.toml || continue; rm -f \$d/fingerprint; touch \$d/src/main.rs; done"
if [ $SKIP_COLD = 0 ]; then
    # The very first upgrade on a machine: migrate-core, Diesel and the bundled SQLite compile too.
    P=$(prep p_cold "cd $W; rm -f app.db; rm -rf $T-cold")
    once ours_upgrade_initial_colddeps "$P" env CARGO_TARGET_DIR="$T-cold" "$REL" -q upgrade
    rm -rf "$T-cold"
fi
# The compiled runner (MIGRATE_RUNNER=compiled; what a module with a Rust data step makes).
P=$(prep p_up_cold "cd $W; rm -f app.db; $RUNNER_CLEAN")
measure ours_upgrade_initial_compile "$RS" 1 "$P" env MIGRATE_RUNNER=compiled "$REL" -q upgrade
P=$(prep p_up_incr "cd $W; rm -f app.db; $RUNNER_TOUCH")
measure ours_upgrade_initial_recompile "$RS" 0 "$P" env MIGRATE_RUNNER=compiled "$REL" -q upgrade
P=$(prep p_up_compiled "cd $W; rm -f app.db")
measure ours_upgrade_initial_compiled "$R" 1 "$P" env MIGRATE_RUNNER=compiled "$REL" -q upgrade
# The default: modules read without compiling, parsed once per build of the CLI and then
# found by checksum under the target directory ($T/migrate/read).
P=$(prep p_up_read "cd $W; rm -f app.db; rm -rf $T/migrate/read")
measure ours_upgrade_initial_firstread "$R" 1 "$P" "$REL" -q upgrade
P=$(prep p_up "cd $W; rm -f app.db")
measure ours_upgrade_initial "$R" 1 "$P" "$REL" -q upgrade
instr cg_ours_upgrade_initial "$P" "$REL" -q upgrade
[ "$(ntables app.db)" = "$N" ] || { say "upgrade did not create $N tables"; exit 1; }
cp app.db db_initial.db
res ours_btrees "$(btrees db_initial.db)"

say "this project: floor (the same DDL through the sqlite3 shell, one transaction)"
{ echo 'BEGIN;'; sqlite3 db_initial.db .schema | grep -v '^CREATE TABLE sqlite_sequence'; echo 'COMMIT;'; } > floor.sql
P=$(prep p_floor "cd $W; rm -f floor.db")
measure ours_floor "$R" 1 "$P" sqlite3 floor.db ".read floor.sql"
instr cg_ours_floor "$P" sqlite3 floor.db ".read floor.sql"
[ "$(ntables floor.db)" = "$N" ] || { say "floor did not create $N tables"; exit 1; }

if [ -n "$PG_URL" ]; then
    say "this project on PostgreSQL: upgrade initial against psql -1 of the same DDL"
    need_apt psql postgresql-client
    # A copy of the app with the initial migration, so that its runner (built with the
    # PostgreSQL feature) is a crate of its own and the SQLite runner is never rebuilt.
    PGW=$BR/rust-postgres
    PGDB=migrate_bench_$$
    PGDB_URL="${PG_URL%/*}/$PGDB"
    rm -rf "$PGW"; mkdir -p "$PGW/src"
    cp "$W/Cargo.toml" "$W/Cargo.lock" "$W/migrate.toml" "$PGW/"; cp -a "$W/migrations.initial" "$PGW/migrations"
    cp "$W/src/lib.rs" "$W/src/schema.rs" "$PGW/src/"; cp "$W/models_base.rs" "$PGW/src/models.rs"
    # `sql` runs this app's SQLite-built runner, which prints any dialect.
    "$REL" -q sql head --dialect postgres > "$PGW/pg_floor.sql"
    cd "$PGW"
    P=$(prep p_pg "psql '$PG_URL' -q -c 'DROP DATABASE IF EXISTS $PGDB' -c 'CREATE DATABASE $PGDB'")
    PGREL=$T/bin/migrate-cli-postgres
    bash "$P"; "$PGREL" -q --database-url "$PGDB_URL" upgrade   # reads the module once for this build
    measure ours_pg_upgrade_initial "$R" 1 "$P" "$PGREL" -q --database-url "$PGDB_URL" upgrade
    measure ours_pg_floor "$R" 1 "$P" psql "$PGDB_URL" -q -1 -v ON_ERROR_STOP=1 -f pg_floor.sql
    n=$(psql "$PGDB_URL" -tAq -c "select count(*) from information_schema.tables where table_name like 't0%'")
    [ "$n" = "$N" ] || { say "the PostgreSQL floor left $n tables, expected $N"; exit 1; }
    psql "$PG_URL" -q -c "DROP DATABASE IF EXISTS $PGDB"
    cd "$W"
fi

say "this project: upgrade of Butane's DDL (the same models without the parent_id index Butane cannot declare)"
# Butane's DDL has no secondary index, so SQLite builds a third fewer b-trees for it; this app
# differs from $W only by those 200 `index` attributes, so that Butane and this project apply the
# same tables, keys and unique indexes, and the comparison is of the tools rather than of the DDL.
W2=$BR/rust-butane-ddl
rm -rf "$W2"; mkdir -p "$W2/src"
cp "$W/Cargo.toml" "$W/Cargo.lock" "$W/migrate.toml" "$W2/"; cp "$W/src/lib.rs" "$W2/src/"
sed -e '/^    #\[model(index)\]$/d' -e 's/, index)\]$/)]/' "$W/models_base.rs" > "$W2/src/models.rs"
cp "$W/schema_base.rs" "$W2/src/schema.rs"
cd "$W2"
"$REL" -q init; "$REL" -q migrate -m initial; "$REL" -q upgrade
P=$(prep p_up_bd "cd $W2; rm -f app.db")
measure ours_upgrade_initial_butane_ddl "$R" 1 "$P" "$REL" -q upgrade
instr cg_ours_upgrade_initial_butane_ddl "$P" "$REL" -q upgrade
[ "$(ntables app.db)" = "$N" ] || { say "upgrade (Butane's DDL) did not create $N tables"; exit 1; }
res ours_btrees_butane_ddl "$(btrees app.db)"
cd "$W"

say "this project: autogenerate with no change"
measure ours_autogen_nochange "$R" 1 - "$REL" -q migrate -m nothing
measure ours_dbg_autogen_nochange "$R" 1 - "$DBG" -q migrate -m nothing
measure ours_crun_autogen_nochange "$R" 1 - $CRUN -q migrate -m nothing
measure ours_check_source "$R" 1 - "$REL" -q check
instr cg_syn_alone - "$SYN" src/models.rs
# syn alone as a process (start, read, parse), the same kind of thing as a `migrate` run.
[ $SKIP_CG = 0 ] && measure syn_alone_process "$R" 1 - "$SYN" src/models.rs
instr cg_ours_autogen_nochange - "$REL" -q migrate -m nothing
instr cg_ours_dbg_autogen_nochange - "$DBG" -q migrate -m nothing
[ "$(ls migrations/versions | wc -l)" = 1 ] || { say "no-change migrate wrote a migration"; exit 1; }

say "this project: autogenerate one column"
cp models_extra.rs src/models.rs
P=$(prep p_onecol "cd $W; rm -rf migrations; cp -a migrations.initial migrations; cp schema_initial.rs src/schema.rs")
measure ours_autogen_onecol "$R" 1 "$P" "$REL" -q migrate -m onecol
measure ours_dbg_autogen_onecol "$R" 1 "$P" "$DBG" -q migrate -m onecol
measure ours_crun_autogen_onecol "$R" 1 "$P" $CRUN -q migrate -m onecol
instr cg_ours_autogen_onecol "$P" "$REL" -q migrate -m onecol
instr cg_ours_dbg_autogen_onecol "$P" "$DBG" -q migrate -m onecol
bash "$P"; "$REL" -q migrate -m onecol
grep -q nickname migrations/versions/*_onecol.rs || { say "onecol migration lacks the column"; exit 1; }

say "this project: upgrade / downgrade one column"
P=$(prep p_up1_incr "cd $W; cp db_initial.db app.db; $RUNNER_TOUCH")
measure ours_upgrade_onecol_recompile "$RS" 1 "$P" env MIGRATE_RUNNER=compiled "$REL" -q upgrade
P=$(prep p_up1 "cd $W; cp db_initial.db app.db")
measure ours_upgrade_onecol "$R" 1 "$P" "$REL" -q upgrade
cp app.db db_head.db
P=$(prep p_down1 "cd $W; cp db_head.db app.db")
measure ours_downgrade_onecol "$R" 1 "$P" "$REL" -q downgrade
# The debug CLI reads the modules once for its own build, then finds them by checksum.
P=$(prep p_up_dbg "cd $W; rm -f app.db")
measure ours_dbg_upgrade_all "$R" 1 "$P" "$DBG" -q upgrade

say "this project: schema (Diesel table! definitions of the live database) against diesel print-schema"
measure ours_schema "$R" 1 - "$REL" -q --database-url "sqlite://$W/db_initial.db" schema
instr cg_ours_schema - "$REL" -q --database-url "sqlite://$W/db_initial.db" schema
if [ $SKIP_DIESEL = 0 ]; then
    # No diesel.toml here: print-schema prints to standard output.
    measure diesel_print_schema "$R" 1 - "$DIESEL" print-schema --database-url "$W/db_initial.db"
    if cmp -s "$OUT/ours_schema.out" "$OUT/diesel_print_schema.out"; then
        res schema_same "the same text as diesel print-schema"
    else
        res schema_same "differs from diesel print-schema in $(diff "$OUT/ours_schema.out" "$OUT/diesel_print_schema.out" | grep -c '^<') line(s) ($OUT/ours_schema.out)"
    fi
fi

if [ $SKIP_COMPILED = 0 ]; then
    say "this project: compiling the models crate (minutes with Diesel's derives)"
    # state: models with the extra column, snapshot at the onecol head, schema.rs as migrate wrote
    # it. Where that schema.rs types numeric(10,2) as Double, the models' BigDecimal field cannot
    # compile against it; the type is corrected to Numeric (and the report says so) so that the
    # compile of the crate can be timed at all.
    if grep -q 'amount -> Nullable<Double>' src/schema.rs; then
        sed -i 's/amount -> Nullable<Double>/amount -> Nullable<Numeric>/' src/schema.rs
        res schema_rs_patched "amount -> Nullable<Double> rewritten to Nullable<Numeric> in the schema.rs migrate wrote"
    fi
    P=$(prep p_clean_models "cd $W; cargo clean -q -p benchapp")
    once models_check_cold "$P" cargo check -q
    measure models_check_noop "$R" 1 - cargo check -q
    cp models_base.rs src/models.rs
    once models_check_edit - cargo check -q
    cp models_extra.rs src/models.rs
    once models_check_edit2 - cargo check -q
    once ours_check_compiled_cold "$P" "$REL" -q check --compiled
    measure ours_check_compiled_noop "$R" 1 - "$REL" -q check --compiled
    cp models_base.rs src/models.rs
    once ours_check_compiled_edit - "$REL" -q check --compiled   # exits 1: the models differ
    cp models_extra.rs src/models.rs
    once ours_check_compiled_edit2 - "$REL" -q check --compiled
fi

# --- syn alone -------------------------------------------------------------------------------
if [ $SKIP_SYN = 0 ]; then
    say "syn alone on the models file (criterion, bench profile)"
    (cd "$ROOT" && PIPELINE_SOURCE_SIZES="$N" \
        cargo bench -q -p migrate-core --bench pipeline --features source -- "^(syn_parse_file|read_models|read_models\\+schema|nochange_inmemory)/" \
        > "$OUT/criterion.txt" 2>&1) || say "criterion run failed (see $OUT/criterion.txt)"
    for g in syn_parse_file read_models nochange_inmemory; do
        f="$T/criterion/$g/$N/new/estimates.json"
        [ -f "$f" ] && res "crit_$g" "$(python3 -c 'import json,sys; print("%.6f" % (json.load(open(sys.argv[1]))["median"]["point_estimate"]/1e9))' "$f")"
    done
fi

# --- Flask-Migrate ---------------------------------------------------------------------------
if [ $SKIP_FLASK = 0 ]; then
    say "Flask-Migrate: $R runs of alembic_bench.sh"
    for i in $(seq "$R"); do
        bash "$SHARED/alembic_bench.sh" "$N" "$BR/flask" >> "$OUT/flask_runs.txt" || say "alembic_bench.sh run $i failed"
        n=$(ntables "$BR/flask/app.db")
        [ "$n" = "$N" ] || { say "alembic_bench.sh run $i left $n tables, expected $N"; }
    done
    python3 - "$OUT/flask_runs.txt" >> "$RES" <<'EOF'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()  # alembic_bench.sh's floor step also echoes what sqlite3 prints
    if len(parts) == 2:
        runs[parts[0]].append(float(parts[1]))
for k, vs in runs.items():
    print("flask_%s\t%.6f %.6f %.6f %d" % (k, statistics.median(vs), min(vs), max(vs), len(vs)))
EOF
    cd "$BR/flask"; export FLASK_APP=app.py
    flask db upgrade >/dev/null 2>&1
    once flask_mem_nochange - flask db migrate -m nothing
    once flask_mem_upgrade "$(prep p_fl "cd $BR/flask; rm -f app.db")" flask db upgrade
fi

# --- Django ----------------------------------------------------------------------------------
if [ $SKIP_DJANGO = 0 ]; then
    say "Django"
    D=$BR/django
    python3 "$HERE/gen_peers.py" "$N" --django "$D"
    cd "$D"
    mkdir -p benchapp/migrations; touch benchapp/migrations/__init__.py
    PM="python3 $D/manage.py"
    P=$(prep p_dj_init "cd $D; rm -f benchapp/migrations/0*.py")
    measure django_makemigrations_initial "$R" 1 "$P" $PM makemigrations benchapp
    bash "$P"; $PM makemigrations benchapp > /dev/null
    P=$(prep p_dj_mig "cd $D; rm -f app.db")
    measure django_migrate_initial "$R" 1 "$P" $PM migrate benchapp 0001
    [ "$(ntables app.db)" = "$N" ] || say "django migrate left $(ntables app.db) tables"
    cp app.db db_initial.db
    measure django_makemigrations_nochange "$R" 1 - $PM makemigrations benchapp
    python3 "$HERE/gen_peers.py" "$N" --django "$D" --extra
    P=$(prep p_dj_one "cd $D; rm -f benchapp/migrations/0002*.py")
    measure django_makemigrations_onecol "$R" 1 "$P" $PM makemigrations benchapp
    bash "$P"; $PM makemigrations benchapp > /dev/null
    P=$(prep p_dj_up1 "cd $D; cp db_initial.db app.db")
    measure django_migrate_onecol "$R" 1 "$P" $PM migrate benchapp 0002
    cp app.db db_head.db
    P=$(prep p_dj_down1 "cd $D; cp db_head.db app.db")
    measure django_unmigrate_onecol "$R" 1 "$P" $PM migrate benchapp 0001
fi

# --- Butane ----------------------------------------------------------------------------------
if [ $SKIP_BUTANE = 0 ]; then
    say "Butane"
    B=$BR/butane
    mkdir -p "$B/src"
    cat > "$B/Cargo.toml" <<'EOF'
[package]
name = "butaneapp"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
butane = { version = "=0.8.1", features = ["sqlite"] }
chrono = { version = "0.4", default-features = false, features = ["clock"] }

[workspace]
EOF
    printf '#![recursion_limit = "%s"]\npub mod models;\n' "$RLIMIT" > "$B/src/lib.rs"
    python3 "$HERE/gen_peers.py" "$N" --butane "$B"
    cp "$B/src/models.rs" "$B/models_base.rs"
    python3 "$HERE/gen_peers.py" "$N" --butane "$B/extra" --extra
    mv "$B/extra/src/models.rs" "$B/models_extra.rs"; rm -rf "$B/extra"
    [ -f "$T/butaneapp.Cargo.lock" ] && cp "$T/butaneapp.Cargo.lock" "$B/Cargo.lock"
    cd "$B"
    "$BUTANE" init sqlite db.sqlite > /dev/null
    # At N=1000 rustc overflows its stack on the chain of ForeignKey<previous table> now and then;
    # every Butane build runs with the larger stack that rustc's own message suggests.
    export RUST_MIN_STACK=268435456
    res butane_note "every Butane build ran with RUST_MIN_STACK=$RUST_MIN_STACK (at N=1000 rustc otherwise overflows its stack on the ForeignKey chain)"
    if ! cargo build -q 2>"$OUT/butane_build.err"; then
        say "Butane skipped: its models crate does not build ($OUT/butane_build.err)"
        res butane_skipped "its models crate does not build: $(grep -m1 -E '^error' "$OUT/butane_build.err")"
        SKIP_BUTANE=1
    fi
fi
if [ $SKIP_BUTANE = 0 ]; then
    cd "$B"
    cp Cargo.lock "$T/butaneapp.Cargo.lock"
    once butane_build_cold "$(prep p_bt_clean "cd $B; cargo clean -q -p butaneapp")" cargo build -q
    cp -a .butane butane.base
    P=$(prep p_bt_init "cd $B; rm -rf .butane; cp -a butane.base .butane")
    measure butane_makemigration_initial "$R" 1 "$P" "$BUTANE" makemigration initial
    bash "$P"; "$BUTANE" makemigration initial > /dev/null
    P=$(prep p_bt_mig "cd $B; rm -f db.sqlite")
    measure butane_migrate_initial "$R" 1 "$P" "$BUTANE" migrate
    instr cg_butane_migrate_initial "$P" "$BUTANE" migrate
    [ "$(ntables db.sqlite)" = "$N" ] || say "butane migrate left $(ntables db.sqlite) tables"
    # Butane's floor: its own initial DDL (it has no secondary indexes or varchar lengths) through
    # the sqlite3 shell in one transaction, as ours_floor is for this project's DDL.
    BUP=$(find .butane/migrations -name 'sqlite_up.sql' -path '*initial*' | head -1)
    if [ -n "$BUP" ]; then
        { echo 'BEGIN;'; cat "$BUP"; echo 'COMMIT;'; } > butane_floor.sql
        P=$(prep p_bt_floor "cd $B; rm -f butane_floor.db")
        measure butane_floor "$R" 1 "$P" sqlite3 butane_floor.db ".read butane_floor.sql"
        instr cg_butane_floor "$P" sqlite3 butane_floor.db ".read butane_floor.sql"
    fi
    res butane_btrees "$(btrees db.sqlite)"
    cp db.sqlite db_initial.sqlite
    measure butane_build_noop "$R" 1 - cargo build -q
    measure butane_makemigration_nochange "$R" 1 - "$BUTANE" makemigration nothing
    # the one-field edit: each run starts from the base models, built, and times edit + build
    P=$(prep p_bt_edit "cd $B; cp models_base.rs src/models.rs; cargo build -q")
    measure butane_build_edit "$RS" 0 "$P" bash -c "cp $B/models_extra.rs $B/src/models.rs && cd $B && cargo build -q"
    cp -a .butane butane.pre_onecol
    P=$(prep p_bt_one "cd $B; rm -rf .butane; cp -a butane.pre_onecol .butane")
    measure butane_makemigration_onecol "$R" 1 "$P" "$BUTANE" makemigration onecol
    bash "$P"; "$BUTANE" makemigration onecol > /dev/null
    P=$(prep p_bt_up1 "cd $B; cp db_initial.sqlite db.sqlite")
    measure butane_migrate_onecol "$R" 1 "$P" "$BUTANE" migrate
    cp db.sqlite db_head.sqlite
    P=$(prep p_bt_down1 "cd $B; cp db_head.sqlite db.sqlite")
    measure butane_unmigrate_onecol "$R" 1 "$P" "$BUTANE" unmigrate
    unset RUST_MIN_STACK
fi

# --- report ----------------------------------------------------------------------------------
res load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$HERE/report.py" "$RES" "$N" "$R" "$RS" "${SKIPPED[@]}" > "$BR/report.md"
cat "$BR/report.md"
say "raw results: $RES; apps and logs under $BR"
