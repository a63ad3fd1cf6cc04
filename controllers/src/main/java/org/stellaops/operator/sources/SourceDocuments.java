package org.stellaops.operator.sources;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
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

/**
 * The documents a VexSource or AdvisoryFeed names: fetched by URL (conditionally, within the outbound policy), or read
 * from ConfigMaps or a Secret that opted in with the label {@value SourceSettings#OPT_IN_LABEL}=true, an object under the
 * namespace's import prefix, or inline. Messages never reveal more than the source's owner can see: a missing and an
 * unlabelled ConfigMap or Secret are refused with the same words.
 */
public final class SourceDocuments {
    public record Document(String name, byte[] content) {
    }

    public record Loaded(List<Document> documents, String etag, String lastModified, boolean changed) {
    }

    private SourceDocuments() {
    }

    public static Loaded load(SourceRef src, String namespace, KubernetesClient client, ObjectStore objects, Path cacheDir,
                              Outbound outbound) throws IOException {
        if (src == null) {
            throw new SourceException("spec.source is missing");
        }
        if (src.url != null) {
            URI uri;
            try {
                uri = URI.create(src.url);
            } catch (IllegalArgumentException e) {
                throw new SourceException("spec.source.url is not a valid URL");
            }
            FeedFetcher.Fetched f = new FeedFetcher(cacheDir, outbound.policy(), outbound.limits().maxDownloadBytes()).fetch(uri);
            String name = uri.getPath() == null ? "" : uri.getPath();
            name = name.substring(name.lastIndexOf('/') + 1);
            return new Loaded(List.of(new Document(name.isEmpty() ? "document.json" : name, Files.readAllBytes(f.file()))), f.etag(),
                    f.lastModified(), f.changed());
        }
        if (src.inline != null) {
            return new Loaded(List.of(new Document("inline.json", src.inline.getBytes(StandardCharsets.UTF_8))), null, null, true);
        }
        if (src.objectKey != null) {
            String key = objectKey(src.objectKey, outbound.objectKeyPrefix(namespace));
            byte[] b = objects.get(key).orElseThrow(() -> new SourceException("object " + key + " not found in the object store"));
            return new Loaded(List.of(new Document(key.substring(key.lastIndexOf('/') + 1), b)), null, null, true);
        }
        Map<String, byte[]> data = new TreeMap<>();
        if (src.configMapRef != null) {
            data.putAll(configMap(client, namespace, src.configMapRef, ""));
        } else if (src.configMapRefs != null && !src.configMapRefs.isEmpty()) {
            for (SourceRef.KeyRef ref : src.configMapRefs) {
                data.putAll(configMap(client, namespace, ref, ref.name + "/"));
            }
        } else if (src.secretRef != null) {
            Secret s = src.secretRef.name == null ? null : client.secrets().inNamespace(namespace).withName(src.secretRef.name).get();
            optedIn(s, "Secret", namespace, src.secretRef.name);
            Map<String, byte[]> d = new TreeMap<>();
            if (s.getData() != null) {
                for (var e : s.getData().entrySet()) {
                    d.put(e.getKey(), base64(e.getValue(), "Secret " + src.secretRef.name, e.getKey()));
                }
            }
            if (s.getStringData() != null) {
                s.getStringData().forEach((k, v) -> d.put(k, v.getBytes(StandardCharsets.UTF_8)));
            }
            filter(d, src.secretRef.key, "Secret " + src.secretRef.name);
            data.putAll(d);
        } else {
            throw new SourceException("spec.source names none of url, configMapRef, configMapRefs, secretRef, objectKey, inline");
        }
        List<Document> docs = new ArrayList<>();
        data.forEach((k, v) -> docs.add(new Document(k, v)));
        return new Loaded(docs, null, null, true);
    }

    /** A ConfigMap's entries (data and binaryData), names prefixed when several ConfigMaps make one source. */
    private static Map<String, byte[]> configMap(KubernetesClient client, String namespace, SourceRef.KeyRef ref, String prefix)
            throws IOException {
        ConfigMap cm = ref.name == null ? null : client.configMaps().inNamespace(namespace).withName(ref.name).get();
        optedIn(cm, "ConfigMap", namespace, ref.name);
        Map<String, byte[]> data = new TreeMap<>();
        if (cm.getData() != null) {
            cm.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        if (cm.getBinaryData() != null) {
            for (var e : cm.getBinaryData().entrySet()) {
                data.put(e.getKey(), base64(e.getValue(), "ConfigMap " + ref.name, e.getKey()));
            }
        }
        filter(data, ref.key, "ConfigMap " + ref.name);
        Map<String, byte[]> named = new TreeMap<>();
        data.forEach((k, v) -> named.put(prefix + k, v));
        return named;
    }

    /**
     * Refuses a ConfigMap or Secret that does not exist or has not opted in, with one message for both: whoever can
     * create a source in the namespace learns nothing about objects they could not read themselves.
     */
    static void optedIn(HasMetadata o, String kind, String namespace, String name) throws SourceException {
        boolean labelled = o != null && o.getMetadata().getLabels() != null
                && "true".equals(o.getMetadata().getLabels().get(SourceSettings.OPT_IN_LABEL));
        if (!labelled) {
            throw new SourceException(kind + " " + namespace + "/" + name + " is not readable as a source: it must exist and"
                    + " carry the label " + SourceSettings.OPT_IN_LABEL + "=true");
        }
    }

    /** An objectKey, which must lie under the namespace's import prefix; returned as given. */
    static String objectKey(String key, String prefix) throws SourceException {
        if (!key.startsWith(prefix) || key.length() == prefix.length() || key.contains("..") || key.contains("//")
                || key.contains("\\") || key.contains("./")) {
            throw new SourceException("spec.source.objectKey must name an object under " + prefix
                    + " (objects outside this namespace's import prefix are not readable)");
        }
        return key;
    }

    private static byte[] base64(String value, String what, String key) throws SourceException {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new SourceException(what + " key " + key + " is not valid base64");
        }
    }

    private static void filter(Map<String, byte[]> data, String key, String what) throws IOException {
        if (key == null) {
            return;
        }
        if (!data.containsKey(key)) {
            throw new SourceException(what + " has no key " + key);
        }
        data.keySet().removeIf(k -> !k.equals(key));
    }
}
