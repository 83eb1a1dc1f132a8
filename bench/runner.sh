#!/usr/bin/env bash
# The runner's builds (what upgrade, check and sql pay), side by side with Flask-Migrate.
#
# usage: bench/runner.sh [--fresh-clone] [--runs R]
#   --release      also builds the release CLI and times it (else every step uses the debug one)
#   --compiled     also times the compiled path at N = 1000 (MIGRATE_RUNNER=compiled, minutes)
#   --fresh-clone  also times a fresh clone's `cargo build -p migrate-cli` and its first
#                  `cargo run -p migrate-cli -- upgrade` (minutes on 2 cores)
#
# Measures, each with the command it runs (hyperfine, median of R runs; one run where marked):
#   1. a fresh project's `check` against a database with the CLI built and no runner built
#   2. at N = 1000: the initial `upgrade` (no runner built) and the `upgrade` right after a
#      one-column migration, against Flask-Migrate's `flask db upgrade` of the same schema
#   3. at N = 200: the one-column `migrate` (debug CLI, the binary `cargo build` makes) against
#      Flask-Migrate's `flask db migrate`
#   4. with --compiled, both upgrades again with MIGRATE_RUNNER=compiled (for reference)
# Needs: pip install alembic flask-migrate flask-sqlalchemy; apt-get install hyperfine sqlite3.
# The report is written to /tmp/migrate-bench/runner/report.txt.
set -euo pipefail
LIVE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_BENCH:-$LIVE/../shared/bench}
[ -f "$SHARED/gen_schema.py" ] || SHARED=/work/shared/bench
GEN=$SHARED/gen_schema.py
FRESH=0 RUNS=5 COMPILED=0 RELEASE=0
while [ $# -gt 0 ]; do
    case $1 in
        --fresh-clone) FRESH=1 ;;
        --runs) RUNS=$2; shift ;;
        --compiled) COMPILED=1 ;;
        --release) RELEASE=1 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
BR=/tmp/migrate-bench/runner
rm -rf "$BR"; mkdir -p "$BR"
REPORT=$BR/report.txt; : > "$REPORT"
say() { echo ">> $*" >&2; }
note() { echo "$*" | tee -a "$REPORT"; }
once() { # LABEL CMD...: one run, wall seconds
    local label=$1; shift
    local s e; s=$(date +%s.%N); "$@" >/dev/null 2>"$BR/last.err" || { cat "$BR/last.err" >&2; exit 1; }
    e=$(date +%s.%N)
    note "$label: $(python3 -c "print(round($e-$s,3))") s (one run)"
}
hf() { # LABEL PREP CMD: median of RUNS
    local label=$1 prep=$2 cmd=$3
    hyperfine -r "$RUNS" -w 1 --prepare "$prep" --export-json "$BR/hf.json" "$cmd" >/dev/null
    note "$label: $(python3 -c "import json;r=json.load(open('$BR/hf.json'))['results'][0];print(f\"{r['median']:.3f} s (median of {len(r['times'])}; min {r['min']:.3f})\")")"
}
note "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(git -C "$LIVE" rev-parse --short HEAD); $(nproc) cores"

# The CLIs: the debug binary `cargo build` makes, and the release one.
cargo build -q -p migrate-cli --manifest-path "$LIVE/Cargo.toml"
T=${CARGO_TARGET_DIR:-$LIVE/target}
DBG=$T/debug/migrate-cli REL=$DBG
if [ $RELEASE = 1 ]; then
    cargo build -q --release -p migrate-cli --manifest-path "$LIVE/Cargo.toml"
    REL=$T/release/migrate-cli
fi

# A models crate of N generated tables, its own target directory (so no runner is built yet).
project() { # N DIR
    local n=$1 w=$2
    mkdir -p "$w/src"
    cat > "$w/Cargo.toml" <<EOF
[package]
name = "bench_models"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = { path = "$LIVE/migrate-core", features = ["sqlite", "chrono"] }
diesel = { version = "2.3", default-features = false, features = ["sqlite", "chrono"] }
chrono = { version = "0.4", default-features = false, features = ["clock"] }

[workspace]
EOF
    printf 'models = "."\nmigrations = "migrations"\ndatabase_url = "sqlite://app.db"\nschema_rs = "src/schema.rs"\n' > "$w/migrate.toml"
    printf 'pub mod models;\npub mod schema;\n' > "$w/src/lib.rs"
    cp "$LIVE/Cargo.lock" "$w/Cargo.lock"
    python3 "$GEN" "$n" --rust "$w/src/models.rs" --diesel --diesel-schema "$w/src/schema.rs"
    python3 "$GEN" "$n" --rust "$w/models_extra.rs" --diesel --extra
    (cd "$w" && "$REL" -q init && "$REL" -q migrate -m initial)
}

say "1. check against a database in a fresh project (CLI built, no runner built)"
W=$BR/check; project 20 "$W"
cd "$W"; export CARGO_TARGET_DIR=$W/target
"$REL" -q upgrade
once "check with a database, fresh project, debug CLI (migrate-cli check)" "$DBG" check
unset CARGO_TARGET_DIR

for N in 1000 200; do
    say "2/3. N = $N"
    W=$BR/n$N; project "$N" "$W"; cd "$W"
    export CARGO_TARGET_DIR=$W/target
    cp -a migrations migrations.initial
    [ $RELEASE = 1 ] && hf "N=$N upgrade initial, release CLI" "rm -f $W/app.db" "$REL -q upgrade"
    hf "N=$N upgrade initial, debug CLI" "rm -f $W/app.db" "$DBG -q upgrade"
    cp app.db db_initial.db
    cp models_extra.rs src/models.rs
    hf "N=$N migrate one column, debug CLI" "rm -rf $W/migrations; cp -a $W/migrations.initial $W/migrations" "$DBG -q migrate -m onecol"
    [ $RELEASE = 1 ] && hf "N=$N migrate one column, release CLI" "rm -rf $W/migrations; cp -a $W/migrations.initial $W/migrations" "$REL -q migrate -m onecol"
    "$REL" -q migrate -m onecol >/dev/null 2>&1 || true
    grep -q nickname migrations/versions/*_onecol.rs
    [ $RELEASE = 1 ] && hf "N=$N upgrade one column, release CLI" "cp $W/db_initial.db $W/app.db" "$REL -q upgrade"
    hf "N=$N upgrade one column, debug CLI" "cp $W/db_initial.db $W/app.db" "$DBG -q upgrade"
    if [ "$N" = 1000 ] && [ $COMPILED = 1 ]; then
        # The compiled path for reference: its first build, then the upgrade after one column.
        rm -f app.db
        once "N=$N upgrade all, MIGRATE_RUNNER=compiled, runner built cold (its dependencies included)" env MIGRATE_RUNNER=compiled "$REL" -q upgrade
        cp db_initial.db app.db
        once "N=$N upgrade one column, MIGRATE_RUNNER=compiled (runner built)" env MIGRATE_RUNNER=compiled "$REL" -q upgrade
    fi
    rm -rf "$W/target"
    unset CARGO_TARGET_DIR
    say "Flask-Migrate at N = $N"
    bash "$SHARED/alembic_bench.sh" "$N" "$BR/flask$N" | sed "s/^/N=$N flask /" | tee -a "$REPORT"
done

if [ $FRESH = 1 ]; then
    say "a fresh clone's first upgrade (minutes)"
    C=$BR/clone; git clone -q "$LIVE" "$C"; cd "$C"
    unset CARGO_TARGET_DIR
    once "fresh clone: cargo build -p migrate-cli" cargo build -q -p migrate-cli
    once "fresh clone: then cargo run -p migrate-cli -- upgrade (the runner's share)" cargo run -q -p migrate-cli -- upgrade
    rm -f examples/blog/app.db 2>/dev/null || true
fi
note "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
