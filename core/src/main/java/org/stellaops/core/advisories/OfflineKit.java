package org.stellaops.core.advisories;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;

/**
 * The offline kit: every advisory of a {@link FeedSet} in one deterministic zip (canonical advisories without their
 * origins, KEV and EPSS, and a manifest with the revision and a sha256 per entry), for air-gapped installations.
 * Import checks every digest and the revision before anything is used.
 */
public final class OfflineKit {
    public static final String MANIFEST = "manifest.json";
    private static final TypeReference<List<Advisory>> ADVISORIES = new TypeReference<>() { };

    private OfflineKit() {
    }

    public static byte[] export(FeedSet feeds) throws IOException {
        List<Advisory> sorted = FeedSet.canonical(feeds.advisories());
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put("advisories.json", Json.write(sorted));
        if (feeds.kev() != null) {
            entries.put("kev.json", Json.write(feeds.kev()));
        }
        if (feeds.epss() != null) {
            entries.put("epss.json", Json.write(feeds.epss()));
        }
        ObjectNode manifest = Json.mapper().createObjectNode();
        manifest.put("kind", "stella-ops/offline-kit");
        manifest.put("version", 1);
        manifest.put("revision", feeds.revision());
        manifest.put("advisories", sorted.size());
        ObjectNode digests = manifest.putObject("entries");
        entries.forEach((name, data) -> digests.put(name, Digests.sha256(data)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, MANIFEST, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                put(zip, e.getKey(), e.getValue());
            }
        }
        return out.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(315532800000L); // 1980-01-01, the zip epoch: no clock in the kit
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** Reads a kit, checking every entry's digest and the revision; fails naming what does not match. */
    public static FeedSet read(byte[] kit, String origin) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(kit))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] data = in.readNBytes(1 << 30);
                entries.put(e.getName(), data);
            }
        }
        byte[] m = entries.get(MANIFEST);
        if (m == null) {
            throw new AdvisoryFormatException(origin, MANIFEST, "not an offline kit (no manifest)");
        }
        JsonNode manifest = Json.mapper().readTree(m);
        for (var e : manifest.path("entries").properties()) {
            byte[] data = entries.get(e.getKey());
            if (data == null || !Digests.sha256(data).equals(e.getValue().asText())) {
                throw new AdvisoryFormatException(origin, e.getKey(), "missing or does not match its digest in the manifest");
            }
        }
        FeedSet feeds = new FeedSet();
        feeds.advisories().addAll(Json.mapper().readValue(entries.get("advisories.json"), ADVISORIES));
        if (entries.containsKey("kev.json")) {
            feeds.setKev(Json.mapper().readValue(entries.get("kev.json"), KevCatalog.class));
        }
        if (entries.containsKey("epss.json")) {
            feeds.setEpss(Json.mapper().readValue(entries.get("epss.json"), EpssScores.class));
        }
        String revision = feeds.revision();
        if (!revision.equals(manifest.path("revision").asText())) {
            throw new AdvisoryFormatException(origin, MANIFEST + " revision", "is " + manifest.path("revision").asText()
                    + " but the content's revision is " + revision);
        }
        return feeds;
    }

    /** Installs a verified kit into the cache as {@code feeds/<revision>.zip} and returns that path. */
    public static Path install(byte[] kit, String origin, Path cacheRoot) throws IOException {
        FeedSet feeds = read(kit, origin);
        Path dir = Files.createDirectories(cacheRoot.resolve("feeds"));
        Path target = dir.resolve(feeds.revision().replace(':', '-') + ".zip");
        Path tmp = Files.createTempFile(dir, ".kit", ".tmp");
        Files.write(tmp, kit);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("current"), target.getFileName().toString() + "\n", StandardCharsets.UTF_8);
        return target;
    }
}
