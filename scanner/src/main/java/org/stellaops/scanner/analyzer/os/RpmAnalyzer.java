package org.stellaops.scanner.analyzer.os;

import java.util.List;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * RPM packages from any rpmdb backend: SQLite ({@code rpmdb.sqlite}), BerkeleyDB ({@code Packages}) and NDB
 * ({@code Packages.db}), in {@code var/lib/rpm} or {@code usr/lib/sysimage/rpm}. The version is
 * {@code version-release}; the epoch goes into the purl's epoch qualifier (the documented epoch policy: an absent
 * epoch and epoch 0 are the same and produce no qualifier).
 */
public final class RpmAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "rpm";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        if (!path.startsWith("var/lib/rpm/") && !path.startsWith("usr/lib/sysimage/rpm/")) {
            return false;
        }
        String n = Analyzer.fileName(path);
        return n.equals("Packages") || n.equals("Packages.db") || n.equals("rpmdb.sqlite");
    }

    @Override
    public boolean acceptsSpilled() {
        return true; // a big distribution's rpm database can pass the in-memory limit
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        String n = file.fileName();
        List<byte[]> blobs;
        try {
            blobs = switch (n) {
                case "rpmdb.sqlite" -> file.inMemory() ? RpmDatabases.sqlite(file.content()) : RpmDatabases.sqlite(file.spilled());
                case "Packages.db" -> RpmDatabases.ndb(file.buffer());
                default -> RpmDatabases.berkeleyDb(file.buffer());
            };
        } catch (IllegalArgumentException | java.io.IOException e) {
            sink.warn(file.path() + ": " + e.getMessage());
            return;
        }
        for (byte[] blob : blobs) {
            RpmHeader h;
            try {
                h = RpmHeader.parse(blob);
            } catch (IllegalArgumentException e) {
                sink.warn(file.path() + ": skipped an unreadable package header: " + e.getMessage());
                continue;
            }
            String name = h.string(RpmHeader.NAME);
            String version = h.string(RpmHeader.VERSION);
            String release = h.string(RpmHeader.RELEASE);
            if (name == null || version == null || name.equals("gpg-pubkey")) {
                continue; // imported signing keys are headers too, not packages
            }
            Integer epoch = h.intValue(RpmHeader.EPOCH);
            String srpm = h.string(RpmHeader.SOURCERPM);
            String license = h.string(RpmHeader.LICENSE);
            String fullVersion = release == null ? version : version + "-" + release;
            PackageRecord.Builder b = PackageRecord.builder("rpm", name).version(fullVersion)
                    .qualifier("arch", h.string(RpmHeader.ARCH))
                    .qualifier("epoch", epoch != null && epoch != 0 ? Integer.toString(epoch) : null)
                    .qualifier("upstream", srpm)
                    .analyzer(name()).evidence(file.path()).confidence("high")
                    .property("stella:package:source", srpm == null ? name : org.stellaops.core.versions.RpmVersion.sourceRpmName(srpm))
                    .property("stella:package:sourceRpm", srpm)
                    .property("stella:package:vendor", h.string(RpmHeader.VENDOR))
                    .property("stella:package:modularityLabel", h.string(RpmHeader.MODULARITYLABEL))
                    .licenses(license == null ? List.of() : List.of(license))
                    .files(h.files());
            sink.addPackage(b.build());
        }
    }
}
