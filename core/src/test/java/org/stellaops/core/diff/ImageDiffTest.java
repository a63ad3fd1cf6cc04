package org.stellaops.core.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stellaops.core.decider.Decider;

/** Version changes, epochs, several copies of one library, and findings that follow their package. */
class ImageDiffTest {
    static Decider.Component c(String purl, String layer, String path) {
        return new Decider.Component(purl, layer, path, null, Set.of());
    }

    static final String L1 = "sha256:" + "1".repeat(64);
    static final String L2 = "sha256:" + "2".repeat(64);
    static final String L3 = "sha256:" + "3".repeat(64);

    static <T> List<T> reversed(List<T> l) {
        List<T> out = new java.util.ArrayList<>(l);
        java.util.Collections.reverse(out);
        return out;
    }

    @Test
    void changedRemovedAddedAndFindings() {
        List<Decider.Component> a = List.of(
                c("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl", L1, "var/lib/dpkg/status"),
                c("pkg:rpm/rocky/qemu-kvm@2.12.0-64.el8?arch=x86_64&epoch=15&distro=rocky-8.1", L1, "var/lib/rpm/rpmdb.sqlite"),
                c("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.7.1", L2, "app/lib/a.jar"),
                c("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0", L2, "app/lib/b.jar"),
                c("pkg:npm/lodash@4.17.20", L2, "app/node_modules/lodash/package.json"));
        List<Decider.Component> b = List.of(
                c("pkg:deb/debian/libssl3@3.0.13-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl", L1, "var/lib/dpkg/status"),
                c("pkg:rpm/rocky/qemu-kvm@2.12.0-64.el8?arch=x86_64&epoch=16&distro=rocky-8.1", L1, "var/lib/rpm/rpmdb.sqlite"),
                c("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0", L3, "app/lib/b.jar"),
                c("pkg:npm/lodash@4.17.20", L3, "app/node_modules/lodash/package.json"),
                c("pkg:npm/minimist@1.2.5", L3, "app/node_modules/minimist/package.json"));
        ImageDiff.Decision da = new ImageDiff.Decision("warn", List.of(
                new ImageDiff.FindingRef("CVE-2024-0727", a.get(0).purl(), "LOW", "warn", "fixed"),
                new ImageDiff.FindingRef("CVE-2021-23337", a.get(4).purl(), "HIGH", "warn", "fixed")));
        ImageDiff.Decision db = new ImageDiff.Decision("fail", List.of(
                new ImageDiff.FindingRef("CVE-2021-23337", b.get(3).purl(), "HIGH", "warn", "fixed"),
                new ImageDiff.FindingRef("CVE-2021-44906", b.get(4).purl(), "CRITICAL", "fail", "fixed")));
        ImageDiff.Result r = ImageDiff.diff(new ImageDiff.Side("a", "sha256:a", List.of(L1, L2), a, da),
                new ImageDiff.Side("b", "sha256:b", List.of(L1, L3), b, db));
        assertThat(r.layersShared()).containsExactly(L1);
        assertThat(r.layersAdded()).containsExactly(L3);
        assertThat(r.layersRemoved()).containsExactly(L2);
        assertThat(r.changed()).extracting(ImageDiff.Change::id, ImageDiff.Change::from, ImageDiff.Change::to).containsExactly(
                org.assertj.core.groups.Tuple.tuple("pkg:deb/debian/libssl3?arch=amd64", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1"),
                org.assertj.core.groups.Tuple.tuple("pkg:rpm/rocky/qemu-kvm?arch=x86_64", "15:2.12.0-64.el8", "16:2.12.0-64.el8"));
        // of two jackson-databind copies one is gone: removed, not changed
        assertThat(r.removed()).extracting(ImageDiff.ComponentRef::purl)
                .containsExactly("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.7.1");
        assertThat(r.added()).extracting(ImageDiff.ComponentRef::purl).containsExactly("pkg:npm/minimist@1.2.5");
        assertThat(r.unchanged()).isEqualTo(2); // jackson-databind 2.13.0, lodash 4.17.20
        assertThat(r.introduced()).extracting(ImageDiff.FindingRef::vulnerability).containsExactly("CVE-2021-44906");
        assertThat(r.fixed()).extracting(ImageDiff.FindingRef::vulnerability).containsExactly("CVE-2024-0727");
        assertThat(r.failing()).isTrue();
        String json = new String(r.json(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"verdict\":{\"changed\":true,\"from\":\"warn\",\"to\":\"fail\"}");
        // the same inputs in another order give the same bytes
        ImageDiff.Result again = ImageDiff.diff(new ImageDiff.Side("a", "sha256:a", List.of(L1, L2), reversed(a), da),
                new ImageDiff.Side("b", "sha256:b", List.of(L1, L3), reversed(b), db));
        assertThat(again.json()).isEqualTo(r.json());
    }
}
