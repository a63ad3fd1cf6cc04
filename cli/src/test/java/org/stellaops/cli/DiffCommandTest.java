package org.stellaops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.diff.ImageDiff;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.testing.Fixtures;

/**
 * stella diff of the two fixture images: minbase:1 is debian-app:1's first layer; debian-app adds curl, python3,
 * openssl, the JRE (dpkg) and the app layer (jars, node_modules, a wheel, a Go binary). The expected sets come from the
 * OCI manifests and from dpkg-query run on the fixture root filesystems, not from the scanner.
 */
class DiffCommandTest {
    static Path data;
    static Path cache;

    @BeforeAll
    static void locate(@TempDir Path dir) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("shared/data/SOURCES.md"))) {
                data = d.resolve("shared/data");
                break;
            }
        }
        assertThat(data).as("shared/data beside the repository").isNotNull();
        cache = dir;
    }

    static String image(String name) {
        return "oci:" + Fixtures.image(name) + ":1";
    }

    /** The layer digests of an OCI layout's only manifest, read directly. */
    static List<String> layers(String name) throws Exception {
        Path root = Fixtures.image(name);
        JsonNode index = Json.mapper().readTree(root.resolve("index.json").toFile());
        String digest = index.path("manifests").get(0).path("digest").asText();
        JsonNode manifest = Json.mapper().readTree(root.resolve("blobs/sha256/" + digest.substring(7)).toFile());
        List<String> out = new ArrayList<>();
        manifest.path("layers").forEach(l -> out.add(l.path("digest").asText()));
        return out;
    }

    static Set<String> dpkgNames(String rootfs) throws Exception {
        return Fixtures.dpkgQuery(rootfs).stream().map(r -> r[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> names(JsonNode list, String type) {
        Set<String> out = new TreeSet<>();
        list.forEach(c -> {
            String purl = c.path("purl").asText();
            if (purl.startsWith("pkg:" + type + "/")) {
                out.add(purl.replaceFirst("\\?.*$", "").replaceFirst("@.*$", "").replaceFirst("^.*/", ""));
            }
        });
        return out;
    }

    @Test
    void layersAndComponentsOfMinbaseToDebianApp() throws Exception {
        ScanCommandTest.Run r = ScanCommandTest.run("diff", image("minbase"), image("debian-app"), "--json",
                "--cache-dir", cache.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode d = Json.mapper().readTree(r.out());
        List<String> a = layers("minbase");
        List<String> b = layers("debian-app");
        assertThat(a).hasSize(1);
        assertThat(b).hasSize(4).startsWith(a.get(0));
        assertThat(d.path("layers").path("shared")).extracting(JsonNode::asText).containsExactly(a.get(0));
        assertThat(d.path("layers").path("added")).extracting(JsonNode::asText).containsExactlyElementsOf(b.subList(1, 4));
        assertThat(d.path("layers").path("removed")).isEmpty();

        // OS packages: what dpkg-query lists in the jre root filesystem and not in minbase's; no version changed
        Set<String> expectedDebs = new TreeSet<>(dpkgNames("jre"));
        expectedDebs.removeAll(dpkgNames("minbase"));
        assertThat(expectedDebs).contains("curl", "python3", "openssl", "openjdk-17-jre-headless").hasSize(57);
        JsonNode comps = d.path("components");
        assertThat(names(comps.path("added"), "deb")).isEqualTo(expectedDebs);
        assertThat(comps.path("removed")).isEmpty();
        assertThat(comps.path("changed")).isEmpty();
        assertThat(comps.path("unchanged").asInt()).isGreaterThanOrEqualTo(dpkgNames("minbase").size());
        // the app layer's log4j-core 2.14.1 jar is new, in the top layer
        assertThat(comps.path("added")).anySatisfy(c -> {
            assertThat(c.path("purl").asText()).startsWith("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
            assertThat(c.path("layer").asText()).isEqualTo(b.get(3));
        });
        // every added component lives in one of the added layers
        comps.path("added").forEach(c -> assertThat(b.subList(1, 4)).contains(c.path("layer").asText()));
        assertThat(d.has("verdict")).as("no decision without --advisories/--vex/--policy").isFalse();

        // deterministic: the same diff again gives the same bytes
        ScanCommandTest.Run again = ScanCommandTest.run("diff", image("minbase"), image("debian-app"), "--json",
                "--cache-dir", cache.toString());
        assertThat(again.out()).isEqualTo(r.out());

        // the other way round everything added is removed
        ScanCommandTest.Run back = ScanCommandTest.run("diff", image("debian-app"), image("minbase"), "--json",
                "--cache-dir", cache.toString());
        JsonNode db = Json.mapper().readTree(back.out());
        assertThat(names(db.path("components").path("removed"), "deb")).isEqualTo(expectedDebs);
        assertThat(db.path("layers").path("removed")).extracting(JsonNode::asText).containsExactlyElementsOf(b.subList(1, 4));
        assertThat(db.path("components").path("added")).isEmpty();
    }

    @Test
    void findingsIntroducedAndFixedAndTheVerdictChangeExitTwoWhenTheNewImageFails(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, DecisionCommandsTest.POLICY);
        List<String> decision = List.of("--cache-dir", cache.toString(),
                "--advisories", data.resolve("osv").toString(), "--advisories", data.resolve("debian/tracker").toString(),
                "--advisories", data.resolve("kev/known_exploited_vulnerabilities.json").toString(),
                "--policy", policy.toString(), "--as-of", "2026-11-27");
        List<String> args = new ArrayList<>(List.of("diff", image("minbase"), image("debian-app"), "--json"));
        args.addAll(decision);
        ScanCommandTest.Run r = ScanCommandTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.POLICY_FAIL);
        JsonNode d = Json.mapper().readTree(r.out());
        assertThat(d.path("verdict").path("to").asText()).isEqualTo("fail");
        assertThat(d.path("findings").path("introduced")).anySatisfy(f -> {
            assertThat(f.path("vulnerability").asText()).isEqualTo("CVE-2021-44228");
            assertThat(f.path("purl").asText()).contains("log4j-core@2.14.1");
            assertThat(f.path("verdict").asText()).isEqualTo("fail");
        });
        assertThat(d.path("findings").path("fixed")).isEmpty();

        List<String> back = new ArrayList<>(List.of("diff", image("debian-app"), image("minbase")));
        back.addAll(decision);
        ScanCommandTest.Run table = ScanCommandTest.run(back.toArray(String[]::new));
        assertThat(table.code()).as(table.err()).isZero();

        // the same difference from two stored scans (their SBOMs and reports), as the operator's diff endpoint reads them
        ImageDiff.Side[] stored = new ImageDiff.Side[2];
        String[] images = {"minbase", "debian-app"};
        for (int i = 0; i < 2; i++) {
            List<String> scan = new ArrayList<>(List.of("scan", image(images[i]), "--sbom-out", dir.resolve(i + ".cdx.json").toString(),
                    "--out", dir.resolve(i + ".report.json").toString()));
            scan.addAll(decision);
            ScanCommandTest.run(scan.toArray(String[]::new));
            stored[i] = ImageDiff.sideFromStored(Files.readAllBytes(dir.resolve(i + ".cdx.json")),
                    Files.readAllBytes(dir.resolve(i + ".report.json")));
        }
        assertThat(new String(ImageDiff.diff(stored[0], stored[1]).json(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(r.out());
        assertThat(table.out()).contains("layers: 1 shared, 0 added, 3 removed").contains("verdict: FAIL -> ")
                .contains("CVE-2021-44228");
    }
}
