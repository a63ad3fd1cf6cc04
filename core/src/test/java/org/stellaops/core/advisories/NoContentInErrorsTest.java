package org.stellaops.core.advisories;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stellaops.core.SharedData;
import org.stellaops.core.json.Json;
import org.stellaops.core.vex.VexParser;

/**
 * A document may be a Secret's value: errors about it name the document and the kind and place of the problem, never
 * any of its text.
 */
class NoContentInErrorsTest {
    static final String MARKER = "s3cr3t-Marker-7f1c";

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Documents that each fail a parser at the marker, in the ways a Secret's value or a hostile document can. */
    static List<byte[]> documents() throws Exception {
        List<byte[]> docs = new ArrayList<>();
        docs.add(bytes(MARKER));                                     // a bare token: "Unrecognized token '…'"
        docs.add(bytes("password=" + MARKER + "\n"));                // a properties file
        docs.add(bytes("{\"token\": " + MARKER + "}"));              // an unquoted value
        docs.add(bytes("{\"" + MARKER + "\": [1, 2}"));              // a mismatched bracket after a key
        docs.add(bytes("[\"" + MARKER + "\""));                      // truncated
        docs.add(bytes("-----BEGIN PRIVATE KEY-----\n" + MARKER + "\n-----END PRIVATE KEY-----\n"));
        ObjectNode osv = (ObjectNode) Json.mapper().readTree(Files.readAllBytes(SharedData.dir().resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json")));
        ((ObjectNode) osv.withArray("affected").get(0).get("package")).put("name", MARKER); // a Maven name without a group
        docs.add(Json.write(osv));
        ObjectNode vex = (ObjectNode) Json.mapper().readTree(Files.readAllBytes(
                SharedData.dir().resolve("vex/openvex/vexctl-examples/document1.vex.json")));
        ((ObjectNode) vex.withArray("statements").get(0)).put("status", MARKER);
        docs.add(Json.write(vex));
        ObjectNode csaf = (ObjectNode) Json.mapper().readTree(Files.readAllBytes(SharedData.dir().resolve("redhat-csaf/cve-2011-4116.json")));
        ObjectNode rel = (ObjectNode) csaf.with("product_tree").withArray("relationships").get(0);
        rel.put("relates_to_product_reference", MARKER);
        ((ObjectNode) rel.get("full_product_name")).remove("product_id"); // a relationship without its product id
        docs.add(Json.write(csaf));
        return docs;
    }

    @Test
    void advisoryAndVexErrorsNeverQuoteTheDocument() throws Exception {
        int errors = 0;
        for (byte[] doc : documents()) {
            for (String name : List.of("feed.json", "feed.yaml", "scores.csv")) {
                FeedSet set = new FeedSet();
                set.add(doc, name);
                errors += set.diagnostics().size();
                assertThat(set.diagnostics()).allSatisfy(d -> assertThat(d).startsWith(name).doesNotContain(MARKER));
                set.add(InputBoundsTest.gzip(doc), name + ".gz");
                assertThat(set.diagnostics()).allSatisfy(d -> assertThat(d).doesNotContain(MARKER));
            }
            Throwable vex = catchThrowable(() -> VexParser.parse(doc, "vex.json"));
            assertThat(vex).as("every document here is invalid VEX").isNotNull();
            assertThat(vex.getMessage()).startsWith("vex.json").doesNotContain(MARKER);
            for (Throwable t : List.of(catchThrowable(() -> KevCatalog.parse(doc, "kev.json")),
                    catchThrowable(() -> OsvParser.parse(doc, "osv.yaml")), catchThrowable(() -> EpssScores.parse(doc, "e.csv")),
                    catchThrowable(() -> RedHatCsafParser.parse(doc, "csaf.json")))) {
                if (t != null) {
                    errors++;
                    assertThat(t.getMessage()).doesNotContain(MARKER);
                }
            }
        }
        assertThat(errors).isGreaterThan(20);
        // where a problem is, is still said
        FeedSet set = new FeedSet();
        set.add(bytes("{\n  \"id\": " + MARKER + "\n}"), "feed.json");
        assertThat(set.diagnostics()).singleElement().asString().startsWith("feed.json: malformed JSON at line 2, column ");
    }

    @Test
    void epssRowsAreNotQuoted() {
        String csv = "#model_version:v2023.03.01,score_date:2024-01-01T00:00:00+0000\ncve,epss,percentile\nCVE-2024-0001,"
                + MARKER + ",0.5\n";
        Throwable t = catchThrowable(() -> EpssScores.parse(bytes(csv), "e.csv"));
        assertThat(t).hasMessage("e.csv at line 3: malformed row: epss and percentile must be numbers");
    }

    @Test
    void aTamperedKitIsNotQuoted() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            z.putNextEntry(new java.util.zip.ZipEntry(OfflineKit.MANIFEST));
            z.write(bytes("{\"revision\": " + MARKER + "}"));
            z.putNextEntry(new java.util.zip.ZipEntry("advisories.json"));
            z.write(bytes("[]"));
        }
        Throwable t = catchThrowable(() -> OfflineKit.read(out.toByteArray(), "kit.zip"));
        assertThat(t).isInstanceOf(AdvisoryFormatException.class);
        assertThat(t.getMessage()).startsWith("kit.zip!/manifest.json").doesNotContain(MARKER);
    }
}
