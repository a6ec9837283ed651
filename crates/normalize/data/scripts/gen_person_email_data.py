#!/usr/bin/env python3
"""Regenerates the person/email data files of firmlink-normalize.

Fetch the packages first (registries only, no other network):

    pip download --no-deps nicknames==1.0.1 disposable-email-domains==0.0.293 names==0.3.0 -d /tmp/nd
    (cd /tmp/nd && npm pack freemail@1.7.0)

then run this script with the folder as argument. It writes, next to itself in ../:
  nicknames.csv            names.csv from the nicknames wheel, verbatim
  free_mail.txt            data/free.txt from the freemail tarball, verbatim
  disposable_domains.txt   the `blocklist` set of disposable-email-domains, sorted
  first_name_freq.csv      US census 1990 first-name frequency (male + female percent)
                           of every name in nicknames.csv, from names 0.3.0
free_mail_extra.txt, role_local_parts.txt and nickname_overrides.csv are hand-written.
"""
import collections, csv, io, os, sys, tarfile, zipfile

src = sys.argv[1] if len(sys.argv) > 1 else "/tmp/nd"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

with zipfile.ZipFile(os.path.join(src, "nicknames-1.0.1-py3-none-any.whl")) as z:
    nick = z.read("nicknames/names.csv").decode()
open(os.path.join(out, "nicknames.csv"), "w").write(nick)

with tarfile.open(os.path.join(src, "freemail-1.7.0.tgz")) as t:
    free = t.extractfile("package/data/free.txt").read().decode()
open(os.path.join(out, "free_mail.txt"), "w").write(free)

with zipfile.ZipFile(os.path.join(src, "disposable_email_domains-0.0.293-py3-none-any.whl")) as z:
    code = z.read("disposable_email_domains/__init__.py").decode()
ns = {}
exec(compile(code, "disposable_email_domains", "exec"), ns)
open(os.path.join(out, "disposable_domains.txt"), "w").write("\n".join(sorted(ns["blocklist"])) + "\n")

freq = collections.Counter()
with tarfile.open(os.path.join(src, "names-0.3.0.tar.gz")) as t:
    for f in ("dist.male.first", "dist.female.first"):
        for line in t.extractfile("names-0.3.0/names/" + f).read().decode().splitlines():
            p = line.split()
            if p:
                freq[p[0].lower()] += float(p[1])
names = set()
for a, _, b in list(csv.reader(io.StringIO(nick)))[1:]:
    names.update((a, b))
with open(os.path.join(out, "first_name_freq.csv"), "w") as f:
    f.write("name,percent\n")
    for n in sorted(names):
        if n in freq:
            f.write("%s,%.3f\n" % (n, freq[n]))
