package org.stellaops.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.store.LocalFragmentStore;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.ImageSource;
import org.stellaops.scanner.image.ImageSources;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.scanner.sbom.Component;
import org.stellaops.scanner.sbom.CycloneDxWriter;
import org.stellaops.scanner.sbom.SbomMetadata;
import org.stellaops.scanner.sbom.SpdxWriter;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.TestScans;

/** Scans of the real 4-layer Debian image built by test-support/fixtures.sh, from its OCI layout. */
class ImageScanTest {
    static Path cache;
    static ScanResult app;

    @BeforeAll
    static void scanOnce(@TempDir Path dir) throws IOException {
        cache = dir;
        app = TestScans.scan("oci:" + Fixtures.image("debian-app") + ":1", cache);
    }

    private static Set<String> debs(ScanResult r) {
        return r.inventory().components().stream().filter(c -> c.type().equals("deb"))
                .map(c -> c.name() + "\t" + c.version() + "\t" + c.purl().replaceAll(".*[?&]arch=([^&]+).*", "$1"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> groundTruth(String rootfs) throws IOException {
        return Fixtures.dpkgQuery(rootfs).stream().map(f -> f[0] + "\t" + f[1] + "\t" + f[2])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void dpkgPackagesAreExactlyWhatDpkgQuerySaysInsideTheRootfs() throws IOException {
        assertThat(debs(app)).isEqualTo(groundTruth("jre"));
    }

    @Test
    void dpkgSourcePackagesAndVersionsMatchDpkgQuery() throws IOException {
        for (String[] f : Fixtures.dpkgQuery("jre")) {
            Component c = app.inventory().components().stream()
                    .filter(x -> x.type().equals("deb") && x.name().equals(f[0])).findFirst().orElseThrow();
            assertThat(c.properties().get("stella:package:source")).as(f[0]).isEqualTo(f[3]);
            assertThat(c.properties().get("stella:package:sourceVersion")).as(f[0]).isEqualTo(f[4]);
        }
    }

    @Test
    void debPurlsCarryDistroArchAndUpstream() {
        Component libc = TestScans.find(app, "pkg:deb/debian/libc6@");
        assertThat(libc.purl()).contains("arch=amd64").contains("distro=debian-12").contains("upstream=glibc");
        assertThat(app.inventory().os().id()).isEqualTo("debian");
        assertThat(libc.files()).contains("lib/x86_64-linux-gnu/libc.so.6"); // as dpkg lists it (merged /usr)
    }

    @Test
    void componentsAreAttributedToTheLayerThatIntroducedThem() {
        List<LayerRef> layers = app.inventory().image().layers();
        assertThat(layers).hasSize(4);
        Component base = TestScans.find(app, "pkg:deb/debian/base-files@");
        Component curl = TestScans.find(app, "pkg:deb/debian/curl@");
        Component jre = TestScans.find(app, "pkg:deb/debian/openjdk-17-jre-headless@");
        Component log4j = TestScans.find(app, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        assertThat(base.layerIndex()).isZero();
        assertThat(curl.layerIndex()).isEqualTo(1);
        assertThat(jre.layerIndex()).isEqualTo(2);
        assertThat(log4j.layerIndex()).isEqualTo(3);
        assertThat(log4j.layerDigest()).isEqualTo(layers.get(3).digest());
        assertThat(log4j.diffId()).isEqualTo(layers.get(3).diffId());
    }

    @Test
    void javaComponentsFromJarsWarsAndShadedJars() {
        Component log4j = TestScans.find(app, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        assertThat(log4j.evidencePath()).isEqualTo(
                "app/lib/log4j-core-2.14.1.jar!/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties");
        Component nested = TestScans.find(app, "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1");
        assertThat(nested.evidencePath()).startsWith("app/shop.war!/WEB-INF/lib/log4j-core-2.17.1.jar!/META-INF/maven/");
        Component war = TestScans.find(app, "pkg:generic/shop@3.2.1");
        assertThat(war.confidence()).isEqualTo("medium");
        // hadoop-client-runtime shades third-party libraries with their pom.properties
        List<Component> shaded = app.inventory().components().stream()
                .filter(c -> c.evidencePath().startsWith("app/lib/hadoop-client-runtime-3.3.6.jar!/")).toList();
        assertThat(shaded.size()).isGreaterThan(5);
        assertThat(shaded).anyMatch(c -> c.purl().startsWith("pkg:maven/com.google.guava/guava@30.1.1-jre"));
        // the shaded jar carries no pom.properties of its own and a shaded dependency's manifest ("Apache Hadoop shaded
        // Protobuf 1.1.1"): its identity comes from the file name and the package its classes live in
        assertThat(TestScans.find(app, "pkg:maven/org.apache.hadoop/hadoop-client-runtime@3.3.6").evidencePath())
                .isEqualTo("app/lib/hadoop-client-runtime-3.3.6.jar");
        // no pom.properties at all: the manifest names the jar, the classes give the groupId
        Component spring = TestScans.find(app, "pkg:maven/org.springframework/spring-core@5.3.20");
        assertThat(spring.properties()).containsEntry("stella:java:groupSource", "class-packages");
        assertThat(TestScans.find(app, "pkg:maven/org.jetbrains.kotlin/kotlin-compiler-embeddable@1.9.24").confidence())
                .isEqualTo("medium");
        assertThat(TestScans.find(app, "pkg:generic/jrt-fs@17.0.19").properties()).containsKey("stella:ownedBy");
    }

    @Test
    void jdkFromItsReleaseFileIsOwnedByTheDebianPackage() {
        Component jdk = TestScans.find(app, "pkg:generic/openjdk@17.");
        assertThat(jdk.evidencePath()).isEqualTo("usr/lib/jvm/java-17-openjdk-amd64/release");
        assertThat(jdk.properties().get("stella:ownedBy")).startsWith("pkg:deb/debian/openjdk-17-jre-headless@");
    }

    @Test
    void npmPythonAndGoComponents() {
        assertThat(TestScans.find(app, "pkg:npm/lodash@4.17.20").evidencePath()).isEqualTo("app/node_modules/lodash/package.json");
        assertThat(TestScans.find(app, "pkg:npm/%40babel/parser@7.24.0").licenses()).containsExactly("MIT");
        assertThat(TestScans.find(app, "pkg:pypi/requests@2.28.0").evidencePath())
                .isEqualTo("usr/local/lib/python3.11/dist-packages/requests-2.28.0.dist-info/METADATA");
        Component uuid = TestScans.find(app, "pkg:golang/github.com/google/uuid@v1.6.0");
        assertThat(uuid.evidencePath()).isEqualTo("usr/local/bin/hello-go");
        assertThat(app.inventory().components()).anyMatch(c -> c.purl().startsWith("pkg:golang/stdlib@1.")
                && c.evidencePath().equals("usr/local/bin/hello-go"));
        assertThat(app.inventory().components()).anyMatch(c -> c.purl().startsWith("pkg:golang/stdlib@")
                && c.evidencePath().equals("usr/local/bin/umoci"));
        assertThat(TestScans.find(app, "pkg:golang/example.com/stella/hello").properties())
                .containsEntry("stella:go:mainModule", "true");
        // Debian builds Go in GOPATH mode: no module, but the main package path names the program
        assertThat(TestScans.find(app, "pkg:golang/github.com/opencontainers/umoci/cmd/umoci").version()).isNull();
    }

    @Test
    void pythonModulesOfDebianPackagesAreMarkedAsOwnedAndBinariesOfPackagesAreNotGuessed() {
        // python3 from Debian brings no dist-info of its own for the stdlib, but its binaries carry version strings:
        // the classifier's guess is dropped because dpkg owns the file.
        assertThat(app.inventory().components()).noneMatch(c -> "binary".equals(c.analyzer())
                && c.evidencePath().startsWith("usr/bin/python3"));
        assertThat(app.inventory().components()).noneMatch(c -> "binary".equals(c.analyzer())
                && c.evidencePath().contains("libssl.so"));
    }

    @Test
    void twoScansGiveByteIdenticalSboms(@TempDir Path otherCache) throws IOException {
        ScanResult again = TestScans.scan("oci:" + Fixtures.image("debian-app") + ":1", otherCache);
        SbomMetadata meta = new SbomMetadata("test", null);
        assertThat(new CycloneDxWriter().write(again.inventory(), meta)).isEqualTo(new CycloneDxWriter().write(app.inventory(), meta));
        assertThat(new SpdxWriter().write(again.inventory(), meta)).isEqualTo(new SpdxWriter().write(app.inventory(), meta));
    }

    @Test
    void aWarmRescanReadsNoLayerBlob() throws IOException {
        AtomicInteger opened = new AtomicInteger();
        try (ImageSource real = ImageSources.open("oci:" + Fixtures.image("debian-app") + ":1",
                TestScans.options(Platform.DEFAULT, null))) {
            ImageSource counting = new ImageSource() {
                @Override
                public ResolvedImage resolve() throws IOException {
                    return real.resolve();
                }

                @Override
                public InputStream openLayer(LayerRef layer) throws IOException {
                    opened.incrementAndGet();
                    return real.openLayer(layer);
                }
            };
            ScanResult warm = new Scanner(AnalyzerSet.standard(), new LocalFragmentStore(cache), 2).scan(counting, ScanListener.NONE);
            assertThat(opened).hasValue(0);
            assertThat(warm.cachedLayers()).isEqualTo(4);
            assertThat(warm.inventory().components()).isEqualTo(app.inventory().components());
        }
    }

    @Test
    void zstdLayersGiveTheSameInventory(@TempDir Path dir) throws IOException {
        ScanResult z = TestScans.scan("oci:" + Fixtures.image("debian-app-zstd") + ":zstd", dir);
        assertThat(z.inventory().image().layers()).allMatch(l -> l.mediaType().endsWith("+zstd"));
        assertThat(z.inventory().components().stream().map(Component::purl).toList())
                .isEqualTo(app.inventory().components().stream().map(Component::purl).toList());
    }

    @Test
    void platformSelectionFromAnImageIndex(@TempDir Path dir) throws IOException {
        String ref = "oci:" + Fixtures.image("debian-app-multi") + ":multi";
        ScanResult arm = TestScans.scan(ref, dir, Platform.parse("linux/arm64"), null);
        assertThat(arm.inventory().image().indexDigest()).isNotNull();
        assertThat(arm.inventory().image().platform().architecture()).isEqualTo("arm64");
        ScanResult amd = TestScans.scan(ref, dir, Platform.DEFAULT, null);
        assertThat(amd.inventory().image().manifestDigest()).isNotEqualTo(arm.inventory().image().manifestDigest());
        assertThat(amd.cachedLayers()).isEqualTo(4); // same layers, analyzed once
        assertThatThrownBy(() -> TestScans.scan(ref, dir, Platform.parse("linux/s390x"), null))
                .isInstanceOf(ScanException.class).hasMessageContaining("no manifest for platform linux/s390x")
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.NOT_FOUND);
    }

    @Test
    void dockerArchiveWrittenBySkopeo(@TempDir Path dir) throws IOException {
        ScanResult r = TestScans.scan("docker-archive:" + Fixtures.root().resolve("archives/debian-app.tar"), dir);
        assertThat(r.inventory().components().stream().map(Component::purl).toList())
                .isEqualTo(app.inventory().components().stream().map(Component::purl).toList());
        assertThat(r.inventory().image().layers()).extracting(LayerRef::diffId)
                .isEqualTo(app.inventory().image().layers().stream().map(LayerRef::diffId).toList());
    }

    @Test
    void dockerArchiveOfTheBaseLayer(@TempDir Path dir) throws IOException {
        ScanResult r = TestScans.scan("docker-archive:" + Fixtures.root().resolve("archives/minbase.tar"), dir);
        assertThat(debs(r)).isEqualTo(groundTruth("minbase"));
        assertThat(r.inventory().image().tag()).isEqualTo("1");
        assertThat(r.inventory().image().name()).isEqualTo("stella/minbase");
    }
}
