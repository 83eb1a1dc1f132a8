#!/usr/bin/env python3
"""Turns compare.sh's results.tsv into the markdown report.

usage: report.py RESULTS_TSV N RUNS SLOW_RUNS [SKIPPED...]
"""
import sys
res_path, n, runs, slow = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
skipped = sys.argv[5:]
res = {}
for line in open(res_path):
    k, v = line.rstrip("\n").split("\t")
    res[k] = v

def med(k):
    v = res.get(k)
    if v is None or v == "fail" or v == "":
        return None
    return float(v.split()[0])

def cpu(k):
    v = res.get(k)
    if not v or v == "fail" or len(v.split()) < 5:
        return None
    return float(v.split()[4])

def rss(k):
    v = res.get(k + ".rss")
    return float(v) if v not in (None, "") else None

def s(x):
    if x is None:
        return "-"
    if x < 0.1:
        return "%.1f ms" % (x * 1000)
    return "%.3f s" % x if x < 10 else "%.1f s" % x

def mb(k):
    x = rss(k)
    return "-" if x is None else "%.0f" % x

def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else "%.3fx" % (a / b)

def runs_of(k):
    v = res.get(k)
    if not v or v == "fail":
        return "-"
    parts = v.split()
    return parts[3] if len(parts) > 3 else "criterion"

butane_edit = None
if med("butane_build_edit") is not None and med("butane_makemigration_onecol") is not None:
    butane_edit = med("butane_build_edit") + med("butane_makemigration_onecol")
butane_noop = None
if med("butane_build_noop") is not None and med("butane_makemigration_nochange") is not None:
    butane_noop = med("butane_build_noop") + med("butane_makemigration_nochange")

rows = [
    # label, ours release, ours debug binary, cargo run, flask, django, butane
    ("autogenerate, initial", "ours_autogen_initial", "ours_dbg_autogen_initial", "ours_crun_autogen_initial",
     "flask_autogen_initial", "django_makemigrations_initial", "butane_makemigration_initial", None),
    ("autogenerate, no change", "ours_autogen_nochange", "ours_dbg_autogen_nochange", "ours_crun_autogen_nochange",
     "flask_autogen_nochange", "django_makemigrations_nochange", None, butane_noop),
    ("autogenerate, one column", "ours_autogen_onecol", "ours_dbg_autogen_onecol", "ours_crun_autogen_onecol",
     "flask_autogen_onecol", "django_makemigrations_onecol", None, butane_edit),
    ("upgrade, initial (module read before)", "ours_upgrade_initial", None, None,
     "flask_upgrade_initial", "django_migrate_initial", "butane_migrate_initial", None),
    ("upgrade, one column (modules read before)", "ours_upgrade_onecol", None, None,
     "flask_upgrade_onecol", "django_migrate_onecol", "butane_migrate_onecol", None),
    ("downgrade, one column", "ours_downgrade_onecol", None, None,
     "flask_downgrade_onecol", "django_unmigrate_onecol", "butane_unmigrate_onecol", None),
    ("upgrade, initial, Butane's DDL (the models without the index Butane cannot declare)", "ours_upgrade_initial_butane_ddl", None, None,
     None, None, "butane_migrate_initial", None),
    ("PostgreSQL: upgrade, initial", "ours_pg_upgrade_initial", None, None,
     None, None, None, None),
    ("PostgreSQL floor: psql -1, same DDL", "ours_pg_floor", None, None,
     None, None, None, None),
    ("floor: sqlite3 shell, same DDL, one transaction", "ours_floor", None, None,
     "flask_sqlite3_floor_initial", None, "butane_floor", None),
    ("`schema` (Diesel `table!` file of the live database)", "ours_schema", None, None,
     None, None, None, None),
]
print(f"### N = {n} tables (SQLite; median of {runs} runs, compile steps {slow}; one run where marked)\n")
print(f"Machine: {res.get('machine', '?')}. This project at {res.get('source', '?')}.\n")
print("| step | this project, release | debug binary | `cargo run -p migrate-cli --` | Flask-Migrate | Django | Butane | release / Flask | debug / Flask | release / Django | debug / Django | release / Butane |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for label, o, d, c, f, dj, b, bval in rows:
    O, D, C, F, DJ = med(o), med(d) if d else None, med(c) if c else None, med(f), med(dj) if dj else None
    B = bval if bval is not None else (med(b) if b else None)
    print(f"| {label} | {s(O)} | {s(D)} | {s(C)} | {s(F)} | {s(DJ)} | {s(B)} | {ratio(O, F)} | {ratio(D, F)} | {ratio(O, DJ)} | {ratio(D, DJ)} | {ratio(O, B)} |")
print()
print("Butane's no-change row is `cargo build` with nothing changed plus `butane makemigration`; its one-column row is")
print("`cargo build` after the one-field edit plus `butane makemigration` (Butane reads the models when they compile).")
print("Flask-Migrate figures: median per step over the runs of shared/bench/alembic_bench.sh.")
print("Butane's floor is its own initial DDL through the sqlite3 shell in one transaction: Butane has no")
print("secondary-index or varchar vocabulary, so it builds fewer b-trees (%s; this project: %s;"
      % (res.get("butane_btrees", "?"), res.get("ours_btrees", "?")))
print("this project on the models without the `index` attributes, the row \"Butane's DDL\": %s)."
      % res.get("ours_btrees_butane_ddl", "?"))
if "diesel_print_schema" in res:
    print("`diesel print-schema` of the same database: %s; `schema` output: %s."
          % (s(med("diesel_print_schema")), res.get("schema_same", "?")))
print("Both Rust models crates carry `#![recursion_limit]` (Diesel's allow_tables_to_appear_in_same_query! over")
print("all tables, Butane's ForeignKey chain): without it neither compiles past ~120 tables.\n")

print("#### This project, piece by piece\n")
print("CPU is the mean user + system time of the runs: on a machine shared with other builds it moves far less")
print("than the wall-clock median.\n")
print("| what | median | min - max | CPU | runs | peak RSS (MB) |")
print("| --- | --- | --- | --- | --- | --- |")
detail = [
    ("process start (`migrate-cli --version`, release)", "ours_process_start"),
    ("rustfmt of the initial module alone (migrate pipes it through rustfmt)", "ours_rustfmt_initial"),
    ("syn::parse_file of the models file alone (criterion, in process)", "crit_syn_parse_file"),
    ("syn alone as a process: start, read the models file, parse it (bench/syn-alone)", "syn_alone_process"),
    ("source::read_models of the models crate (criterion, in process)", "crit_read_models"),
    ("no-change migrate in memory: read models + snapshot + diff (criterion)", "crit_nochange_inmemory"),
    ("`migrate-cli check` (source reader), release", "ours_check_source"),
    ("first upgrade in an empty target dir (compiles migrate-core, Diesel, SQLite, runner); once", "ours_upgrade_initial_colddeps"),
    ("upgrade initial, compiled runner (MIGRATE_RUNNER=compiled) built from clean (dependencies built)", "ours_upgrade_initial_compile"),
    ("upgrade initial, compiled runner recompiled incrementally (main.rs touched)", "ours_upgrade_initial_recompile"),
    ("upgrade initial, compiled runner already built", "ours_upgrade_initial_compiled"),
    ("upgrade initial, module read for the first time (read cache emptied)", "ours_upgrade_initial_firstread"),
    ("upgrade initial, module read before (found by checksum)", "ours_upgrade_initial"),
    ("upgrade initial of Butane's DDL (models without the parent_id index), module read before", "ours_upgrade_initial_butane_ddl"),
    ("upgrade one column, compiled runner recompiled incrementally", "ours_upgrade_onecol_recompile"),
    ("upgrade one column, modules read before", "ours_upgrade_onecol"),
    ("downgrade one column, modules read before", "ours_downgrade_onecol"),
    ("upgrade base -> head with the debug CLI", "ours_dbg_upgrade_all"),
    ("floor: the same DDL through the sqlite3 shell, one transaction", "ours_floor"),
    ("PostgreSQL: upgrade initial", "ours_pg_upgrade_initial"),
    ("PostgreSQL floor: the same DDL through `psql -1`", "ours_pg_floor"),
    ("`schema` of the initial database, release", "ours_schema"),
    ("`diesel print-schema` of the same database", "diesel_print_schema"),
    ("Butane's floor: its initial DDL through the sqlite3 shell, one transaction", "butane_floor"),
]
def span(k):
    v = res.get(k)
    if not v or v == "fail" or len(v.split()) < 4:
        return "-"
    lo, hi = float(v.split()[1]), float(v.split()[2])
    return f"{s(lo)} - {s(hi)}"

for label, k in detail + [("autogenerate initial, release", "ours_autogen_initial"),
                          ("autogenerate no change, release", "ours_autogen_nochange"),
                          ("autogenerate no change, debug binary", "ours_dbg_autogen_nochange"),
                          ("autogenerate no change, `cargo run`", "ours_crun_autogen_nochange"),
                          ("autogenerate one column, release", "ours_autogen_onecol"),
                          ("autogenerate one column, debug binary", "ours_dbg_autogen_onecol")]:
    if k in res:
        print(f"| {label} | {s(med(k))} | {span(k)} | {s(cpu(k))} | {runs_of(k)} | {mb(k)} |")
print()

comp = [
    ("`cargo check`, cold (crate cleaned, dependencies built)", "models_check_cold"),
    ("`cargo check`, nothing changed", "models_check_noop"),
    ("`cargo check` after a one-field edit (field removed)", "models_check_edit"),
    ("`cargo check` after a one-field edit (field added back)", "models_check_edit2"),
    ("`migrate-cli check --compiled`, cold (models crate built from clean)", "ours_check_compiled_cold"),
    ("`migrate-cli check --compiled`, nothing changed", "ours_check_compiled_noop"),
    ("`migrate-cli check --compiled` after a one-field edit (removed; exits 1 as it should)", "ours_check_compiled_edit"),
    ("`migrate-cli check --compiled` after a one-field edit (added back)", "ours_check_compiled_edit2"),
    ("Butane: `cargo build` of its models crate, cold (crate cleaned)", "butane_build_cold"),
    ("Butane: `cargo build`, nothing changed", "butane_build_noop"),
    ("Butane: `cargo build` after the one-field edit", "butane_build_edit"),
]
if any(k in res for _, k in comp):
    print("#### Compiling the models crate (Diesel derives + `#[derive(Model)]`), one run each unless noted\n")
    print("| what | time | runs | peak RSS (MB) |")
    print("| --- | --- | --- | --- |")
for label, k in comp:
    if k in res:
        rc = res.get(k + ".rc")
        note = f" (exit {rc})" if rc not in (None, "0") and k != "ours_check_compiled_edit" else ""
        print(f"| {label} | {s(med(k))}{note} | {runs_of(k)} | {mb(k)} |")
print()
if "schema_rs_patched" in res:
    print("The `schema.rs` that `migrate` wrote does not compile with these models: it declares numeric(10,2)")
    print("as `Nullable<Double>`, which a `BigDecimal` field cannot be; for the rows above " + res["schema_rs_patched"] + ".\n")

print("#### CPU time (user + system, mean of the runs) of the steps timed with hyperfine\n")
print("| step | this project, release | debug binary | Django | Butane |")
print("| --- | --- | --- | --- | --- |")
for label, o, d, dj, b in [
    ("autogenerate, initial", "ours_autogen_initial", "ours_dbg_autogen_initial", "django_makemigrations_initial", "butane_makemigration_initial"),
    ("autogenerate, no change", "ours_autogen_nochange", "ours_dbg_autogen_nochange", "django_makemigrations_nochange", "butane_makemigration_nochange"),
    ("autogenerate, one column", "ours_autogen_onecol", "ours_dbg_autogen_onecol", "django_makemigrations_onecol", "butane_makemigration_onecol"),
    ("upgrade, initial", "ours_upgrade_initial", None, "django_migrate_initial", "butane_migrate_initial"),
    ("upgrade, one column", "ours_upgrade_onecol", None, "django_migrate_onecol", "butane_migrate_onecol"),
    ("downgrade, one column", "ours_downgrade_onecol", None, "django_unmigrate_onecol", "butane_unmigrate_onecol"),
    ("floor (sqlite3 shell)", "ours_floor", None, None, None),
]:
    print(f"| {label} | {s(cpu(o))} | {s(cpu(d)) if d else '-'} | {s(cpu(dj)) if dj else '-'} | {s(cpu(b)) if b else '-'} |")
print("\nButane's CPU figures are for `butane` alone (no `cargo build`). Flask-Migrate is timed by alembic_bench.sh (wall clock only).\n")

print("#### Peak RSS (MB, largest process of the step, one run under /usr/bin/time)\n")
print("| step | this project | Flask-Migrate | Django | Butane |")
print("| --- | --- | --- | --- | --- |")
print(f"| autogenerate, initial | {mb('ours_autogen_initial')} | - | {mb('django_makemigrations_initial')} | {mb('butane_makemigration_initial')} |")
print(f"| autogenerate, no change | {mb('ours_autogen_nochange')} | {mb('flask_mem_nochange')} | {mb('django_makemigrations_nochange')} | {mb('butane_makemigration_nochange')} |")
print(f"| autogenerate, one column | {mb('ours_autogen_onecol')} | - | {mb('django_makemigrations_onecol')} | {mb('butane_makemigration_onecol')} |")
print(f"| upgrade, initial | {mb('ours_upgrade_initial')} | {mb('flask_mem_upgrade')} (base -> head) | {mb('django_migrate_initial')} | {mb('butane_migrate_initial')} |")
print()

print("#### Speed goals\n")
def goal(text, value, limit, applies=True):
    if not applies:
        print(f"| {text} | - | - | not applicable at N={n} |")
    elif value is None or limit is None:
        print(f"| {text} | - | - | not measured |")
    else:
        r = value / limit
        print(f"| {text} | {s(value)} | {s(limit)} | {'met' if value <= limit else 'NOT met'} ({r:.2f} of the limit) |")
print("| goal | measured | limit | verdict |")
print("| --- | --- | --- | --- |")
def m(k): return med(k)
def times(k, f):
    v = m(k)
    return None if v is None else v * f
goal("no-change autogenerate (debug binary) <= 0.05x Flask-Migrate", m("ours_dbg_autogen_nochange"), times("flask_autogen_nochange", 0.05), n == 200)
goal("no-change autogenerate (debug binary) <= 0.15x Django", m("ours_dbg_autogen_nochange"), times("django_makemigrations_nochange", 0.15), n == 200)
goal("one-column autogenerate (debug binary) <= 0.05x Flask-Migrate", m("ours_dbg_autogen_onecol"), times("flask_autogen_onecol", 0.05), n == 200)
goal("one-column autogenerate (debug binary) <= 0.15x Django", m("ours_dbg_autogen_onecol"), times("django_makemigrations_onecol", 0.15), n == 200)
goal("no-change autogenerate (release) <= 3x syn::parse_file of the models", m("ours_autogen_nochange"), times("crit_syn_parse_file", 3), n == 200)
goal("one-column autogenerate (release) <= 3x syn::parse_file of the models", m("ours_autogen_onecol"), times("crit_syn_parse_file", 3), n == 200)
goal("no-change autogenerate (release) <= 3x syn alone as a process", m("ours_autogen_nochange"), times("syn_alone_process", 3), n == 200)
goal("one-column autogenerate (release) <= 3x syn alone as a process", m("ours_autogen_onecol"), times("syn_alone_process", 3), n == 200)
goal("upgrade initial, compiled, <= 0.1x Flask-Migrate upgrade", m("ours_upgrade_initial"), times("flask_upgrade_initial", 0.1), n == 200)
goal("upgrade initial, compiled, <= 2x Butane migrate", m("ours_upgrade_initial"), times("butane_migrate_initial", 2), n == 200)
goal("upgrade initial of Butane's DDL, compiled, <= 2x Butane migrate", m("ours_upgrade_initial_butane_ddl"), times("butane_migrate_initial", 2), n == 200)
goal("upgrade initial, compiled, <= 1.5x the sqlite3 floor (N=1000)", m("ours_upgrade_initial"), times("ours_floor", 1.5), n == 1000)
goal("`schema` <= 0.05x `diesel print-schema` (N=1000)", m("ours_schema"), times("diesel_print_schema", 0.05), n == 1000)
print()

def ins(k):
    v = res.get(k)
    return None if v in (None, "", "fail") else int(v)
if any(k.startswith("cg_") for k in res):
    print("#### Instructions executed (callgrind, every process of the step, one run)\n")
    print("Instruction counts do not move with the machine's load, so these ratios hold where the wall-clock")
    print("ones above are disturbed by other builds. They weigh every instruction alike: a cache miss or an")
    print("fsync costs no more here than an add.\n")
    print("| step | instructions | against | its instructions | ratio |")
    print("| --- | --- | --- | --- | --- |")
    def mi(x):
        return "-" if x is None else "%.1f M" % (x / 1e6)
    for label, k, other_label, other in [
        ("no-change autogenerate, release", "cg_ours_autogen_nochange", "syn alone parsing the models file (a process)", "cg_syn_alone"),
        ("no-change autogenerate, debug binary", "cg_ours_dbg_autogen_nochange", "syn alone parsing the models file (a process)", "cg_syn_alone"),
        ("one-column autogenerate, release", "cg_ours_autogen_onecol", "syn alone parsing the models file (a process)", "cg_syn_alone"),
        ("one-column autogenerate, debug binary", "cg_ours_dbg_autogen_onecol", "syn alone parsing the models file (a process)", "cg_syn_alone"),
        ("upgrade, initial (module read before)", "cg_ours_upgrade_initial", "floor: sqlite3 shell, same DDL", "cg_ours_floor"),
        ("upgrade, initial (module read before)", "cg_ours_upgrade_initial", "Butane migrate, initial", "cg_butane_migrate_initial"),
        ("upgrade, initial, Butane's DDL (module read before)", "cg_ours_upgrade_initial_butane_ddl", "Butane migrate, initial", "cg_butane_migrate_initial"),
        ("upgrade, initial, Butane's DDL (module read before)", "cg_ours_upgrade_initial_butane_ddl", "floor: sqlite3 shell, Butane's DDL", "cg_butane_floor"),
        ("Butane migrate, initial", "cg_butane_migrate_initial", "floor: sqlite3 shell, Butane's DDL", "cg_butane_floor"),
        ("floor: sqlite3 shell, same DDL", "cg_ours_floor", "floor: sqlite3 shell, Butane's DDL", "cg_butane_floor"),
        ("`schema`, release", "cg_ours_schema", "-", None),
    ]:
        a, b = ins(k), ins(other) if other else None
        if a is None and b is None:
            continue
        r = "-" if a is None or b is None or b == 0 else "%.2fx" % (a / b)
        print(f"| {label} | {mi(a)} | {other_label} | {mi(b)} | {r} |")
    print()
print("Machine load (1, 5, 15 min averages from /proc/loadavg): at start %s, at end %s.\n"
      % (res.get("load_start", "?"), res.get("load_end", "?")))
for k in ("butane_note", "butane_skipped"):
    if k in res:
        print(("Butane skipped: " if k == "butane_skipped" else "Butane: ") + res[k] + ".\n")
if skipped:
    print("Skipped: " + "; ".join(skipped) + "\n")
