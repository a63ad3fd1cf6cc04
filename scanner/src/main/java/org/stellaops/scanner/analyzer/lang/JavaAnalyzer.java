package org.stellaops.scanner.analyzer.lang;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;
import org.stellaops.scanner.analyzer.os.KeyValues;
import org.stellaops.scanner.layer.ScanLimits;

/**
 * Java archives (jar, war, ear, Jenkins plugins) and JDK/JRE {@code release} files. Every embedded
 * {@code META-INF/maven/** /pom.properties} becomes a component with its nested path (shaded jars); archives without one
 * fall back to the MANIFEST (medium confidence) and then to the file name (low confidence); a fallback without a
 * groupId yields a {@code pkg:generic} identity, never a guessed Maven one. Nested archives
 * (BOOT-INF/lib, WEB-INF/lib, ear modules) are read to a bounded depth, in memory up to the in-memory limit and from a
 * private temp file above it ({@link ScanLimits}). Zip bombs are bounded by the total bytes one top-level archive may
 * inflate to, its number of entries, the size of a nested archive and the compression ratio of each entry; an entry
 * past a bound is reported as a suspected zip bomb and skipped.
 */
public final class JavaAnalyzer implements Analyzer {
    static final int MAX_DEPTH = 4;
    private static final long MAX_SMALL_ENTRY = 1024 * 1024;
    /** Entries smaller than this are not judged by their compression ratio (tiny files compress extremely well). */
    private static final long RATIO_FLOOR = 1024 * 1024;
    private final ScanLimits limits;

    public JavaAnalyzer() {
        this(ScanLimits.fromEnvironment());
    }

    public JavaAnalyzer(ScanLimits limits) {
        this.limits = limits;
    }

    /** What one top-level archive has used of its inflation and entry budgets. */
    private static final class Budget {
        long inflated;
        long entries;
    }
    private static final Pattern FILE_NAME = Pattern.compile("^(.+?)-(\\d[\\w.+\\-]*?)(?:-(?:sources|javadoc|tests))?\\.(?:jar|war|ear|jpi|hpi)$");
    private static final Pattern POM_PROPERTIES = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int version() {
        return 3;
    }

    @Override
    public boolean acceptsSpilled() {
        return true; // fat jars (Spring Boot, shaded) are legitimately large
    }

    @Override
    public boolean wants(String path, long size) {
        return isArchive(path) || (path.endsWith("/release") && size < 16 * 1024);
    }

    static boolean isArchive(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.endsWith(".jar") || p.endsWith(".war") || p.endsWith(".ear") || p.endsWith(".jpi") || p.endsWith(".hpi");
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) throws IOException {
        if (!isArchive(file.path())) {
            jdkRelease(file, sink);
            return;
        }
        Budget budget = new Budget();
        if (file.inMemory()) {
            archive(file.path(), new SeekableInMemoryByteChannel(file.content()), 0, sink, budget);
        } else {
            archive(file.path(), Files.newByteChannel(file.spilled()), 0, sink, budget);
        }
    }

    private void jdkRelease(LayerFile file, FragmentSink sink) {
        Map<String, String> kv = KeyValues.shell(file.text());
        String version = kv.get("JAVA_VERSION");
        if (version == null) {
            return;
        }
        String implementor = kv.get("IMPLEMENTOR");
        String runtime = kv.get("JAVA_RUNTIME_VERSION");
        String modules = kv.get("MODULES");
        String kind = modules == null ? null : modules.contains("jdk.compiler") ? "jdk" : "jre";
        sink.addPackage(PackageRecord.builder("generic", "openjdk").version(version)
                .analyzer(name()).evidence(file.path()).confidence("high")
                .property("stella:java:vendor", implementor)
                .property("stella:java:runtimeVersion", runtime)
                .property("stella:java:kind", kind)
                .build());
    }

    private void archive(String path, SeekableByteChannel channel, int depth, FragmentSink sink, Budget budget) {
        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(channel).setCharset(StandardCharsets.UTF_8)
                .setIgnoreLocalFileHeader(true).get()) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            budget.entries += entries.size();
            if (budget.entries > limits.maxArchiveEntries()) {
                sink.warn(path + ": more than " + limits.maxArchiveEntries() + " entries in this archive and the ones it"
                        + " contains (STELLA_SCAN_MAX_ARCHIVE_ENTRIES): suspected zip bomb; not analyzed");
                return;
            }
            entries.sort((a, b) -> a.getName().compareTo(b.getName()));
            java.util.Set<String> found = new java.util.HashSet<>();
            Manifest manifest = null;
            java.util.List<String> classes = new java.util.ArrayList<>();
            for (ZipArchiveEntry e : entries) {
                String name = e.getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    classes.add(name);
                }
                Matcher m = POM_PROPERTIES.matcher(name);
                if (m.matches() && !e.isDirectory()) {
                    byte[] data = readSmall(zip, e, path, budget);
                    if (data != null && pomProperties(path, name, data, sink, depth)) {
                        found.add(m.group(2));
                    }
                } else if (name.equalsIgnoreCase("META-INF/MANIFEST.MF")) {
                    byte[] data = readSmall(zip, e, path, budget);
                    if (data != null) {
                        try {
                            manifest = new Manifest(new ByteArrayInputStream(data));
                        } catch (IOException ex) {
                            sink.warn(path + "!/" + name + ": unreadable manifest: " + ex.getMessage());
                        }
                    }
                }
            }
            // The archive's own identity: from its pom.properties when it has one for itself; shaded jars often carry
            // only their dependencies' (hadoop-client-runtime), so the manifest / file name still names the archive.
            Matcher own = FILE_NAME.matcher(Analyzer.fileName(path));
            if (found.isEmpty() || own.matches() && !found.contains(own.group(1))) {
                fallback(path, manifest, classes, sink);
            }
            for (ZipArchiveEntry e : entries) {
                if (e.isDirectory() || !isArchive(e.getName())) {
                    continue;
                }
                String nested = path + "!/" + e.getName();
                if (depth + 1 > MAX_DEPTH) {
                    sink.warn(nested + ": nested deeper than " + MAX_DEPTH + " archives; not analyzed");
                    continue;
                }
                nested(zip, e, nested, depth + 1, sink, budget);
            }
        } catch (IOException | RuntimeException e) {
            sink.warn(path + ": not a readable Java archive: " + e.getMessage());
        }
    }

    /** A nested archive: inflated into memory up to the in-memory limit, beyond that into a private temp file. */
    private void nested(ZipFile zip, ZipArchiveEntry e, String nested, int depth, FragmentSink sink, Budget budget)
            throws IOException {
        if (!zip.canReadEntryData(e)) {
            return;
        }
        Path spill = null;
        try {
            ByteArrayOutputStream memory = new ByteArrayOutputStream();
            OutputStream out = memory;
            try (InputStream in = zip.getInputStream(e)) {
                byte[] buf = new byte[65536];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    String bomb = bomb(e, total, limits.maxFileBytes(), budget);
                    if (bomb != null) {
                        sink.warn(nested + ": " + bomb);
                        return;
                    }
                    if (spill == null && total > limits.maxInMemoryFileBytes()) {
                        spill = Files.createTempFile("stella-nested-", ".jar");
                        out = Files.newOutputStream(spill);
                        memory.writeTo(out);
                        memory = null;
                    }
                    out.write(buf, 0, n);
                }
                budget.inflated += total;
            } finally {
                if (spill != null) {
                    out.close();
                }
            }
            archive(nested, spill == null ? new SeekableInMemoryByteChannel(memory.toByteArray()) : Files.newByteChannel(spill),
                    depth, sink, budget);
        } catch (IOException ex) {
            sink.warn(nested + ": not a readable Java archive: " + ex.getMessage());
        } finally {
            if (spill != null) {
                Files.deleteIfExists(spill);
            }
        }
    }

    /** Why an entry inflating to {@code total} bytes so far is a suspected zip bomb, or null when it is not. */
    private String bomb(ZipArchiveEntry e, long total, long entryLimit, Budget budget) {
        if (total > entryLimit) {
            return "entry inflates past " + entryLimit + " bytes (compressed " + e.getCompressedSize() + "): suspected zip bomb; skipped";
        }
        if (budget.inflated + total > limits.maxArchiveInflated()) {
            return "the archive inflates past " + limits.maxArchiveInflated()
                    + " bytes in total (STELLA_SCAN_MAX_ARCHIVE_INFLATED_BYTES): suspected zip bomb; skipped";
        }
        long compressed = Math.max(1, e.getCompressedSize());
        if (total > RATIO_FLOOR && total / compressed > limits.maxCompressionRatio()) {
            return "entry inflates more than " + limits.maxCompressionRatio() + " times its compressed size of " + compressed
                    + " bytes (STELLA_SCAN_MAX_COMPRESSION_RATIO): suspected zip bomb; skipped";
        }
        return null;
    }

    /** Reads one small entry (pom.properties, manifest) into memory within the bounds. */
    private byte[] readSmall(ZipFile zip, ZipArchiveEntry e, String archive, Budget budget) throws IOException {
        if (!zip.canReadEntryData(e)) {
            return null;
        }
        try (InputStream in = zip.getInputStream(e)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                String bomb = bomb(e, total, MAX_SMALL_ENTRY, budget);
                if (bomb != null) {
                    throw new IOException("entry " + e.getName() + ": " + bomb);
                }
                out.write(buf, 0, n);
            }
            budget.inflated += total;
            return out.toByteArray();
        } catch (IOException ex) {
            throw new IOException(archive + ": " + ex.getMessage(), ex);
        }
    }

    private boolean pomProperties(String archive, String entry, byte[] data, FragmentSink sink, int depth) {
        Properties p = new Properties();
        try {
            p.load(new java.io.InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.ISO_8859_1));
        } catch (IOException | IllegalArgumentException ex) {
            sink.warn(archive + "!/" + entry + ": malformed pom.properties: " + ex.getMessage());
            return false;
        }
        String g = p.getProperty("groupId");
        String a = p.getProperty("artifactId");
        String v = p.getProperty("version");
        if (g == null || a == null || v == null || g.isBlank() || a.isBlank() || v.isBlank()) {
            sink.warn(archive + "!/" + entry + ": pom.properties lacks groupId, artifactId or version");
            return false;
        }
        sink.addPackage(PackageRecord.builder("maven", a.trim()).namespace(g.trim()).version(v.trim())
                .analyzer(name()).evidence(archive + "!/" + entry).confidence("high")
                .property("stella:java:archive", archive)
                .property("stella:java:identitySource", "pom.properties")
                .property("stella:java:nestingDepth", depth > 0 ? Integer.toString(depth) : null)
                .build());
        return true;
    }

    /**
     * The identity of an archive without its own pom.properties. The manifest counts only when it names this archive
     * (shaded jars carry a dependency's manifest: hadoop-client-runtime's says "Apache Hadoop shaded Protobuf 1.1.1").
     * A versioned file name (artifactId-version.jar, as Maven repositories name jars) gives the version; the groupId
     * comes from Implementation-Vendor-Id or Bundle-SymbolicName when the manifest is the archive's own, else from the
     * package most classes live in (marked as such). Without a groupId the identity is generic, never a guessed Maven one.
     */
    private void fallback(String archive, Manifest manifest, java.util.List<String> classes, FragmentSink sink) {
        String fileName = Analyzer.fileName(archive);
        Matcher fm = FILE_NAME.matcher(fileName);
        String fileArtifact = fm.matches() ? fm.group(1) : fileName.replaceFirst("\\.[^.]+$", "");
        String fileVersion = fm.matches() ? fm.group(2) : null;
        String artifact = fileArtifact;
        String version = fileVersion;
        String group = null;
        String source = "file-name";
        String confidence = "low";
        if (manifest != null) {
            Attributes at = manifest.getMainAttributes();
            String title = first(at, "Implementation-Title", "Bundle-Name", "Specification-Title");
            String symbolic = at.getValue("Bundle-SymbolicName");
            if (symbolic != null) {
                symbolic = symbolic.split(";")[0].trim();
            }
            String manifestVersion = first(at, "Implementation-Version", "Bundle-Version", "Specification-Version");
            boolean own = fileVersion == null || fileArtifact.equalsIgnoreCase(title)
                    || symbolic != null && (symbolic.equalsIgnoreCase(fileArtifact) || lastSegment(symbolic).equalsIgnoreCase(fileArtifact));
            if (own && manifestVersion != null) {
                version = fileVersion != null ? fileVersion : manifestVersion;
                source = "manifest";
                confidence = "medium";
                group = first(at, "Implementation-Vendor-Id");
                if (group == null && symbolic != null && symbolic.contains(".") && !lastSegment(symbolic).equals(symbolic)) {
                    String prefix = symbolic.substring(0, symbolic.lastIndexOf('.'));
                    group = prefix.contains(".") ? prefix : null;
                }
            }
        }
        String groupSource = group != null ? "manifest" : null;
        if (group == null && version != null) {
            group = dominantPackage(classes);
            groupSource = group != null ? "class-packages" : null;
        }
        if (version == null) {
            sink.warn(archive + ": Java archive without pom.properties, usable manifest or versioned file name; not identified");
            return;
        }
        // a Maven purl needs a groupId: without one the identity stays generic
        sink.addPackage(PackageRecord.builder(group != null ? "maven" : "generic", artifact).namespace(group).version(version)
                .analyzer(name()).evidence(source.equals("manifest") ? archive + "!/META-INF/MANIFEST.MF" : archive)
                .confidence(confidence)
                .property("stella:java:archive", archive)
                .property("stella:java:identitySource", source)
                .property("stella:java:groupSource", groupSource)
                .build());
    }

    /** The package (three, else two segments deep) that at least half of the classes live in, as a groupId candidate. */
    static String dominantPackage(java.util.List<String> classes) {
        if (classes.size() < 2) {
            return null;
        }
        for (int depth = 3; depth >= 2; depth--) {
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            for (String c : classes) {
                String[] seg = c.split("/");
                if (seg.length > depth) {
                    counts.merge(String.join(".", java.util.Arrays.copyOf(seg, depth)), 1, Integer::sum);
                }
            }
            for (java.util.Map.Entry<String, Integer> e : counts.entrySet()) {
                if (e.getValue() * 2 >= classes.size()) {
                    // the JDK's own packages are no Maven groupId (jrt-fs.jar lives in jdk.internal.jimage)
                    return e.getKey().matches("(java|javax|jdk|sun|com\\.sun)\\..*") ? null : e.getKey();
                }
            }
        }
        return null;
    }

    private static String first(Attributes at, String... keys) {
        for (String k : keys) {
            String v = at.getValue(k);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    private static String lastSegment(String s) {
        int d = s.lastIndexOf('.');
        return d >= 0 ? s.substring(d + 1) : s;
    }

}
