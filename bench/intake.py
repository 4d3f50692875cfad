"""Benchmark batch intake: checklists per second, against raw SQLite, and memory.

Usage: .venv/bin/python bench/intake.py [--checklists 10000] [--seed 1]

One run does all of this:

1. Generates N valid checklists into a JSON Lines file: invented people, real
   postcodes of the seven districts from the product's postcode lookup data,
   about two referrals each, repeat visits, resubmitted lines and ineligible
   people (see the shares below).
2. Product: runs `import_checklists` through `call_command` on a fresh SQLite
   database (migrated, bundled scheme loaded, the product's settings) and
   reports input lines per second.
3. Baseline: inserts the same person, possible-match, checklist, referral and
   audit rows that the product wrote, with Python's sqlite3 module, the same
   PRAGMAs and the same commit granularity as the import command, into a copy of
   the same empty database. The ratio product/baseline shows how close the
   product comes to the cost of writing its rows.
4. Memory: imports growing prefixes of the file, each in a new process, and
   records the peak RSS and the tracemalloc peak during each import.

Prints a table and writes the results as JSON to bench/results/.
"""

import argparse
import datetime
import io
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"

# Visits fall in one past calendar year, so no visit date is in the future and
# every district is live.
FIRST_VISIT = datetime.date(2025, 1, 6)
VISIT_DAYS = 360

# Shares of the generated checklists. The rest are first visits of eligible people.
REPEAT_PERSON = 0.15  # a later visit to someone already in the file
MOVED_PERSON = 0.005  # same name and date of birth, another postcode
RESUBMITTED = 0.005  # the same line sent again: the import reports "duplicate"
UNDER_AGE = 0.03
OUT_OF_AREA = 0.03  # a Leicester postcode
# How many questions a checklist answers in the referring way, with weights.
REFERRING_ANSWERS = {0: 8, 1: 25, 2: 30, 3: 20, 4: 10, 5: 5, 6: 2}
LEICESTER_ONS = "E06000016"

GIVEN_NAMES = (
    "Ada Agnes Alan Albert Alice Arthur Audrey Barbara Beryl Brian Carol Clive "
    "Colin Daphne Derek Dorothy Edith Edna Eileen Elsie Eric Ernest Ethel Frank "
    "Gladys Gordon Harold Hilda Irene Ivy Jean Joan Keith Kenneth Leonard Lilian "
    "Mabel Margaret Maureen Muriel Norman Olive Pamela Patricia Peggy Ronald Rose "
    "Sheila Stanley Sylvia Thomas Vera Walter Winifred Zoë Chloé Renée Seán"
).split()
FAMILY_NAMES = (
    "Abbott Ashworth Barlow Beckett Birch Bramley Cartwright Chadwick Clayton "
    "Dawlish Denby Eastwood Ellison Fairbrother Farnham Fletcher Garside Hadley "
    "Hartwell Holloway Ibbotson Jessop Kirkland Lambert Lindley Marchant Mellor "
    "Newbold Oakes Ormerod Pickering Prentice Quarmby Radcliffe Rowntree Sadler "
    "Shipley Stainton Thwaite Tomlinson Upton Varley Wainwright Whitworth "
    "Yardley O'Brien O’Connell D'Arcy Smith-Barton Ashby-Hale"
).split()
STREETS = (
    "Mill Lane,Church Road,Station Road,Park View,Orchard Close,Victoria Street,"
    "Main Street,Meadow Way,Chapel Lane,School Road,The Green,Elm Grove"
).split(",")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checklists",
        type=int,
        default=10_000,
        help="number of checklists to generate and import (default 10000)",
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed for the generated file"
    )
    parser.add_argument(
        "--memory-steps",
        type=int,
        default=4,
        help="file prefixes to measure peak RSS on: N/10, N/5, N/2 and N for 4 "
        "(default 4; 0 skips the memory runs)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="times to run the import and the baseline; the fastest run counts "
        "(default 3)",
    )
    parser.add_argument(
        "--memory-child",
        nargs=4,
        metavar=("MODE", "DATABASE", "FILE", "RESULTS"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the working directory with the databases and files",
    )
    return parser.parse_args(argv)


# --- Generating checklists ---------------------------------------------------


def load_scheme_facts() -> dict:
    from firstcontact.directory.loading import BUNDLED_SCHEME, read_scheme_file

    data = read_scheme_file(BUNDLED_SCHEME)
    agencies = data["agencies"]
    return {
        "referrers": [a["code"] for a in agencies if "referrer" in a["role"]],
        "providers": [a["code"] for a in agencies if "provider" in a["role"]],
        "questions": [
            (q["code"], q["refer_on"]) for q in data["checklist"]["questions"]
        ],
        "districts": [d["ons_code"] for d in data["districts"]],
    }


def sample_postcodes(ons_codes, rng, per_district=300) -> dict[str, list[str]]:
    """Pick real postcodes of each district from the product's lookup data."""
    from firstcontact.directory import postcodes

    # Every postcode of the seven districts and of Leicester starts with L (LE).
    # The lookup module has no public listing, so this reads its per-letter table.
    table = postcodes._districts_for_letter("L")
    by_district = {code: [] for code in ons_codes}
    for compact, ons in table.items():
        if ons in by_district:
            by_district[ons].append(compact)
    chosen = {}
    for ons, compacts in by_district.items():
        compacts.sort()
        picked = rng.sample(compacts, min(per_district, len(compacts)))
        chosen[ons] = [postcodes.normalise_postcode(c) for c in picked]
    return chosen


def typed_postcode(postcode: str, rng: random.Random) -> str:
    """Return the postcode as a worker might type it.

    One in ten is in lower case and one in twenty has no space.
    """
    roll = rng.random()
    if roll < 0.1:
        return postcode.lower()
    if roll < 0.15:
        return postcode.replace(" ", "")
    return postcode


def new_person(rng, postcodes_by_district, districts, visit_date, *, age, area):
    # Up to 364 days before the birthday that makes them `age` on the visit.
    anniversary = visit_date.replace(
        year=visit_date.year - age,
        day=28 if (visit_date.month, visit_date.day) == (2, 29) else visit_date.day,
    )
    date_of_birth = anniversary - datetime.timedelta(days=rng.randrange(365))
    district = area or rng.choice(districts)
    person = {
        "given_name": rng.choice(GIVEN_NAMES),
        "family_name": rng.choice(FAMILY_NAMES),
        "date_of_birth": date_of_birth.isoformat(),
        "address_line_1": f"{rng.randrange(1, 180)} {rng.choice(STREETS)}",
        "postcode": rng.choice(postcodes_by_district[district]),
    }
    if rng.random() < 0.6:
        # Ofcom reserves 0116 496 0000 to 0999 for fiction.
        person["phone"] = f"0116 496 {rng.randrange(1000):04d}"
    lives_alone = rng.choice((True, True, False, None))
    if lives_alone is not None:
        person["lives_alone"] = lives_alone
    return person


def make_answers(rng, questions) -> dict[str, str]:
    counts, weights = zip(*REFERRING_ANSWERS.items(), strict=True)
    referring = set(rng.sample(range(len(questions)), rng.choices(counts, weights)[0]))
    answers = {}
    for index, (code, refer_on) in enumerate(questions):
        if index in referring:
            answers[code] = refer_on
        else:
            answers[code] = "no" if refer_on == "yes" else "yes"
    if rng.random() < 0.05:
        for code in rng.sample(sorted(answers), rng.randrange(1, 4)):
            if answers[code] != dict(questions)[code]:
                del answers[code]
    return answers


def make_equality(rng) -> dict[str, str]:
    """Answer some of the census monitoring questions the product accepts."""
    from firstcontact.reports.census import allowed_codes

    # The age band is left out: it would have to agree with the date of birth.
    questions = ["sex", "ethnic_group", "disability"]
    chosen = rng.sample(questions, rng.randrange(1, len(questions) + 1))
    return {question: rng.choice(allowed_codes(question)) for question in chosen}


def make_consent(rng, providers) -> dict:
    roll = rng.random()
    if roll < 0.05:
        return {"share": False}
    if roll < 0.12:
        return {"share": True, "except_agencies": [rng.choice(providers)]}
    return {"share": True}


def generate_checklists(count: int, seed: int):
    """Yield `count` valid checklists in the exchange format, deterministically."""
    rng = random.Random(seed)
    facts = load_scheme_facts()
    districts = facts["districts"]
    postcodes_by_district = sample_postcodes([*districts, LEICESTER_ONS], rng)
    people = []
    lines = []
    for index in range(count):
        visit_date = FIRST_VISIT + datetime.timedelta(days=index * VISIT_DAYS // count)
        roll = rng.random()
        if lines and roll < RESUBMITTED:
            yield rng.choice(lines)
            continue
        roll -= RESUBMITTED
        if people and roll < REPEAT_PERSON:
            person = dict(rng.choice(people))
            if rng.random() < 0.2:
                person["family_name"] = person["family_name"].upper()
        elif people and roll < REPEAT_PERSON + MOVED_PERSON:
            person = dict(rng.choice(people))
            person["postcode"] = rng.choice(postcodes_by_district[districts[0]])
        else:
            roll -= REPEAT_PERSON + MOVED_PERSON
            under_age = roll < UNDER_AGE
            out_of_area = UNDER_AGE <= roll < UNDER_AGE + OUT_OF_AREA
            person = new_person(
                rng,
                postcodes_by_district,
                districts,
                visit_date,
                age=rng.randrange(45, 60) if under_age else rng.randrange(60, 99),
                area=LEICESTER_ONS if out_of_area else None,
            )
            people.append(person)
        person = dict(person, postcode=typed_postcode(person["postcode"], rng))
        checklist = {
            "external_id": f"BX-{index + 1:06d}",
            "checklist_version": 1,
            "visit_date": visit_date.isoformat(),
            "referrer": {
                "agency": rng.choice(facts["referrers"]),
                "worker": f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
            },
            "source": "partner",
            "person": person,
            "consent": make_consent(rng, facts["providers"]),
            "answers": make_answers(rng, facts["questions"]),
        }
        if rng.random() < 0.02:
            checklist["safeguarding_concern"] = (
                "Door left unlocked at night; a neighbour reports cold callers."
            )
        if rng.random() < 0.6:
            checklist["equality"] = make_equality(rng)
        line = json.dumps(checklist, ensure_ascii=False)
        lines.append(line)
        yield line


def write_checklists(path: Path, count: int, seed: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for line in generate_checklists(count, seed):
            out.write(line + "\n")


# --- The product -------------------------------------------------------------


def setup_django(database: Path, workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "firstcontact.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["FIRSTCONTACT_DATA_DIR"] = str(workdir)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def prepare_database() -> None:
    """Migrate the benchmark database and load the bundled scheme."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_scheme", stdout=io.StringIO())
    connection.close()


def commit_every() -> int:
    """Return how many input lines the import command writes per transaction."""
    from firstcontact.checklists.management.commands import import_checklists

    # Before the import was chunked, each line had its own transaction.
    return getattr(import_checklists, "CHUNK_SIZE", 1)


def run_product(checklists: Path, results: Path) -> dict:
    """Import the file with the product's command and time it."""
    from django.core.management import call_command
    from django.db import connection

    from firstcontact.directory import postcodes

    # A real import process starts without the postcode table; the generator
    # loaded it, so drop it to time the same work.
    postcodes._districts_for_letter.cache_clear()
    started = time.perf_counter()
    cpu_started = time.process_time()
    call_command(
        "import_checklists",
        checklists,
        results=results,
        no_progress=True,
        stdout=io.StringIO(),
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    connection.close()
    statuses = {}
    referrals = 0
    with results.open(encoding="utf-8") as lines:
        for line in lines:
            result = json.loads(line)
            if result["status"] == "rejected":
                raise RuntimeError(
                    "The product rejected a generated checklist; the generator "
                    f"needs updating: {result}"
                )
            statuses[result["status"]] = statuses.get(result["status"], 0) + 1
            referrals += len(result.get("referrals", ()))
    postcodes._districts_for_letter.cache_clear()
    started = time.perf_counter()
    postcodes._districts_for_letter("L")
    postcode_load = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "statuses": statuses,
        "referrals_sent": referrals,
        "postcode_table_load_seconds": postcode_load,
    }


# --- The baseline ------------------------------------------------------------

# Columns that tie a new row to the checklist it was written for, tried in order.
CHECKLIST_COLUMNS = ("checklist_id", "source_checklist_id", "target_id")


def count_rows(database: Path) -> dict[str, int]:
    db = sqlite3.connect(database)
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {
        table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables
    }
    db.close()
    return counts


def written_tables(template: Path, database: Path) -> dict[str, int]:
    """Return the tables the import added rows to, with their new row counts."""
    before = count_rows(template)
    after = count_rows(database)
    return {table: count for table, count in after.items() if count > before[table]}


def read_rows(database: Path, tables, results: Path):
    """Return the rows the import wrote, grouped by input line, and their columns.

    Each group contains (table, rows) pairs: the rows written for that line's
    checklist, such as a new person, the checklist, its referrals and its audit
    event. Duplicate and rejected lines have empty groups. A row that cannot be
    tied to a checklist raises RuntimeError, because the baseline would then
    miss writes that the product makes.
    """
    db = sqlite3.connect(database)
    columns, rows = {}, {}
    for table in tables:
        cursor = db.execute(f'SELECT * FROM "{table}"')
        columns[table] = [d[0] for d in cursor.description]
        rows[table] = cursor.fetchall()
    db.close()

    line_of = {}  # checklist id, as stored, to input line index
    with results.open(encoding="utf-8") as lines:
        for index, line in enumerate(lines):
            result = json.loads(line)
            if result["status"] == "processed":
                line_of[result["checklist_id"].replace("-", "")] = index
    checklist_rows = rows.get("checklists_checklist", [])
    person_position = columns["checklists_checklist"].index("person_id")
    line_of_person = {}
    for row in checklist_rows:
        person, line = row[person_position], line_of[row[0]]
        line_of_person[person] = min(line, line_of_person.get(person, line))
    line_of_referral = {}
    if "referrals_referral" in rows:
        position = columns["referrals_referral"].index("checklist_id")
        for row in rows["referrals_referral"]:
            line_of_referral[row[0]] = line_of[row[position]]

    def line_of_row(table, row):
        if table == "checklists_checklist":
            return line_of[row[0]]
        if table == "people_person":
            return line_of_person[row[0]]
        record = dict(zip(columns[table], row, strict=True))
        for column in CHECKLIST_COLUMNS:
            if record.get(column) in line_of:
                return line_of[record[column]]
        if record.get("referral_id") in line_of_referral:
            return line_of_referral[record["referral_id"]]
        if record.get("person_id") in line_of_person:
            return line_of_person[record["person_id"]]
        raise RuntimeError(f"A new row of {table} belongs to no imported checklist.")

    groups = [{} for _ in range(len(line_of) and max(line_of.values()) + 1)]
    for table in tables:
        for row in rows[table]:
            groups[line_of_row(table, row)].setdefault(table, []).append(row)
    return [list(group.items()) for group in groups], columns


def run_baseline(database: Path, groups, columns, every: int) -> tuple[float, float]:
    """Insert the rows with sqlite3, one transaction per `every` input lines.

    Foreign keys are checked as in the product: Django declares them
    DEFERRABLE INITIALLY DEFERRED, so they are checked at each commit.
    """
    statements = {
        table: f'INSERT INTO "{table}" ({", ".join(names)}) '
        f"VALUES ({', '.join('?' * len(names))})"
        for table, names in columns.items()
    }
    db = sqlite3.connect(database, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    started = time.perf_counter()
    cpu_started = time.process_time()
    for first in range(0, len(groups), every):
        db.execute("BEGIN IMMEDIATE")
        for group in groups[first : first + every]:
            for table, table_rows in group:
                db.executemany(statements[table], table_rows)
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    db.close()
    return seconds, cpu_seconds


# --- Memory ------------------------------------------------------------------


def measure_memory(checklists: Path, template: Path, workdir: Path, sizes) -> list:
    """Import prefixes of the file in new processes; return their peak memory.

    Each prefix is imported twice, on fresh copies of the empty database: once
    for the peak RSS, and once under tracemalloc for the peak of Python objects,
    because tracemalloc's own bookkeeping would inflate the RSS.
    """
    with checklists.open(encoding="utf-8") as source:
        all_lines = source.readlines()
    measurements = []
    for size in sizes:
        prefix = workdir / f"memory-{size}.jsonl"
        prefix.write_text("".join(all_lines[:size]), encoding="utf-8")
        measurement = {"lines": size}
        for mode in ("rss", "python"):
            database = workdir / f"memory-{size}-{mode}.sqlite3"
            shutil.copyfile(template, database)
            command = [
                sys.executable,
                __file__,
                "--memory-child",
                mode,
                str(database),
                str(prefix),
                str(workdir / f"memory-{size}-{mode}.results.jsonl"),
            ]
            output = subprocess.run(command, capture_output=True, text=True)
            if output.returncode != 0:
                raise RuntimeError(
                    f"The import of {size} lines failed:\n{output.stderr}"
                )
            measurement |= json.loads(output.stdout.splitlines()[-1])
        measurements.append(measurement)
    return measurements


def import_and_report_memory(
    mode: str, database: Path, checklists: Path, results: Path
) -> None:
    """Import a file in this process and print its peak memory during the import.

    With mode "rss", prints the peak RSS of the process. With mode "python",
    prints the peak of the Python objects that tracemalloc traces, which leave
    out SQLite's page cache and the allocator's free memory. The postcode table
    is loaded before the import and the RSS peak reset after it, so neither
    figure counts the one-off cost of decompressing the table. Where Linux does
    not allow the reset, the RSS peak counts from the start of the process.
    """
    setup_django(database, database.parent)
    from django.core.management import call_command

    from firstcontact.directory.postcodes import lookup_district_code

    lookup_district_code("LE1 1AA")
    measurement = {}
    if mode == "rss":
        try:
            # Writing 5 to clear_refs resets VmHWM, the peak RSS (Linux 4.0+).
            Path("/proc/self/clear_refs").write_text("5")
            measurement["rss_counted_from"] = "import start"
        except OSError:
            measurement["rss_counted_from"] = "process start"
    else:
        tracemalloc.start()
    call_command(
        "import_checklists",
        checklists,
        results=results,
        no_progress=True,
        stdout=io.StringIO(),
    )
    if mode == "rss":
        status = Path("/proc/self/status").read_text()
        peak_kb = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)
        measurement["peak_rss_mb"] = int(peak_kb) / 1024
    else:
        _, python_peak = tracemalloc.get_traced_memory()
        measurement["python_peak_mb"] = python_peak / 1024 / 1024
    print(json.dumps(measurement))


def memory_sizes(count: int, steps: int) -> list[int]:
    """Return `steps` prefix sizes that end with `count`: N/10, N/5, N/2, N for 4."""
    fractions = [0.1, 0.2, 0.5, 1.0]
    if steps > len(fractions):
        fractions = [(step + 1) / steps for step in range(steps)]
    chosen = fractions[-steps:]
    return sorted({max(1, round(count * fraction)) for fraction in chosen})


# --- Machine and report ------------------------------------------------------


def describe_machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": os_name,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": django.__version__,
    }


def git_commit() -> str | None:
    try:
        output = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return output.stdout.strip()


def print_report(report: dict) -> None:
    product = report["product"]
    baseline = report["baseline"]
    print(
        f"\nIntake benchmark: {report['checklists']} checklists, seed {report['seed']}"
    )
    print(
        f"  results: {product['statuses']}, referrals sent {product['referrals_sent']}"
    )
    print(f"  rows written: {report['rows']}")

    print(
        f"  commits: one per {report['commit_every']} input lines in both runs; "
        f"best of {report['repeat']} runs"
    )

    print()
    print(f"  {'run':<28} {'seconds':>8} {'checklists/s':>13} {'CPU s':>7}")
    for name, run in (
        ("product (import_checklists)", product),
        ("baseline (sqlite3 inserts)", baseline),
    ):
        print(
            f"  {name:<28} {run['seconds']:>8.2f} "
            f"{run['checklists_per_second']:>13.0f} {run['cpu_seconds']:>7.2f}"
        )

    print(
        f"  ratio product/baseline: {report['ratio']:.3f} "
        f"(by CPU time: {report['cpu_ratio']:.3f})"
    )
    print(
        "  postcode table load, included in the product run: "
        f"{product['postcode_table_load_seconds']:.2f} s"
    )

    if report["memory"]:
        print()
        counted_from = report["memory"][0]["rss_counted_from"]
        print(
            f"  {'lines':>8} {'peak RSS MB':>12} {'Python peak MB':>15}"
            f"   (RSS counted from {counted_from})"
        )
        for row in report["memory"]:
            print(
                f"  {row['lines']:>8} {row['peak_rss_mb']:>12.1f} "
                f"{row['python_peak_mb']:>15.1f}"
            )


def best_run(runs: list[dict], count: int) -> dict:
    best = dict(min(runs, key=lambda run: run["seconds"]))
    best["checklists_per_second"] = count / best["seconds"]
    best["all_seconds"] = [round(run["seconds"], 3) for run in runs]
    return best


def run_benchmark(args, workdir: Path) -> dict:
    product_db = workdir / "product.sqlite3"
    template_db = workdir / "template.sqlite3"
    setup_django(product_db, workdir)
    prepare_database()
    shutil.copyfile(product_db, template_db)

    checklists = workdir / "checklists.jsonl"
    results = workdir / "results.jsonl"
    write_checklists(checklists, args.checklists, args.seed)
    print(f"Generated {args.checklists} checklists; importing them.", flush=True)

    product_runs = []
    for _ in range(args.repeat):
        shutil.copyfile(template_db, product_db)
        for suffix in ("-wal", "-shm"):
            Path(f"{product_db}{suffix}").unlink(missing_ok=True)
        product_runs.append(run_product(checklists, results))
    rows = written_tables(template_db, product_db)

    every = commit_every()
    groups, columns = read_rows(product_db, rows, results)
    baseline_runs = []
    for run in range(args.repeat):
        baseline_db = workdir / f"baseline-{run}.sqlite3"
        shutil.copyfile(template_db, baseline_db)
        seconds, cpu_seconds = run_baseline(baseline_db, groups, columns, every)
        if written_tables(template_db, baseline_db) != rows:
            raise RuntimeError("The baseline wrote different rows from the product.")
        baseline_runs.append({"seconds": seconds, "cpu_seconds": cpu_seconds})
    del groups

    memory = []
    if args.memory_steps > 0:
        print("Measuring peak RSS on prefixes of the file.", flush=True)
        sizes = memory_sizes(args.checklists, args.memory_steps)
        memory = measure_memory(checklists, template_db, workdir, sizes)

    count = args.checklists
    product = best_run(product_runs, count)
    baseline = best_run(baseline_runs, count)
    return {
        "benchmark": "intake",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": describe_machine(),
        "checklists": count,
        "seed": args.seed,
        "repeat": args.repeat,
        "file_bytes": checklists.stat().st_size,
        "commit_every": every,
        "rows": rows,
        "product": product,
        "baseline": baseline,
        "ratio": baseline["seconds"] / product["seconds"],
        "cpu_ratio": baseline["cpu_seconds"] / product["cpu_seconds"],
        "memory": memory,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.memory_child:
        mode, *paths = args.memory_child
        import_and_report_memory(mode, *map(Path, paths))
        return 0
    if args.checklists < 1 or args.repeat < 1:
        print("--checklists and --repeat must be at least 1.", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="firstcontact-bench-"))
    try:
        report = run_benchmark(args, workdir)
    finally:
        if args.keep:
            print(f"Working files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_report(report)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    output = RESULTS_DIR / f"intake-{stamp}.json"
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nResults written to {output.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
