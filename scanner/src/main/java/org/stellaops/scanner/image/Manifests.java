package org.stellaops.scanner.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.stellaops.core.json.Json;
import org.stellaops.scanner.ScanException;

/** Parsing of image indexes, manifests and configs shared by every image source. */
public final class Manifests {
    private Manifests() {
    }

    /** A descriptor: mediaType, digest, size, and platform for index entries. */
    public record Descriptor(String mediaType, String digest, long size, String os, String architecture, String variant,
                             String refName) {
    }

    /** A parsed manifest or index. */
    public record Parsed(String mediaType, List<Descriptor> manifests, Descriptor config, List<Descriptor> layers) {
        public boolean isIndex() {
            return MediaTypes.isIndex(mediaType) || (mediaType == null && manifests != null && !manifests.isEmpty());
        }
    }

    public static JsonNode readTree(byte[] data, String what) {
        try {
            JsonNode node = Json.mapper().readTree(data);
            if (node == null || !node.isObject()) {
                throw new ScanException(ScanException.Kind.BAD_INPUT, what + ": not a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ScanException(ScanException.Kind.BAD_INPUT, what + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ScanException(ScanException.Kind.BAD_INPUT, what + ": unreadable: " + e.getMessage(), e);
        }
    }

    public static Parsed parse(byte[] data, String contentType, String what) {
        JsonNode root = readTree(data, what);
        String mediaType = text(root, "mediaType");
        if (mediaType == null && contentType != null && !contentType.isBlank()) {
            mediaType = contentType.split(";")[0].trim();
        }
        if (root.path("schemaVersion").asInt() == 1) {
            throw new ScanException(ScanException.Kind.BAD_INPUT,
                    what + ": Docker schema 1 manifests are not supported (deprecated format); push the image again with a current client");
        }
        List<Descriptor> manifests = root.has("manifests") ? descriptors(root.get("manifests"), what + " manifests") : null;
        if (manifests != null && (mediaType == null || !root.has("layers"))) {
            return new Parsed(mediaType == null ? MediaTypes.OCI_INDEX : mediaType, manifests, null, List.of());
        }
        if (!root.has("config") || !root.has("layers")) {
            throw new ScanException(ScanException.Kind.BAD_INPUT, what + ": neither an image index nor an image manifest"
                    + (mediaType == null ? "" : " (mediaType " + mediaType + ")"));
        }
        Descriptor config = descriptor(root.get("config"), what + " config");
        List<Descriptor> layers = descriptors(root.get("layers"), what + " layers");
        return new Parsed(mediaType == null ? MediaTypes.OCI_MANIFEST : mediaType, null, config, layers);
    }

    private static List<Descriptor> descriptors(JsonNode array, String what) {
        if (!array.isArray()) {
            throw new ScanException(ScanException.Kind.BAD_INPUT, what + ": expected an array");
        }
        List<Descriptor> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(descriptor(n, what));
        }
        return out;
    }

    private static Descriptor descriptor(JsonNode n, String what) {
        String digest = text(n, "digest");
        if (!org.stellaops.scanner.util.Digests.isDigest(digest)) {
            throw new ScanException(ScanException.Kind.BAD_INPUT, what + ": invalid or missing digest '" + digest + "'");
        }
        JsonNode p = n.path("platform");
        return new Descriptor(text(n, "mediaType"), digest, n.path("size").asLong(-1), text(p, "os"),
                text(p, "architecture"), text(p, "variant"),
                text(n.path("annotations"), "org.opencontainers.image.ref.name"));
    }

    /** Picks the manifest for a platform from an index; fails with NOT_FOUND listing what the index offers. */
    public static Descriptor selectPlatform(Parsed index, Platform platform, String what) {
        List<String> offered = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            if (d.os() == null) {
                continue; // attestation manifests and other non-platform entries
            }
            offered.add(d.os() + "/" + d.architecture() + (d.variant() == null ? "" : "/" + d.variant()));
            if (platform.matches(d.os(), d.architecture(), d.variant())) {
                return d;
            }
        }
        throw new ScanException(ScanException.Kind.NOT_FOUND,
                what + ": no manifest for platform " + platform + " (the index offers " + String.join(", ", offered) + ")");
    }

    public static ImageConfig parseConfig(byte[] data, String what) {
        JsonNode root = readTree(data, what);
        JsonNode c = root.path("config");
        List<String> diffIds = new ArrayList<>();
        for (JsonNode d : root.path("rootfs").path("diff_ids")) {
            diffIds.add(d.asText());
        }
        return new ImageConfig(text(root, "created"), text(root, "os"), text(root, "architecture"), text(root, "variant"),
                strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")), text(c, "WorkingDir"),
                diffIds, text(c, "User"));
    }

    /** Joins manifest layers and config diff_ids; their counts must agree. */
    public static List<LayerRef> layers(Parsed manifest, ImageConfig config, String what) {
        List<Descriptor> ls = manifest.layers();
        if (config.diffIds().size() != ls.size()) {
            throw new ScanException(ScanException.Kind.BAD_INPUT, what + ": manifest has " + ls.size()
                    + " layers but the config lists " + config.diffIds().size() + " diff_ids");
        }
        List<LayerRef> out = new ArrayList<>();
        for (int i = 0; i < ls.size(); i++) {
            Descriptor d = ls.get(i);
            out.add(new LayerRef(d.digest(), d.mediaType(), d.size(), config.diffIds().get(i)));
        }
        return out;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(x -> out.add(x.asText()));
        }
        return out;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
