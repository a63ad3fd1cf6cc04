package org.stellaops.scanner.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.scanner.ScanResult;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.scanner.layer.LayerReader;
import org.stellaops.scanner.sbom.Component;
import org.stellaops.scanner.sbom.Composer;
import org.stellaops.scanner.sbom.CycloneDxWriter;
import org.stellaops.scanner.sbom.ImageInventory;
import org.stellaops.scanner.sbom.SbomMetadata;
import org.stellaops.scanner.sbom.UsageView;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.TestLayers;
import org.stellaops.scanner.testing.TestScans;

/**
 * The entrypoint trace on the real fixture image (debian-app:1: Debian bookworm with curl, python3, openssl, OpenJDK 17,
 * jars, node_modules, a wheel and Go binaries), with a small extra layer per case holding the entrypoint (scripts,
 * jars and a node binary built here from the fixture's and this machine's real files). The expected used sets are
 * written by hand from reading those files; the ELF closure is compared with ldd run inside the fixture rootfs.
 */
class EntrypointTraceTest {
    @TempDir
    static Path cache;
    static ScanResult app;
    static final String JVM = "usr/lib/jvm/java-17-openjdk-amd64";

    @BeforeAll
    static void scan() throws IOException {
        app = TestScans.scan("oci:" + Fixtures.image("debian-app") + ":1", cache);
    }

    /** The fixture image plus one layer, run with the given Entrypoint and Cmd. */
    static ImageInventory with(TestLayers extra, List<String> entrypoint, List<String> cmd, String workdir) throws IOException {
        ResolvedImage img = app.inventory().image();
        List<LayerFragment> fragments = new ArrayList<>(app.fragments());
        List<LayerRef> layers = new ArrayList<>(img.layers());
        if (extra != null) {
            byte[] tar = extra.tar();
            LayerRef ref = TestLayers.ref(tar, tar);
            fragments.add(new LayerReader(AnalyzerSet.standard()).read(new ByteArrayInputStream(tar), ref));
            layers.add(ref);
        }
        ResolvedImage changed = new ResolvedImage(img.reference(), img.name(), img.tag(), img.indexDigest(),
                img.manifestDigest(), img.platform(), img.config().withProcess(entrypoint, cmd, workdir),
                img.configDigest(), layers);
        return new Composer().compose(changed, fragments);
    }

    static Component comp(ImageInventory inv, String purlPrefix) {
        return inv.components().stream().filter(c -> c.purl().startsWith(purlPrefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no component " + purlPrefix));
    }

    static boolean used(ImageInventory inv, String purlPrefix) {
        String v = comp(inv, purlPrefix).properties().get(UsageView.USED);
        assertNotNull(v, purlPrefix + " has no " + UsageView.USED);
        return Boolean.parseBoolean(v);
    }

    static String chain(ImageInventory inv, String purlPrefix) {
        return comp(inv, purlPrefix).properties().get(UsageView.CHAIN);
    }

    static byte[] rootfsFile(String path) throws IOException {
        return Files.readAllBytes(Fixtures.rootfs("jre").resolve(path));
    }

    static Set<String> reasons(ImageInventory inv) {
        return inv.usage().unresolved().stream().map(u -> u.what() + ": " + u.reason()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The real files ldd (the rootfs's own, through chroot) loads for a program, relative to the root. */
    static Set<String> ldd(String program) throws IOException, InterruptedException {
        Path root = Fixtures.rootfs("jre");
        java.lang.Process p = new ProcessBuilder("chroot", root.toString(), "ldd", program).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Set<String> files = new TreeSet<>();
        files.add(real(program));
        for (String line : out.split("\n")) {
            String l = line.strip();
            if (l.startsWith("linux-vdso")) {
                continue;
            }
            String f = l.contains("=>") ? l.substring(l.indexOf("=>") + 2).strip() : l;
            files.add(real(f.substring(0, f.indexOf(' '))));
        }
        return files;
    }

    /** The real path inside the rootfs (its own readlink, so that absolute links stay inside it). */
    static String real(String abs) throws IOException, InterruptedException {
        java.lang.Process p = new ProcessBuilder("chroot", Fixtures.rootfs("jre").toString(), "readlink", "-f", abs).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        return out.substring(1);
    }

    /** The regular files (not symlinks) the trace reached through ELF edges from a program, and the program. */
    static Set<String> elfReached(ImageInventory inv, String program) {
        ComposedFs fs = new ComposedFs(allFragments(inv));
        return inv.usage().reached().stream().filter(r -> r.path().equals(program) || r.via().startsWith("DT_NEEDED")
                        || r.via().startsWith("PT_INTERP"))
                .map(UsageTrace.Reached::path).filter(p -> !"l".equals(fs.entry(p).kind()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static List<LayerFragment> allFragments(ImageInventory inv) {
        return app.fragments();
    }

    /** Exec records survive the fragment cache (a warm scan traces from stored fragments). */
    @Test
    void execRecordsRoundTripThroughTheFragmentStore() throws IOException {
        org.stellaops.core.store.LocalFragmentStore store = new org.stellaops.core.store.LocalFragmentStore(cache);
        for (LayerFragment f : app.fragments()) {
            LayerFragment stored = store.get(f.layerDigest(), f.analyzerVersion()).orElseThrow();
            assertEquals(f.execs(), stored.execs());
        }
        assertTrue(app.fragments().get(3).execs().stream().anyMatch(e -> e.path().equals("usr/local/bin/hello-go")));
        assertTrue(app.fragments().get(0).execs().stream().anyMatch(e -> e.path().equals("etc/ld.so.conf")));
        ImageInventory warm = TestScans.scan("oci:" + Fixtures.image("debian-app") + ":1", cache).inventory();
        assertEquals(app.inventory().usage(), warm.usage());
    }

    @Test
    void fixtureEntrypointJavaJar() {
        ImageInventory inv = app.inventory();
        assertEquals("traced", inv.usage().status());
        assertTrue(used(inv, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"));
        assertFalse(used(inv, "pkg:maven/com.google.guava/guava@"));
        assertFalse(used(inv, "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1")); // in shop.war
        assertTrue(used(inv, "pkg:deb/debian/openjdk-17-jre-headless@"));
        assertTrue(used(inv, "pkg:deb/debian/libc6@"));
        assertTrue(used(inv, "pkg:deb/debian/zlib1g@")); // java's DT_NEEDED libz.so.1
        assertFalse(used(inv, "pkg:deb/debian/curl@"));
        assertFalse(used(inv, "pkg:npm/lodash@"));
        assertFalse(used(inv, "pkg:golang/github.com/google/uuid@"));
        assertEquals("/usr/bin/java (entrypoint) → /etc/alternatives/java (entrypoint) → /" + JVM + "/bin/java (entrypoint) → "
                + "/app/lib/log4j-core-2.14.1.jar (java -jar /app/lib/log4j-core-2.14.1.jar)", chain(inv, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"));
    }

    @Test
    void elfClosureMatchesLdd() throws Exception {
        ImageInventory inv = with(null, List.of("openssl"), List.of("version"), "/");
        // by hand from the binaries' dynamic sections (readelf -d): openssl needs libssl.so.3, libcrypto.so.3, libc.so.6
        Set<String> byHand = new TreeSet<>(List.of("usr/bin/openssl", "usr/lib/x86_64-linux-gnu/libssl.so.3",
                "usr/lib/x86_64-linux-gnu/libcrypto.so.3", "usr/lib/x86_64-linux-gnu/libc.so.6",
                "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
        assertEquals(byHand, elfReached(inv, "usr/bin/openssl"));
        assertEquals(ldd("/usr/bin/openssl"), elfReached(inv, "usr/bin/openssl"));
        assertTrue(used(inv, "pkg:deb/debian/libssl3@"));
        assertTrue(used(inv, "pkg:deb/debian/openssl@"));
        assertFalse(used(inv, "pkg:deb/debian/zlib1g@"), chain(inv, "pkg:deb/debian/zlib1g@"));
        assertEquals(Set.of(), reasons(inv));

        ImageInventory java = with(null, List.of("java"), List.of("-version"), "/");
        Set<String> traced = elfReached(java, JVM + "/bin/java");
        assertTrue(traced.containsAll(ldd("/" + JVM + "/bin/java")), traced.toString()); // libjli.so through RUNPATH $ORIGIN
        assertTrue(java.usage().paths().containsAll(ldd("/" + JVM + "/lib/server/libjvm.so")), traced.toString()); // dlopened by libjli
    }

    static byte[] jar(String classPath, String mainClass) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new java.util.zip.ZipEntry("example/Main.class"));
            j.write(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
            j.closeEntry();
        }
        return out.toByteArray();
    }

    @Test
    void shellWrapperExecsJavaJar() throws IOException {
        String entry = """
                #!/bin/sh
                set -e
                # the application's start script
                JAR=/app/app.jar
                if [ "$1" = "debug" ]; then
                  exec python3 -m http.server
                fi
                case "$MODE" in
                  shell) exec /bin/bash ;;
                esac
                . /app/env.sh
                exec java -Xmx512m -jar "$JAR" "$@"
                echo never
                """;
        TestLayers extra = new TestLayers()
                .file("docker-entrypoint.sh", entry.getBytes(StandardCharsets.UTF_8), 0755)
                .file("app/env.sh", "export LANG=C.UTF-8\n$PLUGIN_CMD --init\n".getBytes(StandardCharsets.UTF_8), 0644)
                .file("app/app.jar", jar("lib/log4j-core-2.14.1.jar lib/log4j-api-2.14.1.jar lib/jackson-databind-2.13.0.jar",
                        "example.Main"), 0644);
        ImageInventory inv = with(extra, List.of("/docker-entrypoint.sh"), List.of("--port", "8080"), "/");
        assertEquals("traced", inv.usage().status());
        assertTrue(used(inv, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"));
        assertTrue(used(inv, "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"));
        assertTrue(used(inv, "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0"));
        assertFalse(used(inv, "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.13.0"));
        assertFalse(used(inv, "pkg:maven/com.google.guava/guava@"));
        assertTrue(used(inv, "pkg:deb/debian/dash@")); // #!/bin/sh
        assertTrue(used(inv, "pkg:deb/debian/bash@")); // a case branch
        assertTrue(used(inv, "pkg:deb/debian/python3.11-minimal@")); // an if branch
        assertTrue(used(inv, "pkg:deb/debian/libpython3.11-stdlib@")); // -m http.server
        assertFalse(used(inv, "pkg:deb/debian/curl@"));
        // the script runs java (its interpreter, dash, is reached from it too)
        assertEquals("/docker-entrypoint.sh (entrypoint) → /usr/bin/java "
                        + "(exec java -Xmx512m -jar /app/app.jar --port 8080) → /etc/alternatives/java (exec java -Xmx512m -jar "
                        + "/app/app.jar --port 8080) → /" + JVM + "/bin/java (exec java -Xmx512m -jar /app/app.jar --port 8080) → "
                        + "/app/app.jar (java -jar /app/app.jar) → /app/lib/log4j-core-2.14.1.jar (Class-Path lib/log4j-core-2.14.1.jar)",
                chain(inv, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"));
        UsageTrace.Reached python = inv.usage().byPath().get("usr/bin/python3.11");
        assertTrue(python.conditional());
        assertFalse(inv.usage().byPath().get("app/app.jar").conditional());
        assertEquals(Set.of("$PLUGIN_CMD: command named by a variable or substitution not set from a literal"), reasons(inv));
        // echo after the unconditional exec is never reached; a builtin anyway: nothing else was run
        assertNull(inv.usage().byPath().get("usr/bin/echo"));
    }

    @Test
    void pythonScriptAndModule() throws IOException {
        TestLayers extra = new TestLayers().file("app/hello.py", """
                import json
                import requests
                from six.moves import urllib
                import notinstalled

                def main():
                    import yaml
                """);
        ImageInventory inv = with(extra, List.of("python3", "/app/hello.py"), List.of(), "/app");
        assertTrue(used(inv, "pkg:pypi/requests@2.28.0"));
        assertTrue(used(inv, "pkg:pypi/six@1.16.0"));
        assertTrue(used(inv, "pkg:deb/debian/python3.11-minimal@"));
        assertTrue(used(inv, "pkg:deb/debian/libpython3.11-stdlib@")); // json/__init__.py
        assertFalse(used(inv, "pkg:deb/debian/openjdk-17-jre-headless@"));
        assertEquals(Set.of("notinstalled: module not found on sys.path"), reasons(inv)); // yaml: not top level

        ImageInventory mod = with(null, List.of("python3", "-m", "requests.help"), List.of(), "/");
        assertTrue(used(mod, "pkg:pypi/requests@2.28.0"));
        assertFalse(used(mod, "pkg:pypi/six@1.16.0"));
    }

    @Test
    void nodeScriptRequireClosure() throws IOException {
        Path node = Path.of("/usr/bin/node").toRealPath();
        TestLayers extra = new TestLayers()
                .file("usr/local/bin/node", Files.readAllBytes(node), 0755)
                .file("app/server.js", "const _ = require('lodash');\nimport express from 'express';\nconst fs = require('fs');\n"
                        + "const util = require('./util');\n")
                .file("app/util.js", "module.exports = require(\"minimist\");\n");
        ImageInventory inv = with(extra, List.of("node", "server.js"), List.of(), "/app");
        assertTrue(used(inv, "pkg:npm/lodash@4.17.20"));
        assertTrue(used(inv, "pkg:npm/express@4.17.1"));
        assertTrue(used(inv, "pkg:npm/minimist@1.2.5")); // through ./util.js
        assertFalse(used(inv, "pkg:npm/typescript@"));
        assertFalse(used(inv, "pkg:npm/qs@")); // express's own dependency: packages are followed to their directory only
        assertEquals("/usr/local/bin/node (entrypoint) → /app/server.js (node server.js) → /app/util.js (require ./util) → "
                + "/app/node_modules/minimist/package.json (require minimist)", chain(inv, "pkg:npm/minimist@1.2.5"));
    }

    @Test
    void goBinaryIsItself() throws IOException {
        ImageInventory inv = with(null, List.of("hello-go"), List.of(), "/");
        assertTrue(used(inv, "pkg:golang/github.com/google/uuid@v1.6.0"));
        assertTrue(used(inv, "pkg:golang/example.com/stella/hello"));
        assertFalse(used(inv, "pkg:golang/github.com/opencontainers/umoci"));
        assertFalse(used(inv, "pkg:deb/debian/libc6@")); // statically linked
        assertEquals(Set.of(), reasons(inv));
    }

    @Test
    void badInputEndsWithAReason() throws IOException {
        byte[] big = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) '\n');
        System.arraycopy("#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII), 0, big, 0, 10);
        byte[] corrupt = rootfsFile("usr/bin/openssl");
        breakDynamic(corrupt);
        TestLayers extra = new TestLayers()
                .file("a.sh", "#!/bin/sh\n./b.sh x\n. /a.sh\nexec /a.sh \"$@\"\n".getBytes(StandardCharsets.UTF_8), 0755)
                .file("b.sh", "#!/bin/bash\nexec /a.sh \"$@\"\n".getBytes(StandardCharsets.UTF_8), 0755)
                .symlink("loop1", "loop2").symlink("loop2", "/loop1")
                .file("big.sh", big, 0755)
                .file("bad-openssl", corrupt, 0755);
        ImageInventory rec = with(extra, List.of("/a.sh"), List.of(), "/");
        assertEquals("traced", rec.usage().status());
        assertTrue(rec.usage().paths().containsAll(Set.of("a.sh", "b.sh", "usr/bin/dash", "usr/bin/bash")));
        assertEquals(Set.of(), reasons(rec));

        ImageInventory loop = with(extra, List.of("/loop1"), List.of(), "/");
        assertEquals("unresolvable", loop.usage().status());
        assertEquals(Set.of("/loop1: too many levels of symbolic links (a loop?)"), reasons(loop));
        assertNull(comp(loop, "pkg:deb/debian/libc6@").properties().get(UsageView.USED));

        ImageInventory huge = with(extra, List.of("/big.sh"), List.of(), "/");
        assertEquals(Set.of("/big.sh: neither ELF nor a script of at most 65536 bytes (10485760 bytes); not followed"), reasons(huge));

        ImageInventory bad = with(extra, List.of("/bad-openssl"), List.of(), "/");
        assertEquals("traced", bad.usage().status());
        assertEquals(Set.of("/bad-openssl: unreadable ELF dynamic section: dynamic section outside the file"), reasons(bad));

        ImageInventory missing = with(extra, List.of("/app/start.sh"), List.of(), "/");
        assertEquals("unresolvable", missing.usage().status());
        assertEquals(Set.of("/app/start.sh: no such file"), reasons(missing));

        ImageInventory none = with(extra, List.of(), List.of(), "/");
        assertEquals("no-entrypoint", none.usage().status());
        assertEquals(Set.of(": the image config has neither Entrypoint nor Cmd"), reasons(none));
    }

    /** Points the PT_DYNAMIC program header of a 64-bit little-endian ELF past the end of the file. */
    static void breakDynamic(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int size = Short.toUnsignedInt(b.getShort(0x36));
        int n = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < n; i++) {
            int o = (int) phoff + i * size;
            if (b.getInt(o) == 2) {
                b.putLong(o + 8, elf.length + 4096L);
                return;
            }
        }
        throw new AssertionError("no PT_DYNAMIC");
    }

    @Test
    void usageViewIsDeterministicAndListsOnlyUsedComponents() throws IOException {
        ImageInventory inv = app.inventory();
        SbomMetadata meta = new SbomMetadata("test", "2026-01-01T00:00:00Z");
        byte[] a = new CycloneDxWriter().write(inv.usageView(), meta);
        byte[] b = new CycloneDxWriter().write(app.inventory().usageView(), meta);
        assertArrayEquals(a, b);
        String doc = new String(a, StandardCharsets.UTF_8);
        assertTrue(doc.contains("\"stella:view\""));
        assertTrue(doc.contains("log4j-core@2.14.1"));
        assertFalse(doc.contains("pkg:maven/com.google.guava/guava"));
        assertTrue(inv.usageView().components().size() < inv.components().size());
        assertTrue(inv.usageView().components().stream().allMatch(c -> c.properties().get(UsageView.CHAIN) != null));
    }
}
