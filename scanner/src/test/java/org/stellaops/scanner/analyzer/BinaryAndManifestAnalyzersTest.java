package org.stellaops.scanner.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.binary.BinaryClassifierAnalyzer;
import org.stellaops.scanner.analyzer.binary.GoBinaryAnalyzer;
import org.stellaops.scanner.analyzer.binary.RustAuditableAnalyzer;
import org.stellaops.scanner.analyzer.lang.DotnetAnalyzer;
import org.stellaops.scanner.analyzer.lang.PhpComposerAnalyzer;
import org.stellaops.scanner.analyzer.lang.RubyGemAnalyzer;
import org.stellaops.scanner.testing.Collect;
import org.stellaops.scanner.testing.Fixtures;

/** Analyzers on real binaries (Go, Rust, Debian's OpenSSL, curl, Python, BusyBox, Node.js, the Go toolchain) and real manifests. */
class BinaryAndManifestAnalyzersTest {

    private static Optional<PackageRecord> named(Collect c, String name) {
        return c.packages.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** Upstream version of a Debian package in the fixture rootfs: "1:3.0.20-1~deb12u2" → "3.0.20". */
    private static String upstream(String pkg) throws IOException {
        String v = Fixtures.dpkgQuery("jre").stream().filter(f -> f[0].equals(pkg)).findFirst().orElseThrow()[1];
        return v.replaceFirst("^\\d+:", "").replaceFirst("-[^-]*$", "");
    }

    @Test
    void goBuildInfoOfABinaryBuiltHereAndOfADebianBinary() throws Exception {
        Path hello = Fixtures.root().resolve("layers/app-root/usr/local/bin/hello-go");
        Collect c = Collect.run(new GoBinaryAnalyzer(), "usr/local/bin/hello-go", Files.readAllBytes(hello));
        String goVersion = run("go", "env", "GOVERSION").substring(2);
        assertThat(named(c, "stdlib")).get().satisfies(p -> assertThat(p.version()).isEqualTo(goVersion));
        assertThat(named(c, "uuid")).get().satisfies(p -> {
            assertThat(p.namespace()).isEqualTo("github.com/google");
            assertThat(p.version()).isEqualTo("v1.6.0");
            assertThat(p.properties().get("stella:go:sum")).startsWith("h1:");
        });
        assertThat(named(c, "hello")).get().satisfies(p -> assertThat(p.properties()).containsEntry("stella:go:mainModule", "true"));
        // Debian's umoci: built by Debian's Go 1.19 in GOPATH mode (no module list), still the toolchain
        Path umoci = Fixtures.root().resolve("layers/app-root/usr/local/bin/umoci");
        Collect u = Collect.run(new GoBinaryAnalyzer(), "usr/local/bin/umoci", Files.readAllBytes(umoci));
        String expected = run("go", "version", umoci.toString()).replaceAll(".*: go", "");
        assertThat(named(u, "stdlib")).get().satisfies(p -> assertThat(p.version()).isEqualTo(expected));
    }

    @Test
    void rustDependenciesFromCargoAuditable() throws IOException {
        Collect c = Collect.run(new RustAuditableAnalyzer(), "usr/bin/rust-hello",
                Files.readAllBytes(Fixtures.root().resolve("extra/rust-hello")));
        assertThat(named(c, "itoa")).get().satisfies(p -> {
            assertThat(p.type()).isEqualTo("cargo");
            assertThat(p.version()).isEqualTo("1.0.11");
        });
        assertThat(named(c, "rust-hello")).get().satisfies(p -> {
            assertThat(p.type()).isEqualTo("generic");
            assertThat(p.properties()).containsEntry("stella:rust:root", "true").containsEntry("stella:rust:source", "local");
        });
    }

    @Test
    void binaryClassifiersOnDebianBinaries() throws IOException {
        Path jre = Fixtures.rootfs("jre");
        BinaryClassifierAnalyzer a = new BinaryClassifierAnalyzer();
        assertThat(Collect.run(a, "usr/lib/x86_64-linux-gnu/libcrypto.so.3",
                Files.readAllBytes(jre.resolve("usr/lib/x86_64-linux-gnu/libcrypto.so.3"))).packages)
                .singleElement().satisfies(p -> assertThat(p.version()).isEqualTo(upstream("libssl3")));
        assertThat(Collect.run(a, "usr/lib/x86_64-linux-gnu/libcurl.so.4",
                Files.readAllBytes(jre.resolve("usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0"))).packages)
                .singleElement().satisfies(p -> assertThat(p.version()).isEqualTo(upstream("libcurl4")));
        assertThat(Collect.run(a, "usr/bin/python3.11", Files.readAllBytes(jre.resolve("usr/bin/python3.11"))).packages)
                .singleElement().satisfies(p -> assertThat(p.version()).isEqualTo(upstream("python3.11-minimal")));
        Path busybox = Fixtures.root().resolve("extra/busybox/bin/busybox");
        String bbDeb = Files.list(Fixtures.root().resolve("extra/debs")).map(Path::toString)
                .filter(n -> n.contains("busybox_")).findFirst().orElseThrow();
        String bbVersion = bbDeb.replaceAll(".*busybox_(\\d+%3a)?", "").replaceFirst("-.*", "");
        assertThat(Collect.run(a, "bin/busybox", Files.readAllBytes(busybox)).packages)
                .singleElement().satisfies(p -> assertThat(p.version()).isEqualTo(bbVersion));
    }

    @Test
    void binaryClassifiersOnTheNodeAndGoOfThisMachine() throws Exception {
        BinaryClassifierAnalyzer a = new BinaryClassifierAnalyzer();
        Path node = Path.of(run("bash", "-c", "readlink -f \"$(command -v node)\""));
        assertThat(Collect.run(a, "usr/local/bin/node", Files.readAllBytes(node)).packages).singleElement()
                .satisfies(p -> assertThat("v" + p.version()).isEqualTo(run(node.toString(), "--version")));
        Path go = Path.of(run("go", "env", "GOROOT"), "bin", "go");
        assertThat(Collect.run(a, "usr/local/go/bin/go", Files.readAllBytes(go)).packages).singleElement()
                .satisfies(p -> assertThat("go" + p.version()).isEqualTo(run("go", "env", "GOVERSION")));
    }

    @Test
    void rubyGemspecFromADebianPackage() throws IOException {
        Path spec;
        try (var files = Files.walk(Fixtures.root().resolve("extra/ruby-rack"))) {
            spec = files.filter(f -> f.toString().endsWith(".gemspec")).findFirst().orElseThrow();
        }
        String version = spec.getFileName().toString().replace("rack-", "").replace(".gemspec", "");
        Collect c = Collect.run(new RubyGemAnalyzer(), "usr/share/rubygems-integration/all/specifications/" + spec.getFileName(),
                Files.readAllBytes(spec));
        assertThat(c.packages).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("rack");
            assertThat(p.version()).isEqualTo(version);
            assertThat(p.licenses()).containsExactly("MIT");
        });
    }

    @Test
    void dotnetDepsJson() throws IOException {
        byte[] deps = getClass().getResourceAsStream("/dotnet/TestLibrary.deps.json").readAllBytes();
        Collect c = Collect.run(new DotnetAnalyzer(), "app/TestLibrary.deps.json", deps);
        assertThat(c.packages).hasSize(14);
        assertThat(c.packages.stream().filter(p -> p.type().equals("nuget")).count()).isEqualTo(12);
        assertThat(named(c, "Newtonsoft.Json")).get().satisfies(p -> assertThat(p.version()).isEqualTo("13.0.1"));
        assertThat(named(c, "TestCommon")).get().satisfies(p -> assertThat(p.properties()).containsEntry("stella:dotnet:type", "project"));
    }

    @Test
    void composerInstalledJson() throws IOException {
        byte[] json = getClass().getResourceAsStream("/composer/installed.json").readAllBytes();
        Collect c = Collect.run(new PhpComposerAnalyzer(), "var/www/vendor/composer/installed.json", json);
        assertThat(c.packages).extracting(p -> p.namespace() + "/" + p.name() + "@" + p.version())
                .containsExactly("asm89/stack-cors@1.3.0", "behat/mink@v1.8.1");
        assertThat(c.packages.get(0).licenses()).isEqualTo(List.of("MIT"));
    }
}
