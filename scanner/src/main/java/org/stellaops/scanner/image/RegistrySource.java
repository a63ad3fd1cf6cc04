package org.stellaops.scanner.image;

import java.io.IOException;
import java.io.InputStream;
import org.stellaops.scanner.util.Digests;

/** An image in an OCI distribution registry. */
public final class RegistrySource implements ImageSource {
    private final ImageRef ref;
    private final Platform platform;
    private final RegistryClient client;

    public RegistrySource(ImageRef ref, Platform platform, RegistryClient client) {
        this.ref = ref;
        this.platform = platform;
        this.client = client;
    }

    @Override
    public ResolvedImage resolve() throws IOException {
        String what = "manifest " + ref;
        RegistryClient.Manifest top = client.manifest(ref, ref.manifestReference());
        String topDigest = ref.digest() != null ? ref.digest()
                : top.digestHeader() != null && top.digestHeader().startsWith("sha256:") ? top.digestHeader()
                : Digests.sha256(top.body());
        Digests.verify(top.body(), topDigest, what);
        Manifests.Parsed parsed = Manifests.parse(top.body(), top.contentType(), what);
        String indexDigest = null;
        String manifestDigest = topDigest;
        if (parsed.isIndex()) {
            indexDigest = topDigest;
            Manifests.Descriptor d = Manifests.selectPlatform(parsed, platform, "index " + ref);
            RegistryClient.Manifest m = client.manifest(ref, d.digest());
            Digests.verify(m.body(), d.digest(), "manifest " + ref.name() + "@" + d.digest());
            parsed = Manifests.parse(m.body(), m.contentType(), "manifest " + ref.name() + "@" + d.digest());
            manifestDigest = d.digest();
            if (parsed.isIndex()) {
                throw new org.stellaops.scanner.ScanException(org.stellaops.scanner.ScanException.Kind.BAD_INPUT,
                        "index " + ref + ": platform entry " + d.digest() + " is itself an index");
            }
        }
        String configDigest = parsed.config().digest();
        byte[] configBytes;
        try (InputStream in = client.blob(ref, configDigest)) {
            configBytes = in.readNBytes(32 * 1024 * 1024);
        }
        Digests.verify(configBytes, configDigest, "config " + ref.name() + "@" + configDigest);
        ImageConfig config = Manifests.parseConfig(configBytes, "config " + ref.name() + "@" + configDigest);
        Platform actual = config.os() != null && config.architecture() != null
                ? new Platform(config.os(), config.architecture(), config.variant()) : platform;
        return new ResolvedImage(ref.toString(), ref.name(), ref.tag(), indexDigest, manifestDigest, actual, config,
                configDigest, Manifests.layers(parsed, config, "manifest " + ref.name() + "@" + manifestDigest));
    }

    @Override
    public InputStream openLayer(LayerRef layer) throws IOException {
        return new Digests.VerifyingInputStream(client.blob(ref, layer.digest()), layer.digest(),
                "layer " + ref.name() + "@" + layer.digest());
    }
}
