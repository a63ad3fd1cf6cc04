package org.stellaops.admission;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.ImageRef;
import org.stellaops.scanner.image.Manifests;
import org.stellaops.scanner.image.Platform;
import org.stellaops.scanner.image.RegistryClient;
import org.stellaops.scanner.util.Digests;

/**
 * Resolves a tag (or an index digest) to the platform manifest digest the catalog's verdicts are keyed by, with the
 * scanner's registry client; cached (bounded, with a TTL) by the reference and platform. Credentials are not part of
 * the key: they decide only whether the registry answers, and a pod whose pull secrets cannot read the image fails to
 * pull it anyway.
 */
public final class ImageResolver implements Ports.Resolver {
    private final Function<DockerConfig, RegistryClient> clients;
    private final Platform platform;
    private final TtlCache<String, String> cache;

    public ImageResolver(Set<String> insecureRegistries, Duration timeout, Platform platform, int maxEntries, Duration ttl, Clock clock) {
        this(c -> new RegistryClient(c, insecureRegistries, timeout), platform, new TtlCache<>(maxEntries, ttl, clock));
    }

    ImageResolver(Function<DockerConfig, RegistryClient> clients, Platform platform, TtlCache<String, String> cache) {
        this.clients = clients;
        this.platform = platform;
        this.cache = cache;
    }

    public TtlCache<String, String> cache() {
        return cache;
    }

    @Override
    public String digest(ImageRef ref, java.util.function.Supplier<DockerConfig> credentials) throws IOException {
        String key = ref + "|" + platform;
        var hit = cache.get(key);
        if (hit.isPresent()) {
            return hit.get();
        }
        RegistryClient client = clients.apply(credentials.get());
        RegistryClient.Manifest top = client.manifest(ref, ref.manifestReference());
        String topDigest = ref.digest() != null ? ref.digest()
                : top.digestHeader() != null && top.digestHeader().startsWith("sha256:") ? top.digestHeader()
                : Digests.sha256(top.body());
        Digests.verify(top.body(), topDigest, "manifest " + ref);
        Manifests.Parsed parsed = Manifests.parse(top.body(), top.contentType(), "manifest " + ref);
        String digest = parsed.isIndex() ? Manifests.selectPlatform(parsed, platform, "index " + ref).digest() : topDigest;
        cache.put(key, digest);
        return digest;
    }
}
