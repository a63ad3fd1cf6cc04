package org.stellaops.scanner.analyzer.os;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * Debian packages: {@code var/lib/dpkg/status}, the per-package files of distroless images in
 * {@code var/lib/dpkg/status.d/}, and owned-file lists from {@code info/*.list} (and {@code status.d/*.md5sums}).
 * Only packages whose Status says "installed" count.
 */
public final class DpkgAnalyzer implements Analyzer {
    private static final Pattern SOURCE = Pattern.compile("^(\\S+)(?:\\s+\\(([^)]+)\\))?$");

    @Override
    public String name() {
        return "dpkg";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        if (path.equals("var/lib/dpkg/status")) {
            return true;
        }
        if (path.startsWith("var/lib/dpkg/status.d/")) {
            return true;
        }
        return path.startsWith("var/lib/dpkg/info/") && path.endsWith(".list");
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        String path = file.path();
        if (path.startsWith("var/lib/dpkg/info/")) {
            String pkg = Analyzer.fileName(path);
            pkg = pkg.substring(0, pkg.length() - ".list".length());
            sink.addFileList("dpkg:" + stripArch(pkg), path, listFiles(file.text(), false));
            return;
        }
        if (path.startsWith("var/lib/dpkg/status.d/") && path.endsWith(".md5sums")) {
            String pkg = Analyzer.fileName(path);
            pkg = pkg.substring(0, pkg.length() - ".md5sums".length());
            sink.addFileList("dpkg:" + stripArch(pkg), path, listFiles(file.text(), true));
            return;
        }
        boolean distroless = path.startsWith("var/lib/dpkg/status.d/");
        for (Map<String, String> st : KeyValues.stanzas(file.text())) {
            String name = st.get("Package");
            String version = st.get("Version");
            if (name == null || version == null) {
                if (name != null || version != null) {
                    sink.warn(path + ": stanza without Package or Version (" + (name != null ? name : version) + "); skipped");
                }
                continue;
            }
            String status = st.get("Status");
            if (status != null && !status.endsWith(" installed")) {
                continue; // config-files, half-installed, not-installed
            }
            if (status == null && !distroless) {
                continue;
            }
            String srcName = name;
            String srcVersion = version;
            String source = st.get("Source");
            if (source != null) {
                Matcher m = SOURCE.matcher(source.trim());
                if (m.matches()) {
                    srcName = m.group(1);
                    if (m.group(2) != null) {
                        srcVersion = m.group(2);
                    }
                }
            }
            String arch = st.get("Architecture");
            PackageRecord.Builder b = PackageRecord.builder("deb", name).version(version).qualifier("arch", arch)
                    .analyzer(name()).evidence(path).confidence("high")
                    .property("stella:package:source", srcName)
                    .property("stella:package:sourceVersion", srcVersion)
                    .property("stella:package:fileListKey", "dpkg:" + name)
                    .property("stella:package:maintainer", st.get("Maintainer"));
            if (!srcName.equals(name) || !srcVersion.equals(version)) {
                b.qualifier("upstream", srcVersion.equals(version) ? srcName : srcName + "@" + srcVersion);
            }
            sink.addPackage(b.build());
        }
    }

    private static String stripArch(String pkg) {
        int c = pkg.indexOf(':');
        return c > 0 ? pkg.substring(0, c) : pkg;
    }

    private static List<String> listFiles(String text, boolean md5sums) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String p = md5sums ? line.replaceFirst("^[0-9a-f]{32}\\s+", "") : line;
            p = p.trim();
            while (p.startsWith("/")) {
                p = p.substring(1);
            }
            if (!p.isEmpty() && !p.equals(".")) {
                out.add(p);
            }
        }
        return out;
    }
}
