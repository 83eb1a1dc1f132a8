#!/usr/bin/env bash
# Size and start-up time of a migrator bundle (`migrate-cli bundle -o PATH`) written by the release
# CLI with the three backends: for examples/blog (one migration, 3 tables), for an N-table
# project (shared/bench/gen_schema.py, one initial migration), and for a project whose second
# migration is a Rust data step (`m.run`), which the bundle carries compiled and extracts to a
# temporary file to run. Start-up is `BUNDLE current` on an up-to-date SQLite database, beside
# the CLI's own `current` in the project, `sql head` (no database; the data-step bundle extracts
# its runner for it) and a bare `--version` of each; then `upgrade` of a new SQLite database by
# each (hyperfine, mean of the runs; `perf stat` task-clock too when perf is installed, since wall
# time moves with the load).
#
# usage: bench/bundle.sh [N] [--runs R]      (N default 200, R default 50)
#
# Environment: BENCH_WORK (default /tmp/migrate-bench) holds the projects, under bundle/.
# Needs python3, cargo and hyperfine (apt-get install hyperfine).
set -euo pipefail

N=200 R=50
while [ $# -gt 0 ]; do
    case $1 in
        --runs) R=$2; shift ;;
        [0-9]*) N=$1 ;;
        *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
    shift
done

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED_BENCH:-$(cd "$ROOT/../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)}
WORK=${BENCH_WORK:-/tmp/migrate-bench}/bundle
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }

(cd "$ROOT" && cargo build -q --release -p migrate-cli --features postgres,mysql)
CLI=${CARGO_TARGET_DIR:-$ROOT/target}/release/migrate-cli
rm -rf "$WORK"; mkdir -p "$WORK"

# The N-table project: models read from source, one initial migration; nothing compiles.
P=$WORK/tables$N
mkdir -p "$P/src"
cat > "$P/Cargo.toml" <<EOF
[package]
name = "bundle_bench"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = { path = "$ROOT/migrate-core", features = ["chrono"] }

[workspace]
EOF
printf 'pub mod models;\n' > "$P/src/lib.rs"
python3 "$SHARED/gen_schema.py" "$N" --rust "$P/src/models.rs"
(cd "$P" && "$CLI" -q init && "$CLI" -q migrate -m initial)

# The data-step project: a table, then a migration with a Rust step (SQLite connection) that
# inserts a row. Its lock file is the workspace's, so the runner builds with the same versions.
D=$WORK/datastep
mkdir -p "$D/src"
cat > "$D/Cargo.toml" <<EOF
[package]
name = "bundle_datastep"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = { path = "$ROOT/migrate-core" }

[workspace]
EOF
cp "$ROOT/Cargo.lock" "$D/Cargo.lock"
printf 'pub mod models;\n' > "$D/src/lib.rs"
cat > "$D/src/models.rs" <<'EOF'
use migrate_core::Model;

#[derive(Model)]
pub struct Note {
    pub id: i32,
    #[model(max_length = 200)]
    pub title: String,
}
EOF
(cd "$D" && "$CLI" -q init && "$CLI" -q migrate -m notes && "$CLI" -q migrate -m seed --empty)
python3 - "$D"/migrations/versions/*_seed.rs <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read().replace(
    "pub fn up(_m: &mut Migration) {}",
    """pub fn up(m: &mut Migration) {
    m.run("seed", |conn: &mut migrate_core::diesel::SqliteConnection| {
        use migrate_core::diesel::connection::SimpleConnection;
        conn.batch_execute("INSERT INTO notes (title) VALUES ('seed')")
    });
}""", 1)
open(path, "w").write(text)
EOF

declare -A took
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
echo "| project | bundle bytes | CLI bytes |"
echo "| --- | ---: | ---: |"
for project in "$ROOT/examples/blog" "$P" "$D"; do
    name=$(basename "$project")
    deploy=$WORK/deploy-$name
    mkdir -p "$deploy"
    start=$(date +%s)
    (cd "$project" && "$CLI" -q bundle -o "$deploy/migrator")
    took[$name]=$(( $(date +%s) - start ))
    row "$name" "$(stat -c %s "$deploy/migrator")" "$(stat -c %s "$CLI")"
done
echo
for name in "${!took[@]}"; do echo "bundle of $name written in ${took[$name]} s"; done
echo
for project in "$ROOT/examples/blog" "$P" "$D"; do
    name=$(basename "$project")
    deploy=$WORK/deploy-$name
    cd "$deploy"
    ./migrator -q --database-url app.db upgrade
    # The CLI compiles the data-step project's runner on its first upgrade: not timed.
    "$CLI" -q --config "$project/migrate.toml" --database-url "$deploy/warm.db" upgrade
    echo "### $name"
    hyperfine -N --warmup 5 --runs "$R" --export-markdown "$WORK/$name.md" \
        -n "bundle current" "$deploy/migrator --database-url app.db current" \
        -n "CLI current (in the project)" "$CLI --config $project/migrate.toml --database-url $deploy/app.db current" \
        -n "bundle sql head" "$deploy/migrator sql head" \
        -n "CLI sql head (in the project)" "$CLI --config $project/migrate.toml sql head" \
        -n "bundle --version" "$deploy/migrator --version" \
        -n "CLI --version" "$CLI --version" >/dev/null
    cat "$WORK/$name.md"
    echo
    hyperfine -N --warmup 2 --runs "$((R / 5 > 3 ? R / 5 : 3))" --export-markdown "$WORK/$name-upgrade.md" \
        --prepare "rm -f $deploy/new.db" \
        -n "bundle upgrade (new database)" "$deploy/migrator --database-url new.db upgrade" \
        -n "CLI upgrade (new database)" "$CLI --config $project/migrate.toml --database-url $deploy/new.db upgrade" >/dev/null
    cat "$WORK/$name-upgrade.md"
    echo
    if command -v perf >/dev/null; then
        for c in "$deploy/migrator --database-url app.db current" \
                 "$CLI --config $project/migrate.toml --database-url $deploy/app.db current"; do
            printf '%s: ' "${c%% *}" | sed "s|$WORK/||"
            perf stat -e task-clock -r "$R" $c 2>&1 >/dev/null | grep -o '[0-9.]* msec task-clock'
        done
        echo
    fi
done
