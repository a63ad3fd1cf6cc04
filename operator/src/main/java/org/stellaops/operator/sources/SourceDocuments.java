package org.stellaops.operator.sources;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.stellaops.core.advisories.FeedFetcher;
import org.stellaops.crds.v1alpha1.SourceRef;
import org.stellaops.storage.ObjectStore;

/** The documents a VexSource or AdvisoryFeed names: fetched by URL (conditionally), or read from a ConfigMap, Secret, object or inline. */
public final class SourceDocuments {
    public record Document(String name, byte[] content) {
    }

    public record Loaded(List<Document> documents, String etag, String lastModified, boolean changed) {
    }

    private SourceDocuments() {
    }

    public static Loaded load(SourceRef src, String namespace, KubernetesClient client, ObjectStore objects, Path cacheDir)
            throws IOException {
        if (src == null) {
            throw new IOException("spec.source is missing");
        }
        if (src.url != null) {
            FeedFetcher.Fetched f = new FeedFetcher(cacheDir).fetch(URI.create(src.url));
            String name = URI.create(src.url).getPath();
            name = name.substring(name.lastIndexOf('/') + 1);
            return new Loaded(List.of(new Document(name.isEmpty() ? "document.json" : name, Files.readAllBytes(f.file()))), f.etag(),
                    f.lastModified(), f.changed());
        }
        if (src.inline != null) {
            return new Loaded(List.of(new Document("inline.json", src.inline.getBytes(StandardCharsets.UTF_8))), null, null, true);
        }
        if (src.objectKey != null) {
            byte[] b = objects.get(src.objectKey).orElseThrow(() -> new IOException("object " + src.objectKey + " not found in the object store"));
            return new Loaded(List.of(new Document(src.objectKey.substring(src.objectKey.lastIndexOf('/') + 1), b)), null, null, true);
        }
        Map<String, byte[]> data = new TreeMap<>();
        if (src.configMapRef != null) {
            ConfigMap cm = client.configMaps().inNamespace(namespace).withName(src.configMapRef.name).get();
            if (cm == null) {
                throw new IOException("ConfigMap " + namespace + "/" + src.configMapRef.name + " not found");
            }
            if (cm.getData() != null) {
                cm.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
            }
            if (cm.getBinaryData() != null) {
                cm.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
            }
            filter(data, src.configMapRef.key, "ConfigMap " + src.configMapRef.name);
        } else if (src.secretRef != null) {
            Secret s = client.secrets().inNamespace(namespace).withName(src.secretRef.name).get();
            if (s == null) {
                throw new IOException("Secret " + namespace + "/" + src.secretRef.name + " not found");
            }
            if (s.getData() != null) {
                s.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
            }
            if (s.getStringData() != null) {
                s.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
            }
            filter(data, src.secretRef.key, "Secret " + src.secretRef.name);
        } else {
            throw new IOException("spec.source names none of url, configMapRef, secretRef, objectKey, inline");
        }
        List<Document> docs = new ArrayList<>();
        data.forEach((k, v) -> docs.add(new Document(k, v)));
        return new Loaded(docs, null, null, true);
    }

    private static void filter(Map<String, byte[]> data, String key, String what) throws IOException {
        if (key == null) {
            return;
        }
        if (!data.containsKey(key)) {
            throw new IOException(what + " has no key " + key);
        }
        data.keySet().removeIf(k -> !k.equals(key));
    }
}
