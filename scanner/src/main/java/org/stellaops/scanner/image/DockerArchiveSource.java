package org.stellaops.scanner.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.ScanException.Kind;
import org.stellaops.scanner.util.Digests;

/**
 * A {@code docker save} tar. Archives that embed an OCI layout (Docker 25+) are read as one; older ones through their
 * {@code manifest.json}. There is no registry manifest in the old format, so the image is identified by its config
 * digest (the Docker image ID), and uncompressed layers by their diffID (sha256 of the layer tar as stored).
 */
public final class DockerArchiveSource implements ImageSource {
    private final Path file;
    private final BlobStore.Tar tar;
    private final Platform platform;
    private final String tag;
    private final java.util.Map<String, String> layerPaths = new java.util.HashMap<>();

    private DockerArchiveSource(Path file, BlobStore.Tar tar, Platform platform, String tag) {
        this.file = file;
        this.tar = tar;
        this.platform = platform;
        this.tag = tag;
    }

    public static ImageSource open(Path file, String tag, Platform platform) {
        if (!Files.isRegularFile(file)) {
            throw new ScanException(Kind.NOT_FOUND, "docker-archive " + file + ": no such file");
        }
        BlobStore.Tar tar = new BlobStore.Tar(file);
        if (!tar.has("manifest.json") && OciLayoutSource.isLayout(tar)) {
            return new OciLayoutSource(tar, tag, platform, "docker-archive:" + file);
        }
        if (!tar.has("manifest.json")) {
            throw new ScanException(Kind.BAD_INPUT, "docker-archive " + file + ": manifest.json is missing (not a docker save archive)");
        }
        return new DockerArchiveSource(file, tar, platform, tag);
    }

    @Override
    public ResolvedImage resolve() throws IOException {
        String what = tar.describe() + ": manifest.json";
        JsonNode root;
        try {
            root = org.stellaops.core.json.Json.mapper().readTree(tar.read("manifest.json", 16L * 1024 * 1024));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ScanException(Kind.BAD_INPUT, what + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new ScanException(Kind.BAD_INPUT, what + ": expected a non-empty array of images");
        }
        JsonNode image = root.get(0);
        String imageTag = null;
        if (tag != null) {
            image = null;
            for (JsonNode n : root) {
                for (JsonNode t : n.path("RepoTags")) {
                    if (t.asText().equals(tag) || t.asText().endsWith(":" + tag)) {
                        image = n;
                        imageTag = t.asText();
                    }
                }
            }
            if (image == null) {
                throw new ScanException(Kind.NOT_FOUND, what + ": no image tagged '" + tag + "'");
            }
        } else if (image.path("RepoTags").size() > 0) {
            imageTag = image.path("RepoTags").get(0).asText();
        }
        String configPath = image.path("Config").asText(null);
        if (configPath == null) {
            throw new ScanException(Kind.BAD_INPUT, what + ": image entry without Config");
        }
        byte[] configBytes = tar.read(configPath, 32L * 1024 * 1024);
        String configDigest = Digests.sha256(configBytes);
        ImageConfig config = Manifests.parseConfig(configBytes, tar.describe() + ": " + configPath);
        List<String> paths = new ArrayList<>();
        image.path("Layers").forEach(n -> paths.add(n.asText()));
        if (paths.size() != config.diffIds().size()) {
            throw new ScanException(Kind.BAD_INPUT, what + ": " + paths.size() + " layers but the config lists "
                    + config.diffIds().size() + " diff_ids");
        }
        List<LayerRef> layers = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            String digest = p.startsWith("blobs/sha256/") ? "sha256:" + p.substring("blobs/sha256/".length()) : null;
            if (digest == null) {
                digest = isCompressed(p) ? digestOf(p) : config.diffIds().get(i);
            }
            layerPaths.put(digest, p);
            layers.add(new LayerRef(digest, "application/vnd.docker.image.rootfs.diff.tar", -1, config.diffIds().get(i)));
        }
        String name = imageTag != null && imageTag.contains(":") ? imageTag.substring(0, imageTag.lastIndexOf(':')) : file.getFileName().toString();
        String shortTag = imageTag != null && imageTag.contains(":") ? imageTag.substring(imageTag.lastIndexOf(':') + 1) : null;
        Platform actual = config.os() != null && config.architecture() != null
                ? new Platform(config.os(), config.architecture(), config.variant()) : platform;
        return new ResolvedImage("docker-archive:" + file, name, shortTag, null, configDigest, actual, config,
                configDigest, layers);
    }

    private boolean isCompressed(String path) throws IOException {
        try (InputStream in = new BufferedInputStream(tar.open(path).orElseThrow(() -> missing(path)))) {
            byte[] magic = in.readNBytes(4);
            return magic.length >= 2 && ((magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b
                    || magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5);
        }
    }

    private String digestOf(String path) throws IOException {
        try (InputStream in = tar.open(path).orElseThrow(() -> missing(path))) {
            java.security.MessageDigest md = Digests.newDigest("sha256:");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return "sha256:" + java.util.HexFormat.of().formatHex(md.digest());
        }
    }

    private ScanException missing(String path) {
        return new ScanException(Kind.BAD_INPUT, tar.describe() + ": layer " + path + " listed in manifest.json is missing");
    }

    @Override
    public InputStream openLayer(LayerRef layer) throws IOException {
        String path = layerPaths.get(layer.digest());
        if (path == null) {
            throw new ScanException(Kind.NOT_FOUND, tar.describe() + ": no layer " + layer.digest() + " (resolve first)");
        }
        return new Digests.VerifyingInputStream(tar.open(path).orElseThrow(() -> missing(path)), layer.digest(),
                tar.describe() + " layer " + path);
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
