package org.stellaops.core.advisories;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.SharedData;
import org.stellaops.core.match.AdvisoryMatcher;

class OfflineKitAndFetchTest {

    static FeedSet feeds() throws Exception {
        FeedSet f = new FeedSet();
        for (String dir : java.util.List.of("osv", "debian/tracker", "alpine/v3.19", "nvd", "kev/known_exploited_vulnerabilities.json", "epss")) {
            f.load(SharedData.dir().resolve(dir));
        }
        return f;
    }

    @Test
    void exportIsDeterministicAndImportVerifiesAndKeepsTheRevision(@TempDir Path dir) throws Exception {
        FeedSet feeds = feeds();
        byte[] kit = OfflineKit.export(feeds);
        assertThat(OfflineKit.export(feeds())).isEqualTo(kit);
        FeedSet back = OfflineKit.read(kit, "kit.zip");
        assertThat(back.revision()).isEqualTo(feeds.revision());
        assertThat(back.advisories()).hasSameSizeAs(feeds.advisories());
        assertThat(back.kev().contains("CVE-2021-44228")).isTrue();
        assertThat(new AdvisoryMatcher(back.advisories()).match("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")).isNotEmpty();
        Path installed = OfflineKit.install(kit, "kit.zip", dir);
        assertThat(Files.readString(dir.resolve("feeds/current")).trim()).isEqualTo(installed.getFileName().toString());
        // a kit file is also a valid --advisories input
        FeedSet fromFile = new FeedSet().load(installed);
        assertThat(fromFile.revision()).isEqualTo(feeds.revision());
        // tampering is refused
        java.io.ByteArrayOutputStream rewritten = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(kit));
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(rewritten)) {
            java.util.zip.ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] data = in.readAllBytes();
                if (e.getName().equals("advisories.json")) {
                    data = new String(data, java.nio.charset.StandardCharsets.UTF_8).replace("\"2.15.0\"", "\"2.15.9\"")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(data);
                out.closeEntry();
            }
        }
        assertThatThrownBy(() -> OfflineKit.read(rewritten.toByteArray(), "t.zip"))
                .hasMessageContaining("t.zip at advisories.json").hasMessageContaining("digest");
    }

    @Test
    void conditionalDownloadsKeepTheCachedCopyOn304(@TempDir Path dir) throws Exception {
        byte[] body = Files.readAllBytes(SharedData.dir().resolve("osv/maven/GHSA-jfh8-c2jp-5v3q.json"));
        AtomicInteger full = new AtomicInteger();
        AtomicInteger notModified = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/osv/GHSA-jfh8-c2jp-5v3q.json", ex -> {
            if ("\"v1\"".equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                notModified.incrementAndGet();
                ex.sendResponseHeaders(304, -1);
            } else {
                full.incrementAndGet();
                ex.getResponseHeaders().add("ETag", "\"v1\"");
                ex.getResponseHeaders().add("Last-Modified", "Fri, 25 Mar 2022 20:56:18 GMT");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.createContext("/broken", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/osv/GHSA-jfh8-c2jp-5v3q.json");
            FeedFetcher fetcher = new FeedFetcher(dir);
            FeedFetcher.Fetched first = fetcher.fetch(uri);
            assertThat(first.changed()).isTrue();
            assertThat(Files.readAllBytes(first.file())).isEqualTo(body);
            FeedFetcher.Fetched second = fetcher.fetch(uri);
            assertThat(second.changed()).isFalse();
            assertThat(full).hasValue(1);
            assertThat(notModified).hasValue(1);
            assertThat(new FeedSet().load(second.file()).advisories()).singleElement()
                    .satisfies(a -> assertThat(a.id()).isEqualTo("GHSA-jfh8-c2jp-5v3q"));
            assertThatThrownBy(() -> fetcher.fetch(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/broken")))
                    .hasMessageContaining("HTTP 503");
        } finally {
            server.stop(0);
        }
    }
}
