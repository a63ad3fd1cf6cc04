#!/usr/bin/env bash
# Builds rpm databases with the real rpm tool (Debian's rpm package): packages built by rpmbuild and installed
# (--justdb) into an SQLite rpmdb (rpm's default backend). The same header blobs are then written
#  - as a BerkeleyDB hash "Packages" by BerkeleyDB's own db_load (rpm 4.18 no longer writes BerkeleyDB), and
#  - as an NDB "Packages.db" by the small writer below, which follows rpm's lib/backend/ndb/rpmpkg.c layout
#    (Debian builds rpm without the ndb backend, so no real tool here can write one).
# Output: $1/{sqlite/rpmdb.sqlite, ndb/Packages.db, bdb/Packages, expected.tsv}
set -euo pipefail
out=$1
[ -f "$out/.done" ] && exit 0
rm -rf "$out"; mkdir -p "$out"
top=$(mktemp -d)
mkdir -p "$top"/{BUILD,RPMS,SOURCES,SPECS,SRPMS,BUILDROOT}
cat > "$top/SPECS/stella-hello.spec" <<'SPEC'
Name:           stella-hello
Epoch:          2
Version:        1.4.2
Release:        3.el9
Summary:        Greets
License:        MIT
BuildArch:      x86_64
%description
A package built for Stella Ops rpmdb tests.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/share/doc/stella-hello
printf '#!/bin/sh\necho hello\n' > %{buildroot}/usr/bin/stella-hello
printf 'docs\n' > %{buildroot}/usr/share/doc/stella-hello/README
%files
/usr/bin/stella-hello
/usr/share/doc/stella-hello/README
SPEC
cat > "$top/SPECS/stella-libs.spec" <<'SPEC'
Name:           stella-libs
Version:        0.9
Release:        1
Summary:        Libraries
License:        ASL 2.0 and BSD
BuildArch:      noarch
%description
Two subpackages from one source rpm.
%package -n stella-libs-devel
Summary: devel
%description -n stella-libs-devel
Headers.
%install
mkdir -p %{buildroot}/usr/lib/stella %{buildroot}/usr/include/stella
printf 'lib\n' > %{buildroot}/usr/lib/stella/libstella.txt
printf 'h\n' > %{buildroot}/usr/include/stella/stella.h
%files
/usr/lib/stella/libstella.txt
%files -n stella-libs-devel
/usr/include/stella/stella.h
SPEC
cat > "$top/SPECS/stella-many.spec" <<'SPEC'
Name:           stella-many
Version:        7.0
Release:        2
Summary:        Many files, so that its header needs BerkeleyDB overflow pages
License:        GPL-2.0-or-later
BuildArch:      noarch
%description
Many files.
%install
mkdir -p %{buildroot}/usr/share/stella-many
for i in $(seq 1 400); do echo $i > %{buildroot}/usr/share/stella-many/file-with-a-long-name-$i.txt; done
%files
/usr/share/stella-many
SPEC
for s in "$top"/SPECS/*.spec; do
  rpmbuild --quiet --define "_topdir $top" --define "_build_id_links none" -bb "$s" >/dev/null 2>&1
done
rpms=$(find "$top/RPMS" -name '*.rpm' | LC_ALL=C sort)
install() { # dbpath extra-defines...
  local db=$1; shift
  mkdir -p "$db"
  rpm "$@" --dbpath "$db" --initdb
  rpm "$@" --dbpath "$db" -i --justdb --nodeps --noscripts --ignorearch --ignoreos $rpms
}
install "$out/sqlite"
rpm --dbpath "$out/sqlite" -qa --qf '%{NAME}\t%{EPOCHNUM}\t%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n' | LC_ALL=C sort > "$out/expected.tsv"
# BerkeleyDB: the same header blobs under their header numbers, written by db_load as a hash database
mkdir -p "$out/bdb"
python3 - "$out/sqlite/rpmdb.sqlite" "$out/bdb/load.txt" <<'PY'
import sqlite3, struct, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
with open(sys.argv[2], "w") as f:
    f.write("VERSION=3\nformat=bytevalue\ntype=hash\nHEADER=END\n")
    for hnum, blob in rows:
        f.write(" " + struct.pack("<I", hnum).hex() + "\n")
        f.write(" " + bytes(blob).hex() + "\n")
    f.write("DATA=END\n")
PY
db5.3_load -f "$out/bdb/load.txt" "$out/bdb/Packages"
rm -f "$out/bdb/load.txt"
mkdir -p "$out/ndb"
python3 - "$out/sqlite/rpmdb.sqlite" "$out/ndb/Packages.db" <<'PY'
import sqlite3, struct, sys, zlib
rows = sqlite3.connect(sys.argv[1]).execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
PAGE, BLK = 4096, 16
slot_pages = 1
data = bytearray(b"\0" * (slot_pages * PAGE))
struct.pack_into("<IIIII", data, 0, 0x506d7052, 0, 1, slot_pages, len(rows) + 1)  # "RpmP", version, generation, slot pages, next index
slots = []
for hnum, blob in rows:
    blob = bytes(blob)
    blkoff = len(data) // BLK
    body = struct.pack("<IIII", 0x53626c42, hnum, 1, len(blob)) + blob          # head: "BlbS", pkgidx, generation, length
    body += struct.pack("<III", zlib.adler32(body) & 0xffffffff, len(blob), 0x45626c42)  # tail: adler32, length, "BlbE"
    body += b"\0" * (-len(body) % BLK)
    data += body
    slots.append((hnum, blkoff, len(body) // BLK))
for i in range(2, PAGE // 16):                                                # slot 0 and 1 hold the 32-byte header
    hnum, blkoff, blkcnt = slots[i - 2] if i - 2 < len(slots) else (0, 0, 0)
    struct.pack_into("<IIII", data, i * 16, 0x746f6c53, hnum, blkoff, blkcnt)   # "Slot"
open(sys.argv[2], "wb").write(data)
PY
rm -rf "$top"
touch "$out/.done"
