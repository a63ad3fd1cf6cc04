package org.stellaops.scanner.analyzer.os;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * Debian packages: {@code var/lib/dpkg/status}, the per-package files of distroless images in
 * {@code var/lib/dpkg/status.d/}, and owned-file lists from {@code info/*.list} (and {@code status.d/*.md5sums}).
 * A package counts when its files are (or may be) on disk: status installed, and also unpacked, half-installed,
 * half-configured, triggers-awaited and triggers-pending (a failed postinst leaves a package half-configured with every
 * file in place; {@code dpkg-query -W} lists it), those with their state in {@value #STATUS_PROPERTY}. Not-installed
 * and config-files-only packages are dropped, and so are packages selected for removal (want deinstall or purge), as
 * Trivy does.
 */
public final class DpkgAnalyzer implements Analyzer {
    /** Property holding the dpkg state of a package that is not fully "installed". */
    public static final String STATUS_PROPERTY = "stella:dpkg:status";
    private static final Set<String> PRESENT = Set.of("installed", "unpacked", "half-installed", "half-configured",
            "triggers-awaited", "triggers-pending");
    private static final Pattern SOURCE = Pattern.compile("^(\\S+)(?:\\s+\\(([^)]+)\\))?$");

    @Override
    public String name() {
        return "dpkg";
    }

    @Override
    public int version() {
        return 2;
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
            String state = null;
            if (status != null) {
                // "want flag state", e.g. "install ok half-configured"
                String[] w = status.trim().split("\\s+");
                if (w.length != 3) {
                    sink.warn(path + ": package " + name + " has a malformed Status '" + status.trim() + "'; skipped");
                    continue;
                }
                if (w[0].equals("deinstall") || w[0].equals("purge") || !PRESENT.contains(w[2])) {
                    continue; // selected for removal, not-installed or config-files only
                }
                state = w[2];
            } else if (!distroless) {
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
                    .property("stella:package:maintainer", st.get("Maintainer"))
                    .property(STATUS_PROPERTY, "installed".equals(state) ? null : state);
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
