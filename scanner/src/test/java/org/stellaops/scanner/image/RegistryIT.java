package org.stellaops.scanner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.ScanResult;
import org.stellaops.scanner.sbom.Component;
import org.stellaops.scanner.testing.Fixtures;
import org.stellaops.scanner.testing.LocalRegistry;
import org.stellaops.scanner.testing.TestScans;

/** Scans through a real distribution registry on 127.0.0.1 (Debian's docker-registry), images pushed by skopeo. */
class RegistryIT {
    static LocalRegistry open;
    static LocalRegistry locked;
    static String appRef;
    static String multiRef;
    static String lockedRef;
    static org.stellaops.scanner.testing.TokenServer tokens;
    static LocalRegistry tokenRegistry;
    static String tokenRef;

    @BeforeAll
    static void startRegistries() throws Exception {
        open = LocalRegistry.start();
        appRef = open.push(Fixtures.image("debian-app"), "1", "stella/debian-app", "1");
        multiRef = open.push(Fixtures.image("debian-app-multi"), "multi", "stella/debian-app", "multi");
        locked = LocalRegistry.start("scanner", "s3cret-pass");
        lockedRef = locked.push(Fixtures.image("minbase"), "1", "private/minbase", "1");
        tokens = org.stellaops.scanner.testing.TokenServer.start(Files.createTempDirectory("stella-token"), "robot", "t0ken-pass");
        tokenRegistry = LocalRegistry.startWithTokens(tokens, "robot", "t0ken-pass");
        tokenRef = tokenRegistry.push(Fixtures.image("minbase"), "1", "team/minbase", "1");
    }

    @AfterAll
    static void stop() throws IOException {
        if (open != null) {
            open.close();
        }
        if (locked != null) {
            locked.close();
        }
        if (tokenRegistry != null) {
            tokenRegistry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    @Test
    void aScanFromTheRegistryEqualsTheScanOfTheLayout(@TempDir Path a, @TempDir Path b) throws IOException {
        ScanResult remote = TestScans.scan(appRef, a);
        ScanResult local = TestScans.scan("oci:" + Fixtures.image("debian-app") + ":1", b);
        assertThat(remote.inventory().image().manifestDigest()).isEqualTo(local.inventory().image().manifestDigest());
        assertThat(remote.inventory().components().stream().map(Component::purl).toList())
                .isEqualTo(local.inventory().components().stream().map(Component::purl).toList());
        assertThat(remote.inventory().image().name()).isEqualTo(open.host() + "/stella/debian-app");
    }

    @Test
    void dockerV2Schema2ManifestsAndMediaTypes(@TempDir Path cache) throws Exception {
        String ref = open.pushDockerV2(Fixtures.image("minbase"), "1", "stella/minbase-v2", "1");
        ScanResult r = TestScans.scan(ref, cache);
        assertThat(r.inventory().image().layers()).singleElement()
                .satisfies(l -> assertThat(l.mediaType()).isEqualTo("application/vnd.docker.image.rootfs.diff.tar.gzip"));
        assertThat(r.inventory().components()).anyMatch(c -> c.purl().startsWith("pkg:deb/debian/bash@"));
    }

    @Test
    void byDigestAndThroughAnIndex(@TempDir Path cache) throws IOException {
        ScanResult arm = TestScans.scan(multiRef, cache, Platform.parse("linux/arm64"), null);
        assertThat(arm.inventory().image().indexDigest()).isNotNull();
        String byDigest = open.host() + "/stella/debian-app@" + arm.inventory().image().manifestDigest();
        ScanResult pinned = TestScans.scan(byDigest, cache, Platform.parse("linux/arm64"), null);
        assertThat(pinned.inventory().image().manifestDigest()).isEqualTo(arm.inventory().image().manifestDigest());
        assertThat(pinned.cachedLayers()).isEqualTo(4);
    }

    @Test
    void basicAuthWithCredentialsFromADockerConfig(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        String auth = Base64.getEncoder().encodeToString("scanner:s3cret-pass".getBytes(StandardCharsets.UTF_8));
        Files.writeString(config, "{\"auths\":{\"" + locked.host() + "\":{\"auth\":\"" + auth + "\"}}}");
        ScanResult r = TestScans.scan(lockedRef, dir.resolve("cache"), Platform.DEFAULT, config);
        assertThat(r.inventory().components()).anyMatch(c -> c.purl().startsWith("pkg:deb/debian/bash@"));
    }

    @Test
    void bearerTokenFlowAgainstARegistryWithTokenAuth(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"auths\":{\"" + tokenRegistry.host() + "\":{\"username\":\"robot\",\"password\":\"t0ken-pass\"}}}");
        ScanResult r = TestScans.scan(tokenRef, dir.resolve("cache"), Platform.DEFAULT, config);
        assertThat(r.inventory().components()).anyMatch(c -> c.purl().startsWith("pkg:deb/debian/dpkg@"));
        Path wrong = dir.resolve("wrong.json");
        Files.writeString(wrong, "{\"auths\":{\"" + tokenRegistry.host() + "\":{\"username\":\"robot\",\"password\":\"x\"}}}");
        assertThatThrownBy(() -> TestScans.scan(tokenRef, dir.resolve("cache2"), Platform.DEFAULT, wrong))
                .isInstanceOf(ScanException.class).hasMessageContaining("token service")
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.AUTH);
    }

    @Test
    void missingOrWrongCredentialsAreAuthErrors(@TempDir Path dir) throws IOException {
        Path none = dir.resolve("none.json");
        Files.writeString(none, "{\"auths\":{}}");
        assertThatThrownBy(() -> TestScans.scan(lockedRef, dir, Platform.DEFAULT, none))
                .isInstanceOf(ScanException.class).hasMessageContaining("requires credentials")
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.AUTH);
        Path wrong = dir.resolve("wrong.json");
        Files.writeString(wrong, "{\"auths\":{\"" + locked.host() + "\":{\"username\":\"scanner\",\"password\":\"nope\"}}}");
        assertThatThrownBy(() -> TestScans.scan(lockedRef, dir, Platform.DEFAULT, wrong))
                .isInstanceOf(ScanException.class).hasMessageContaining("HTTP 401")
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.AUTH);
    }

    @Test
    void unknownImagesAndUnreachableRegistries(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> TestScans.scan(open.host() + "/stella/nothing:1", dir))
                .isInstanceOf(ScanException.class).hasMessageContaining("HTTP 404")
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.NOT_FOUND);
        int closed = LocalRegistry.freePort();
        assertThatThrownBy(() -> TestScans.scan("127.0.0.1:" + closed + "/stella/x:1", dir))
                .isInstanceOf(ScanException.class).hasMessageContaining("cannot connect")
                .extracting(e -> ((ScanException) e).kind()).isEqualTo(ScanException.Kind.UNAVAILABLE);
    }
}
