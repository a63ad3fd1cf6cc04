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

    /** Reads a kit within the default {@link InputLimits}. */
    public static FeedSet read(byte[] kit, String origin) throws IOException {
        return read(kit, origin, InputLimits.DEFAULT);
    }

    /**
     * Reads a kit, checking every entry's digest and the revision; fails naming what does not match. The kit may
     * inflate to at most {@link InputLimits#maxInflatedBytes()} in all (one entry may take all of it: a kit's
     * advisories are one document) and hold at most {@link InputLimits#maxEntries()} entries.
     */
    public static FeedSet read(byte[] kit, String origin, InputLimits limits) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        limits.readZip(new java.io.ByteArrayInputStream(kit), origin, limits.maxInflatedBytes(), entries::put);
        byte[] m = entries.get(MANIFEST);
        if (m == null) {
            throw new AdvisoryFormatException(origin, MANIFEST, "not an offline kit (no manifest)");
        }
        JsonNode manifest = Documents.readJson(m, origin + "!/" + MANIFEST);
        for (var e : manifest.path("entries").properties()) {
            byte[] data = entries.get(e.getKey());
            if (data == null || !Digests.sha256(data).equals(e.getValue().asText())) {
                throw new AdvisoryFormatException(origin, e.getKey(), "missing or does not match its digest in the manifest");
            }
        }
        FeedSet feeds = new FeedSet(limits);
        if (!entries.containsKey("advisories.json")) {
            throw new AdvisoryFormatException(origin, "advisories.json", "missing from the kit");
        }
        feeds.advisories().addAll(entry(entries, "advisories.json", ADVISORIES, origin));
        if (entries.containsKey("kev.json")) {
            feeds.setKev(entry(entries, "kev.json", new TypeReference<KevCatalog>() { }, origin));
        }
        if (entries.containsKey("epss.json")) {
            feeds.setEpss(entry(entries, "epss.json", new TypeReference<EpssScores>() { }, origin));
        }
        String revision = feeds.revision();
        if (!revision.equals(manifest.path("revision").asText())) {
            throw new AdvisoryFormatException(origin, MANIFEST + " revision", "does not match the content's revision " + revision);
        }
        return feeds;
    }

    private static <T> T entry(Map<String, byte[]> entries, String name, TypeReference<T> type, String origin) {
        try {
            return Json.mapper().readValue(entries.get(name), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AdvisoryFormatException(origin, name, DocumentErrors.describe(e, "JSON"));
        } catch (IOException e) {
            throw new AdvisoryFormatException(origin, name, DocumentErrors.describe(e));
        }
    }

    /** Where the compiled {@link AdvisoryIndex} of a kit lives: beside it, {@code <name>.index} for {@code <name>.zip}. */
    public static Path indexOf(Path kit) {
        String name = kit.getFileName().toString();
        return kit.resolveSibling((name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name) + ".index");
    }

    /**
     * The revision a kit's manifest names, read without the advisories: what its index must be of. Null when the kit
     * has no readable manifest (its index is then rebuilt from the kit, which fails naming the problem).
     */
    static String manifestRevision(Path kit, InputLimits limits) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(kit.toFile())) {
            ZipEntry e = z.getEntry(MANIFEST);
            if (e == null || e.getSize() > limits.maxDocumentBytes()) {
                return null;
            }
            try (java.io.InputStream in = z.getInputStream(e)) {
                byte[] m = in.readNBytes((int) Math.min(limits.maxDocumentBytes(), Integer.MAX_VALUE - 8));
                String r = Documents.readJson(m, kit + "!/" + MANIFEST).path("revision").asText(null);
                return r == null ? "(none)" : r;
            }
        } catch (AdvisoryFormatException e) {
            return "(unreadable)";
        }
    }

    /**
     * Installs a verified kit into the cache as {@code feeds/<revision>.zip}, with its compiled {@link AdvisoryIndex}
     * beside it ({@code feeds/<revision>.index}), and returns the kit's path.
     */
    public static Path install(byte[] kit, String origin, Path cacheRoot) throws IOException {
        FeedSet feeds = read(kit, origin, InputLimits.DEFAULT);
        Path dir = Files.createDirectories(cacheRoot.resolve("feeds"));
        Path target = dir.resolve(feeds.revision().replace(':', '-') + ".zip");
        Path tmp = Files.createTempFile(dir, ".kit", ".tmp");
        Files.write(tmp, kit);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        AdvisoryIndex.store(indexOf(target), feeds);
        Files.writeString(dir.resolve("current"), target.getFileName().toString() + "\n", StandardCharsets.UTF_8);
        return target;
    }
}
