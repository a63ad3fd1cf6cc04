package org.stellaops.operator.sources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.bson.Document;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.advisories.AdvisoryFormatException;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.advisories.InputLimits;
import org.stellaops.core.advisories.InputTooLargeException;
import org.stellaops.core.advisories.OfflineKit;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;
import org.stellaops.core.vex.VexFormatException;
import org.stellaops.core.vex.VexParser;
import org.stellaops.core.vex.VexStatement;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.SourceStatus;
import org.stellaops.crds.v1alpha1.VexSource;
import org.stellaops.operator.config.Storage;
import org.stellaops.storage.Catalog;

/**
 * AdvisoryFeed and VexSource content: synced into the object store (a verified offline kit per advisory revision; the
 * raw VEX documents per VEX revision) and the catalog (revision, count, advisory index); loaded back for decisions,
 * with the decider's index built once per advisory revision.
 */
@ApplicationScoped
public class Sources {
    @Inject
    Storage storage;
    @Inject
    KubernetesClient client;
    @Inject
    Outbound outbound;

    /** Built once per combination of revisions: the decider's advisory index and the parsed VEX statements. */
    private final Map<String, Decider.Index> indexes = new ConcurrentHashMap<>();
    private final Map<String, Vex> vexCache = new ConcurrentHashMap<>();
    private final Path cache;

    public Sources() {
        try {
            cache = Files.createTempDirectory("stella-sources");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sync's result: the revision, its count (advisories or statements), KEV entries and EPSS scores (null: none). */
    public record Synced(String revision, int count, List<String> diagnostics, String etag, String lastModified, Integer kev,
                         Integer epss) {
        public Synced(String revision, int count, List<String> diagnostics, String etag, String lastModified) {
            this(revision, count, diagnostics, etag, lastModified, null, null);
        }
    }

    public static String id(HasMetadata r) {
        return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
    }

    public Synced syncFeed(AdvisoryFeed feed) throws IOException {
        SourceDocuments.Loaded loaded = SourceDocuments.load(feed.getSpec().source, feed.getMetadata().getNamespace(), client,
                storage.objects(), cache.resolve("fetch"), outbound);
        FeedSet set = new FeedSet(outbound.limits());
        for (SourceDocuments.Document d : loaded.documents()) {
            if (d.name().endsWith(".zip")) {
                Path tmp = Files.createTempFile(cache, "feed", ".zip");
                int before = set.diagnostics().size();
                try {
                    Files.write(tmp, d.content());
                    set.load(tmp);
                } catch (InputTooLargeException | AdvisoryFormatException e) { // named by the document, not the temporary file
                    throw new SourceException(e.getMessage().replace(tmp.toString(), d.name()));
                } finally {
                    Files.deleteIfExists(tmp);
                }
                for (int i = before; i < set.diagnostics().size(); i++) {
                    set.diagnostics().set(i, set.diagnostics().get(i).replace(tmp.toString(), d.name()));
                }
            } else {
                set.add(d.content(), d.name());
            }
        }
        List<String> ecosystems = feed.getSpec().ecosystems;
        if (ecosystems != null && !ecosystems.isEmpty()) {
            set.advisories().removeIf(a -> a.affected().stream().noneMatch(af -> ecosystems.stream()
                    .anyMatch(e -> e.equalsIgnoreCase(af.ecosystem()))));
        }
        if (set.advisories().isEmpty() && set.kev() == null && set.epss() == null) {
            throw new SourceException("no advisories in the source" + (set.diagnostics().isEmpty() ? "" : ": " + set.diagnostics().get(0)));
        }
        byte[] kit = OfflineKit.export(set);
        String revision = set.revision();
        String key = "feeds/" + revision.replace(':', '-') + ".zip";
        if (!storage.objects().exists(key)) {
            storage.objects().put(key, kit, "application/zip");
        }
        Catalog catalog = storage.catalog();
        catalog.putSource(new Catalog.Source(id(feed), "AdvisoryFeed", revision, key, set.advisories().size(), Instant.now(),
                loaded.etag(), loaded.lastModified()));
        List<Document> index = new ArrayList<>();
        for (Advisory a : set.advisories()) {
            List<String> packages = new ArrayList<>();
            a.affected().forEach(af -> packages.add(String.valueOf(af.ecosystem()).toLowerCase(Locale.ROOT) + ":" + af.name()));
            index.add(new Document("id", a.id()).append("aliases", a.aliases()).append("packages", packages));
        }
        catalog.putAdvisoryIndex(id(feed), revision, index);
        return new Synced(revision, set.advisories().size(), set.diagnostics(), loaded.etag(), loaded.lastModified(),
                set.kev() == null ? null : set.kev().entries().size(), set.epss() == null ? null : set.epss().scores().size());
    }

    public Synced syncVex(VexSource src) throws IOException {
        SourceDocuments.Loaded loaded = SourceDocuments.load(src.getSpec().source, src.getMetadata().getNamespace(), client,
                storage.objects(), cache.resolve("fetch"), outbound);
        List<String> diagnostics = new ArrayList<>();
        int statements = 0;
        ObjectNode bundle = Json.mapper().createObjectNode();
        ArrayNode docs = bundle.putArray("documents");
        for (SourceDocuments.Document d : loaded.documents()) {
            String name = d.name();
            byte[] content = d.content();
            try {
                if (InputLimits.isGzip(content)) { // stored inflated: what is read back is plain VEX
                    content = outbound.limits().gunzip(content, name);
                    name = InputLimits.gunzippedName(name);
                }
                statements += VexParser.parse(content, name).size();
                docs.addObject().put("name", name).put("content", Base64.getEncoder().encodeToString(content));
            } catch (VexFormatException | AdvisoryFormatException | InputTooLargeException e) {
                diagnostics.add(e.getMessage());
            }
        }
        if (docs.isEmpty()) {
            throw new SourceException("no readable VEX document" + (diagnostics.isEmpty() ? "" : ": " + diagnostics.get(0)));
        }
        byte[] bytes = Json.write(bundle);
        String revision = Digests.sha256(bytes);
        String key = "vex/" + revision.replace(':', '-') + ".json";
        if (!storage.objects().exists(key)) {
            storage.objects().put(key, bytes, "application/json");
        }
        storage.catalog().putSource(new Catalog.Source(id(src), "VexSource", revision, key, statements, Instant.now(), loaded.etag(),
                loaded.lastModified()));
        return new Synced(revision, statements, diagnostics, loaded.etag(), loaded.lastModified());
    }

    /** The decider's index over the Ready feeds of a namespace, built once per combination of revisions. */
    public Decider.Index advisories(List<AdvisoryFeed> feeds) throws IOException {
        TreeMap<String, String> revisions = ready(feeds, Sources::id);
        String key = revisions.toString();
        Decider.Index cached = indexes.get(key);
        if (cached != null) {
            return cached;
        }
        FeedSet all = new FeedSet();
        for (String id : revisions.keySet()) {
            all.merge(OfflineKit.read(stored(id), id, outbound.limits()));
        }
        Decider.Index index = Decider.Index.of(all);
        if (indexes.size() > 8) {
            indexes.clear();
        }
        indexes.put(key, index);
        return index;
    }

    /** Revision of the advisory inputs: the Ready feeds' revisions, digested. */
    public static String advisoryRevision(List<AdvisoryFeed> feeds) {
        return Digests.sha256(ready(feeds, Sources::id).toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Revision of the VEX inputs: the Ready sources' revisions with their trust and vendor (both change a decision). */
    public static String vexRevision(List<VexSource> sources) {
        return Digests.sha256(ready(sources, Sources::vexKey).toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String vexKey(VexSource s) {
        return id(s) + "@" + s.getSpec().trust + "@" + s.getSpec().vendor;
    }

    /** The revisions in use of the Ready sources, by key: what a decision depends on. */
    private static <R extends CustomResource<?, SourceStatus>> TreeMap<String, String> ready(List<R> sources,
                                                                                          Function<R, String> key) {
        TreeMap<String, String> revisions = new TreeMap<>();
        for (R r : sources) {
            if (r.getStatus() != null && r.getStatus().revision != null && Conditions.isTrue(r.getStatus().conditions, "Ready")) {
                revisions.put(key.apply(r), r.getStatus().revision);
            }
        }
        return revisions;
    }

    /** The stored content of a synced source (its kit or VEX documents) as the catalog names it. */
    private byte[] stored(String sourceId) throws IOException {
        Catalog.Source s = storage.catalog().source(sourceId).orElseThrow(() -> new SourceException(sourceId + " is not in the catalog"));
        return storage.objects().get(s.objectKey()).orElseThrow(() -> new SourceException(s.objectKey() + " is missing from the object store"));
    }

    /**
     * Statements of the Ready sources, each carrying its source's trust as its weight (with or without an author), and
     * the issuers' configured trust: none, as a source's trust travels with its statements.
     */
    public record Vex(List<VexStatement> statements, Map<String, Double> trust) {
    }

    /** VEX statements of the Ready sources, each with its source's trust as weight and its vendor as issuer when set. */
    public Vex vex(List<VexSource> sources) throws IOException {
        TreeMap<String, String> revisions = ready(sources, Sources::vexKey);
        String cacheKey = revisions.toString();
        Vex cached = vexCache.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        List<VexStatement> all = new ArrayList<>();
        for (VexSource s : sources) {
            if (!revisions.containsKey(vexKey(s))) {
                continue;
            }
            double weight = s.getSpec().trust == null ? 1.0 : s.getSpec().trust;
            for (var d : Json.mapper().readTree(stored(id(s))).path("documents")) {
                for (VexStatement st : VexParser.parse(Base64.getDecoder().decode(d.path("content").asText()), d.path("name").asText())) {
                    all.add(st.fromSource(weight, s.getSpec().vendor));
                }
            }
        }
        Vex vex = new Vex(List.copyOf(all), Map.of());
        if (vexCache.size() > 8) {
            vexCache.clear();
        }
        vexCache.put(cacheKey, vex);
        return vex;
    }
}
