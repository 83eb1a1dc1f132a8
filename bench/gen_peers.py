#!/usr/bin/env python3
"""The schema of shared/bench/gen_schema.py for the other code-first peers: Django and Butane.

  gen_peers.py N --django DIR [--extra]   Django project (manage.py, settings, app `benchapp`)
  gen_peers.py N --butane DIR [--extra]   Butane models file DIR/src/models.rs (crate around it
                                           written by compare.sh)

Same N tables t0000.. and the same ten columns as gen_schema.py; `--extra` adds the nullable
`nickname` varchar(64) to the middle table (n // 2), the one-field edit of a dev loop.

Butane has no varchar length, numeric or secondary-index vocabulary, so there `name`/`email` are
text, `amount` is a nullable double and `parent_id` has no index (its foreign key stays).
"""
import argparse
import os


def table(i):
    return f"t{i:04d}"


DJANGO_SETTINGS = """import os
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "bench"
DEBUG = False
INSTALLED_APPS = ["benchapp"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("DJANGO_DB", os.path.join(BASE_DIR, "app.db"))}}
USE_TZ = False
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
"""

DJANGO_MANAGE = """#!/usr/bin/env python3
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproj.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""


def django_models(n, extra=False):
    out = ["from django.db import models", ""]
    for i in range(n):
        out.append(f"class M{i:04d}(models.Model):")
        out.append("    id = models.AutoField(primary_key=True)")
        out.append("    name = models.CharField(max_length=120)")
        out.append("    email = models.CharField(max_length=255, unique=True)")
        out.append("    bio = models.TextField(null=True)")
        out.append("    score = models.FloatField()")
        # a server-side default, as in the Flask app (server_default) and this project (default)
        out.append("    active = models.BooleanField(db_default=True)")
        out.append("    created_at = models.DateTimeField()")
        out.append("    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True)")
        if i > 0:
            out.append(f"    parent = models.ForeignKey('M{i-1:04d}', null=True, db_index=True, "
                       "on_delete=models.DO_NOTHING, db_column='parent_id', related_name='+')")
        else:
            out.append("    parent_id = models.IntegerField(null=True, db_index=True)")
        out.append("    payload = models.BinaryField(null=True)")
        if extra and i == n // 2:
            out.append("    nickname = models.CharField(max_length=64, null=True)")
        out.append("")
        out.append("    class Meta:")
        out.append(f"        db_table = '{table(i)}'")
        out.append("")
    return "\n".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def django_project(n, d, extra=False):
    write(os.path.join(d, "manage.py"), DJANGO_MANAGE)
    write(os.path.join(d, "benchproj", "__init__.py"), "")
    write(os.path.join(d, "benchproj", "settings.py"), DJANGO_SETTINGS)
    write(os.path.join(d, "benchapp", "__init__.py"), "")
    write(os.path.join(d, "benchapp", "models.py"), django_models(n, extra))


def butane_models(n, extra=False):
    out = ["use butane::{model, AutoPk, ForeignKey};", ""]
    for i in range(n):
        out.append("#[model]")
        out.append(f"#[table = \"{table(i)}\"]")
        out.append(f"pub struct M{i:04d} {{")
        out.append("    pub id: AutoPk<i32>,")
        out.append("    pub name: String,")
        out.append("    #[unique]")
        out.append("    pub email: String,")
        out.append("    pub bio: Option<String>,")
        out.append("    pub score: f64,")
        out.append("    #[default = true]")
        out.append("    pub active: bool,")
        out.append("    pub created_at: chrono::NaiveDateTime,")
        out.append("    pub amount: Option<f64>,")
        if i > 0:
            out.append(f"    pub parent_id: Option<ForeignKey<M{i-1:04d}>>,")
        else:
            out.append("    pub parent_id: Option<i32>,")
        out.append("    pub payload: Option<Vec<u8>>,")
        if extra and i == n // 2:
            out.append("    pub nickname: Option<String>,")
        out.append("}")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("--django")
    p.add_argument("--butane")
    p.add_argument("--extra", action="store_true")
    a = p.parse_args()
    if a.django:
        django_project(a.n, a.django, a.extra)
    if a.butane:
        write(os.path.join(a.butane, "src", "models.rs"), butane_models(a.n, a.extra))
