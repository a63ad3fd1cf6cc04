package org.stellaops.core.decider;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.packageurl.PackageURL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.stellaops.core.SharedData;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.advisories.AdvisoryIndex;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.json.Json;
import org.stellaops.core.vex.VexParser;
import org.stellaops.core.vex.VexStatement;

/**
 * Decisions on the compiled advisory index and on the documents it was built from give the same report, byte for byte,
 * on the published data of shared/data; and the report written in one pass is the report written the earlier way
 * (the tree converted to sorted maps, then pretty-printed).
 */
class IndexedDecisionTest {
    private static final Instant AS_OF = Instant.parse("2026-11-27T10:00:00Z");

    /** A component at every version any loaded advisory names: inside, at the edge of and outside its ranges. */
    static List<Decider.Component> everyNamedVersion(FeedSet feeds) throws Exception {
        Set<String> purls = new LinkedHashSet<>();
        for (Advisory a : feeds.advisories()) {
            for (Advisory.Affected af : a.affected()) {
                Set<String> versions = new LinkedHashSet<>(af.versions());
                af.ranges().forEach(r -> r.events().forEach(e -> {
                    if (e.version() != null && !e.version().equals("0") && !r.type().equals("GIT")) {
                        versions.add(e.version());
                    }
                }));
                for (String v : versions) {
                    TreeMap<String, String> q = new TreeMap<>();
                    String name = af.name();
                    if (af.distro() != null) {
                        q.put("distro", af.distro().equals("debian-unstable") ? "debian-12" : af.distro());
                        q.put("upstream", af.name() + "@" + v);
                        q.put("arch", "amd64");
                        name = af.name() + "-bin";
                    }
                    try {
                        purls.add(new PackageURL(af.purlType(), af.namespace() != null ? af.namespace()
                                : af.distro() != null ? af.distro().replaceFirst("-.*$", "") : null, name, v, q, null).canonicalize());
                    } catch (com.github.packageurl.MalformedPackageURLException e) {
                        // a name no purl can carry is not a component
                    }
                }
            }
        }
        List<Decider.Component> out = new ArrayList<>();
        for (String p : purls) {
            out.add(new Decider.Component(p, "sha256:" + "1".repeat(64), "layer/" + out.size(), null, Set.of()));
        }
        return out;
    }

    @Test
    void theIndexedPathGivesTheDocumentPathsReportByteForByte() throws Exception {
        FeedSet docs = DeciderTest.feeds();
        FeedSet indexed = AdvisoryIndex.read(AdvisoryIndex.write(docs), "index", docs.revision());
        List<Decider.Component> components = everyNamedVersion(docs);
        List<VexStatement> vex = VexParser.parse(("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"urn:t\","
                + " \"author\": \"T\", \"timestamp\": \"2026-11-01T00:00:00Z\", \"version\": 1, \"statements\": [{"
                + "\"vulnerability\": {\"name\": \"CVE-2021-44228\"}, \"products\": [{\"@id\": \"" + DeciderTest.DIGEST + "\"}],"
                + " \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_in_execute_path\"}]}").getBytes(), "t.vex.json");
        Decider.Image image = new Decider.Image("registry.example/shop", DeciderTest.DIGEST, null, null);
        Decider.Result fromDocs = Decider.decide(image, components, docs, vex, Map.of(), DeciderTest.POLICY, "prod", AS_OF);
        Decider.Result fromIndex = Decider.decide(image, Decider.Components.of(components), Decider.Index.of(indexed), vex,
                Map.of(), DeciderTest.POLICY, "prod", AS_OF, Decider.Options.DEFAULT);
        assertThat(fromDocs.findings()).hasSizeGreaterThan(100);
        assertThat(fromDocs.findings()).anyMatch(d -> d.verdict().verdict().equals("suppressed"));
        assertThat(fromDocs.findings()).anyMatch(d -> d.finding().purl().startsWith("pkg:deb/"));
        assertThat(new String(fromIndex.report(), StandardCharsets.UTF_8)).isEqualTo(new String(fromDocs.report(), StandardCharsets.UTF_8));
        assertThat(fromIndex.report()).isEqualTo(fromDocs.report());
    }

    @Test
    void theOnePassReportIsTheSortedMapsReport() throws Exception {
        FeedSet docs = DeciderTest.feeds();
        List<Decider.Component> components = everyNamedVersion(docs);
        Decider.Image image = new Decider.Image("registry.example/shop", DeciderTest.DIGEST, "sha256:" + "f".repeat(64), null);
        Decider.Result r = Decider.decide(image, components, docs, List.of(), Map.of(), DeciderTest.POLICY, "prod", AS_OF);
        var tree = Decider.reportTree(image, r.findings(), r.verdict(), docs.revision(), docs, List.of(), DeciderTest.POLICY,
                "prod", AS_OF, r.diagnostics(), r.coverage());
        byte[] earlier = (Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(Json.sorted(tree)) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(new String(r.report(), StandardCharsets.UTF_8)).isEqualTo(new String(earlier, StandardCharsets.UTF_8));
        assertThat(r.report()).isEqualTo(earlier);
    }

    @Test
    void findingsAreWrittenAsTheirSerializerWrites() throws Exception {
        FeedSet docs = DeciderTest.feeds();
        Decider.Result r = Decider.decide(new Decider.Image("i", DeciderTest.DIGEST, null, null), everyNamedVersion(docs), docs,
                List.of(), Map.of(), DeciderTest.POLICY, "prod", AS_OF);
        assertThat(r.findings()).anyMatch(d -> d.finding().kev()).anyMatch(d -> !d.finding().kev())
                .anyMatch(d -> d.finding().distroStatus() != null);
        List<org.stellaops.core.model.Finding> findings = new ArrayList<>();
        r.findings().forEach(d -> findings.add(d.finding()));
        // the published EPSS sample scores none of these CVEs: scores, empty strings and lists written out too
        findings.add(new org.stellaops.core.model.Finding("CVE-1", List.of(), "pkg:npm/x@1", "", List.of(), "fixed", "",
                "LOW", null, "", List.of("a b c"), false, 0.000012, null, null, "r", List.of("osv")));
        findings.add(new org.stellaops.core.model.Finding("CVE-2", null, "pkg:npm/x@1", "1", null, null, null,
                null, null, null, null, true, 1.0, "", "", null, null));
        for (org.stellaops.core.model.Finding f : findings) {
            assertThat(Decider.findingNode(f)).isEqualTo(Json.mapper().valueToTree(f));
        }
    }
}
