package org.stellaops.core.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.stellaops.core.SharedData;
import org.stellaops.core.advisories.AdvisoryIndex;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.json.Json;
import org.stellaops.core.policy.Policy;
import org.stellaops.core.vex.VexParser;
import org.stellaops.core.vex.VexStatement;

/**
 * Decider benchmark: {@code DeciderBench COPIES RUNS}. The real OSV records of shared/data are replicated under new
 * ids, aliases and package names (copy k of GHSA-x is GHSA-x-rk for package name-rk) into an OSV-style zip, together
 * with the Debian tracker records; then an SBOM of 5,000 components is matched, VEX-decided and evaluated RUNS times.
 * Not a test: test-support/bench.sh runs it and docs/benchmarks.md records the results.
 */
public final class DeciderBench {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("load")) { // DeciderBench load INDEX REVISION: the index alone, in a fresh JVM
            System.gc();
            long before = usedHeap();
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long gc0 = gcMillis();
            long c0 = threads.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            FeedSet f = AdvisoryIndex.read(Path.of(args[1]), args[2]);
            Decider.Index.of(f);
            long ms = (System.nanoTime() - t) / 1_000_000;
            long cpuMs = (threads.getCurrentThreadCpuTime() - c0) / 1_000_000;
            long gcMs = gcMillis() - gc0;
            System.gc();
            System.out.printf("index in a fresh JVM: %d advisories, read + index %d ms wall, %d ms CPU of the loading thread"
                    + " (GC pauses %d ms of the wall), heap after load %d MB (before %d MB)%n",
                    f.advisories().size(), ms, cpuMs, gcMs, usedHeap() >> 20, before >> 20);
            return;
        }
        int copies = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        Path data = SharedData.dir();
        List<JsonNode> osv = new ArrayList<>();
        try (Stream<Path> files = Files.walk(data.resolve("osv"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                osv.add(Json.mapper().readTree(f.toFile()));
            }
        }
        Path zip = Files.createTempFile("stella-bench-osv", ".zip");
        List<String> purls = new ArrayList<>();
        int written = 0;
        try (OutputStream fo = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(fo)) {
            for (int k = 0; k < copies; k++) {
                for (JsonNode base : osv) {
                    ObjectNode a = base.deepCopy();
                    String suffix = "-r" + k;
                    a.put("id", base.path("id").asText() + suffix);
                    ArrayNode aliases = a.putArray("aliases");
                    base.path("aliases").forEach(x -> aliases.add(x.asText() + suffix));
                    for (JsonNode af : a.path("affected")) {
                        ObjectNode pkg = (ObjectNode) af.path("package");
                        pkg.put("name", pkg.path("name").asText() + suffix);
                    }
                    z.putNextEntry(new ZipEntry(a.path("id").asText() + ".json"));
                    z.write(Json.write(a));
                    z.closeEntry();
                    written++;
                }
            }
        }
        System.gc();
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        FeedSet feeds = new FeedSet().load(zip).load(data.resolve("debian/tracker"))
                .load(data.resolve("kev/known_exploited_vulnerabilities.json")).load(data.resolve("epss"));
        Decider.Index docIndex = Decider.Index.of(feeds);
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        System.gc();
        long heapAfter = usedHeap();
        Files.deleteIfExists(zip);
        System.out.printf("documents: %d advisories (%d OSV documents written), load and index %d ms, heap after load %d MB (before %d MB)%n",
                feeds.advisories().size(), written, loadMs, heapAfter >> 20, heapBefore >> 20);
        // 5,000 components: 2,500 language packages of replicated names (half of them affected), 2,500 Debian packages
        String[][] lang = {{"maven", "org.apache.logging.log4j", "log4j-core", "2.14.1", "2.17.1"},
                {"npm", null, "lodash", "4.17.20", "4.17.21"}, {"pypi", null, "requests", "2.28.0", "2.31.0"},
                {"golang", "github.com/gin-gonic", "gin", "v1.5.0", "v1.9.0"}, {"nuget", null, "Newtonsoft.Json", "12.0.3", "13.0.3"}};
        for (int i = 0; purls.size() < 2500; i++) {
            String[] l = lang[i % lang.length];
            int copy = (i / lang.length) % copies;
            String version = i % 2 == 0 ? l[3] : l[4];
            String name = l[2] + "-r" + copy;
            purls.add("pkg:" + l[0] + "/" + (l[1] == null ? "" : l[1] + "/") + name + "@" + version);
        }
        String[] debs = {"curl", "libssl3", "libsystemd0", "perl-base", "libc6", "zlib1g"};
        String[] srcs = {"curl", "openssl", "systemd", "perl", "glibc", "zlib"};
        for (int i = 0; purls.size() < 5000; i++) {
            int k = i % debs.length;
            purls.add("pkg:deb/debian/" + debs[k] + (i < debs.length ? "" : "-" + i) + "@1.0-1?arch=amd64&distro=debian-12&upstream="
                    + srcs[k] + "%401.0-1");
        }
        List<Decider.Component> components = new ArrayList<>();
        for (String p : purls) {
            components.add(new Decider.Component(p, "sha256:" + "1".repeat(64), "app/" + components.size(), null, Set.of()));
        }
        String digest = "sha256:" + "e".repeat(64);
        List<VexStatement> vex = VexParser.parse(("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"urn:bench\","
                + " \"author\": \"Bench\", \"timestamp\": \"2026-11-01T00:00:00Z\", \"version\": 1, \"statements\": [{\"vulnerability\":"
                + " {\"name\": \"CVE-2021-44228-r0\"}, \"products\": [{\"@id\": \"" + digest + "\"}], \"status\": \"not_affected\","
                + " \"justification\": \"vulnerable_code_not_in_execute_path\"}]}").getBytes(), "bench-vex");
        Policy policy = Policy.parse("version: \"1.0\"\nrules:\n  - {name: Escalate KEV, action: {type: escalate, severity: Critical, kev: true}}\n"
                + "  - {name: Block critical with fix, severity: [Critical], fixState: [fixed], action: block}\n"
                + "  - {name: Waive no-dsa, fixState: [will-not-fix], action: {type: ignore, justification: bench, until: '2027-01-01'}}\n", "bench");
        Decider.Image image = new Decider.Image("bench/image", digest, null, null);
        byte[] documentReport = Decider.decide(image, components, docIndex, vex, Map.of(), policy, "prod",
                Instant.parse("2026-11-27T00:00:00Z")).report();
        // the compiled index of the same revision: built once, then loaded by one sequential read
        Path indexFile = args.length > 2 ? Path.of(args[2]) : Files.createTempFile("stella-bench-index", ".bin");
        long tb = System.nanoTime();
        AdvisoryIndex.store(indexFile, feeds);
        long buildMs = (System.nanoTime() - tb) / 1_000_000;
        String revision = feeds.revision();
        int advisoryCount = feeds.advisories().size();
        feeds = null;
        docIndex = null;
        System.gc();
        long heapBeforeIndex = usedHeap();
        long ti = System.nanoTime();
        FeedSet indexed = AdvisoryIndex.read(indexFile, revision);
        Decider.Index index = Decider.Index.of(indexed);
        long indexLoadMs = (System.nanoTime() - ti) / 1_000_000;
        System.gc();
        long heapIndex = usedHeap() - heapBeforeIndex;
        System.out.printf("index: %d advisories, %d bytes, built and written in %d ms; read + index %d ms, heap after load %d MB (%d MB more than before)%n",
                indexed.advisories().size(), Files.size(indexFile), buildMs, indexLoadMs, (heapBeforeIndex + heapIndex) >> 20, heapIndex >> 20);
        if (args.length > 2) {
            System.out.println("revision " + revision);
        } else {
            Files.deleteIfExists(indexFile);
        }
        if (indexed.advisories().size() != advisoryCount) {
            throw new IllegalStateException("index lost advisories");
        }
        Decider.Components sbom = Decider.Components.of(components); // parsed once per SBOM, as the operator keeps it
        long[] ms = new long[runs];
        long[] cpu = new long[runs]; // CPU time of the deciding thread: what the decision costs when the machine is shared
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        int findings = 0;
        for (int r = 0; r < runs; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long s = System.nanoTime();
            Decider.Result res = Decider.decide(image, sbom, index, vex, Map.of(), policy, "prod", Instant.parse("2026-11-27T00:00:00Z"),
                    Decider.Options.DEFAULT);
            ms[r] = (System.nanoTime() - s) / 1_000_000;
            cpu[r] = (threads.getCurrentThreadCpuTime() - c0) / 1_000_000;
            findings = res.findings().size();
            if (!Arrays.equals(res.report(), documentReport)) {
                throw new IllegalStateException("the report from the index differs from the report from the documents");
            }
        }
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf("decide %d components -> %d findings: p50 %d ms, p95 %d ms, min %d ms, max %d ms over %d runs%n",
                components.size(), findings, sorted[runs / 2], sorted[(int) Math.ceil(runs * 0.95) - 1], sorted[0], sorted[runs - 1], runs);
        Arrays.sort(cpu);
        System.out.printf("decide, CPU time of the thread: p50 %d ms, p95 %d ms, min %d ms, max %d ms%n",
                cpu[runs / 2], cpu[(int) Math.ceil(runs * 0.95) - 1], cpu[0], cpu[runs - 1]);
    }

    private static long gcMillis() {
        long ms = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
