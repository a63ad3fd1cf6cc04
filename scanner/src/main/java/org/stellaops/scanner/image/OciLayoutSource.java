package org.stellaops.scanner.image;

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
 * An image in an OCI image layout ({@code oci:DIR[:tag]}), as a directory or inside a docker-archive written by a
 * current {@code docker save} (which embeds an OCI layout).
 */
public final class OciLayoutSource implements ImageSource {
    private static final long JSON_LIMIT = 32L * 1024 * 1024;
    private final BlobStore store;
    private final String tag;
    private final Platform platform;
    private final String reference;

    OciLayoutSource(BlobStore store, String tag, Platform platform, String reference) {
        this.store = store;
        this.tag = tag;
        this.platform = platform;
        this.reference = reference;
    }

    /** {@code DIR} or {@code DIR:tag}; the tag is what follows the last colon after the last slash. */
    public static OciLayoutSource open(String spec, Platform platform) {
        String dir = spec;
        String tag = null;
        int colon = spec.lastIndexOf(':');
        if (colon > spec.lastIndexOf('/') && colon > 0 && !Files.isDirectory(Path.of(spec))) {
            dir = spec.substring(0, colon);
            tag = spec.substring(colon + 1);
        }
        Path root = Path.of(dir);
        if (!Files.isDirectory(root)) {
            throw new ScanException(Kind.NOT_FOUND, "OCI layout " + dir + ": no such directory");
        }
        if (!Files.isRegularFile(root.resolve("index.json"))) {
            throw new ScanException(Kind.BAD_INPUT, "OCI layout " + dir + ": index.json is missing (not an OCI image layout)");
        }
        return new OciLayoutSource(new BlobStore.Dir(root), tag, platform, "oci:" + spec);
    }

    static boolean isLayout(BlobStore.Tar tar) {
        return tar.has("index.json") && tar.has("oci-layout");
    }

    @Override
    public ResolvedImage resolve() throws IOException {
        byte[] indexBytes = store.read("index.json", JSON_LIMIT);
        Manifests.Parsed index = Manifests.parse(indexBytes, MediaTypes.OCI_INDEX, store.describe() + ": index.json");
        if (index.manifests() == null || index.manifests().isEmpty()) {
            throw new ScanException(Kind.NOT_FOUND, store.describe() + ": index.json lists no manifests");
        }
        Manifests.Descriptor chosen = choose(index.manifests());
        String indexDigest = null;
        String imageTag = tag != null ? tag : chosen.refName();
        Manifests.Parsed manifest = readManifest(chosen);
        if (manifest.isIndex()) {
            indexDigest = chosen.digest();
            chosen = Manifests.selectPlatform(manifest, platform, store.describe() + " index " + chosen.digest());
            manifest = readManifest(chosen);
            if (manifest.isIndex()) {
                throw new ScanException(Kind.BAD_INPUT, store.describe() + ": nested index " + chosen.digest() + " is not supported");
            }
        }
        String configDigest = manifest.config().digest();
        byte[] configBytes = store.read(BlobStore.blobPath(configDigest), JSON_LIMIT);
        Digests.verify(configBytes, configDigest, store.describe() + " config " + configDigest);
        ImageConfig config = Manifests.parseConfig(configBytes, store.describe() + " config " + configDigest);
        Platform actual = config.os() != null && config.architecture() != null
                ? new Platform(config.os(), config.architecture(), config.variant()) : platform;
        String name = reference.startsWith("oci:") ? reference.substring(4) : reference;
        int c = name.lastIndexOf(':');
        if (tag != null && c > name.lastIndexOf('/')) {
            name = name.substring(0, c);
        }
        // the layout's directory name, not its absolute path: the SBOM must not depend on where the layout lies
        Path dirName = Path.of(name).getFileName();
        name = dirName == null ? name : dirName.toString();
        return new ResolvedImage(reference, name, imageTag, indexDigest, chosen.digest(), actual, config, configDigest,
                Manifests.layers(manifest, config, store.describe() + " manifest " + chosen.digest()));
    }

    private Manifests.Descriptor choose(List<Manifests.Descriptor> manifests) {
        if (tag != null) {
            List<String> tags = new ArrayList<>();
            for (Manifests.Descriptor d : manifests) {
                if (tag.equals(d.refName())) {
                    return d;
                }
                if (d.refName() != null) {
                    tags.add(d.refName());
                }
            }
            throw new ScanException(Kind.NOT_FOUND, store.describe() + ": no image tagged '" + tag + "' (tags: "
                    + (tags.isEmpty() ? "none" : String.join(", ", tags)) + ")");
        }
        if (manifests.size() == 1) {
            return manifests.get(0);
        }
        List<Manifests.Descriptor> forPlatform = new ArrayList<>();
        for (Manifests.Descriptor d : manifests) {
            if (d.os() != null && platform.matches(d.os(), d.architecture(), d.variant())) {
                forPlatform.add(d);
            }
        }
        if (forPlatform.size() == 1) {
            return forPlatform.get(0);
        }
        throw new ScanException(Kind.INVALID_ARGUMENT, store.describe() + ": holds " + manifests.size()
                + " images; name one with :TAG");
    }

    private Manifests.Parsed readManifest(Manifests.Descriptor d) throws IOException {
        byte[] bytes = store.read(BlobStore.blobPath(d.digest()), JSON_LIMIT);
        String what = store.describe() + " manifest " + d.digest();
        Digests.verify(bytes, d.digest(), what);
        return Manifests.parse(bytes, d.mediaType(), what);
    }

    @Override
    public InputStream openLayer(LayerRef layer) throws IOException {
        InputStream in = store.open(BlobStore.blobPath(layer.digest())).orElseThrow(() -> new ScanException(Kind.NOT_FOUND,
                store.describe() + ": layer blob " + layer.digest() + " is missing"));
        return new Digests.VerifyingInputStream(in, layer.digest(), store.describe() + " layer " + layer.digest());
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
