package org.stellaops.scanner.analyzer.os;

import java.util.ArrayList;
import java.util.List;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * Alpine packages from {@code lib/apk/db/installed}: one-letter fields (P name, V version, A arch, o origin,
 * L license, F directory, R file in the last directory), records separated by blank lines.
 */
public final class ApkAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "apk";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        return path.equals("lib/apk/db/installed");
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        String name = null;
        String version = null;
        String arch = null;
        String origin = null;
        String license = null;
        String maintainer = null;
        String dir = "";
        List<String> files = new ArrayList<>();
        String[] lines = (file.text() + "\n\n").split("\n", -1);
        for (String line : lines) {
            if (line.isBlank()) {
                if (name != null) {
                    if (version == null) {
                        sink.warn(file.path() + ": package " + name + " has no V: field; skipped");
                    } else {
                        PackageRecord.Builder b = PackageRecord.builder("apk", name).version(version).qualifier("arch", arch)
                                .analyzer(name()).evidence(file.path()).confidence("high")
                                .property("stella:package:source", origin != null ? origin : name)
                                .property("stella:package:maintainer", maintainer)
                                .licenses(license == null ? List.of() : List.of(license)).files(files);
                        if (origin != null && !origin.equals(name)) {
                            b.qualifier("upstream", origin);
                        }
                        sink.addPackage(b.build());
                    }
                }
                name = version = arch = origin = license = maintainer = null;
                dir = "";
                files = new ArrayList<>();
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != ':') {
                continue;
            }
            String v = line.substring(2);
            switch (line.charAt(0)) {
                case 'P' -> name = v;
                case 'V' -> version = v;
                case 'A' -> arch = v;
                case 'o' -> origin = v;
                case 'L' -> license = v;
                case 'm' -> maintainer = v;
                case 'F' -> dir = v;
                case 'R' -> files.add(dir.isEmpty() ? v : dir + "/" + v);
                default -> {
                }
            }
        }
    }
}
