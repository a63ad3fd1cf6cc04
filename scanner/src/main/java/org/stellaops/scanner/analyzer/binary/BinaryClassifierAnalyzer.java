package org.stellaops.scanner.analyzer.binary;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * Unpackaged software recognized by the version strings its binaries carry (OpenSSL, curl/libcurl, BusyBox, Node.js,
 * CPython, the Go toolchain). Results are marked medium confidence; composition drops them where an OS package owns
 * the file, so a distro's openssl is reported once, as the distro package.
 */
public final class BinaryClassifierAnalyzer implements Analyzer {

    /** A classifier: which files (by name) and the pattern whose group 1 is the version. */
    record Classifier(String id, Pattern fileName, Pattern version, String purlName) {
    }

    static final List<Classifier> CLASSIFIERS = List.of(
            new Classifier("openssl", Pattern.compile("libcrypto\\.so.*|libssl\\.so.*|openssl"),
                    Pattern.compile("OpenSSL (\\d+\\.\\d+\\.\\d+[a-z]?)(?:[ -]|\\x00)"), "openssl"),
            new Classifier("curl", Pattern.compile("curl|libcurl\\.so.*"),
                    Pattern.compile("(?:libcurl|curl)/(\\d+\\.\\d+\\.\\d+)"), "curl"),
            new Classifier("busybox", Pattern.compile("busybox"),
                    Pattern.compile("BusyBox v(\\d+\\.\\d+\\.\\d+)"), "busybox"),
            new Classifier("nodejs", Pattern.compile("node"),
                    Pattern.compile("node\\.js/v(\\d+\\.\\d+\\.\\d+)|nodejs\\.org/download/release/v(\\d+\\.\\d+\\.\\d+)/"), "node"),
            new Classifier("cpython", Pattern.compile("python(\\d\\.\\d+)|libpython(\\d\\.\\d+)\\.so.*"),
                    null, "python"),
            new Classifier("go-toolchain", Pattern.compile("go"),
                    Pattern.compile("go(\\d+\\.\\d+(?:\\.\\d+|beta\\d+|rc\\d+)?)\\x00"), "go"));

    @Override
    public String name() {
        return "binary";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        return false;
    }

    @Override
    public boolean wantsElf() {
        return true;
    }

    @Override
    public boolean acceptsSpilled() {
        return true;
    }

    /**
     * The bytes as ISO-8859-1 characters without copying them (a mapped binary of hundreds of MiB stays outside the
     * heap); what {@code new String(bytes, ISO_8859_1)} gave, for the regular expressions.
     */
    static final class Latin1Chars implements CharSequence {
        private final java.nio.ByteBuffer bytes;

        Latin1Chars(java.nio.ByteBuffer bytes) {
            this.bytes = bytes;
        }

        @Override
        public int length() {
            return bytes.limit();
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes.get(index) & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Latin1Chars(bytes.slice(start, end - start));
        }

        @Override
        public String toString() {
            byte[] b = new byte[bytes.limit()];
            bytes.get(0, b);
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        String fileName = file.fileName();
        CharSequence text = null;
        for (Classifier c : CLASSIFIERS) {
            Matcher fm = c.fileName().matcher(fileName);
            if (!fm.matches()) {
                continue;
            }
            if (text == null) {
                try {
                    // in memory: one String (the fastest to match); spilled: a view of the mapped file, not copied
                    text = file.inMemory() ? new String(file.content(), StandardCharsets.ISO_8859_1) : new Latin1Chars(file.buffer());
                } catch (java.io.IOException e) {
                    sink.warn(file.path() + ": binary analyzer could not read the file: " + e.getMessage());
                    return;
                }
            }
            Pattern versionPattern = c.version();
            if (versionPattern == null) {
                String minor = fm.group(1) != null ? fm.group(1) : fm.group(2);
                versionPattern = Pattern.compile("(?<![\\d.])(" + Pattern.quote(minor) + "\\.\\d+(?:(?:a|b|rc)\\d+)?)(?:\\+|\\s|\\x00|\\()");
            }
            Matcher vm = versionPattern.matcher(text);
            if (vm.find()) {
                String version = vm.group(1) != null ? vm.group(1) : vm.groupCount() > 1 ? vm.group(2) : null;
                if (version == null) {
                    continue;
                }
                sink.addPackage(PackageRecord.builder("generic", c.purlName()).version(version)
                        .analyzer(name()).evidence(file.path()).confidence("medium")
                        .property("stella:binary:classifier", c.id())
                        .build());
                return;
            }
        }
    }
}
