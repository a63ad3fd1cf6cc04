package org.stellaops.operator.sources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;
import org.stellaops.core.advisories.Advisory;
import org.stellaops.core.advisories.FeedSet;
import org.stellaops.core.advisories.OfflineKit;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;
import org.stellaops.core.vex.VexFormatException;
import org.stellaops.core.vex.VexParser;
import org.stellaops.core.vex.VexStatement;
import org.stellaops.crds.v1alpha1.AdvisoryFeed;
import org.stellaops.crds.v1alpha1.Conditions;
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

    private final Map<String, Decider.Index> indexes = new ConcurrentHashMap<>();
    private final Path cache;

    public Sources() {
        try {
            cache = Files.createTempDirectory("stella-sources");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public record Synced(String revision, int count, List<String> diagnostics, String etag, String lastModified) {
    }

    public static String id(HasMetadata r) {
        return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
    }

    public Synced syncFeed(AdvisoryFeed feed) throws IOException {
        SourceDocuments.Loaded loaded = SourceDocuments.load(feed.getSpec().source, feed.getMetadata().getNamespace(), client,
                storage.objects(), cache.resolve("fetch"));
        FeedSet set = new FeedSet();
        for (SourceDocuments.Document d : loaded.documents()) {
            if (d.name().endsWith(".zip")) {
                Path tmp = Files.createTempFile(cache, "feed", ".zip");
                try {
                    Files.write(tmp, d.content());
                    set.load(tmp);
                } finally {
                    Files.deleteIfExists(tmp);
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
            throw new IOException("no advisories in the source" + (set.diagnostics().isEmpty() ? "" : ": " + set.diagnostics().get(0)));
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
        return new Synced(revision, set.advisories().size(), set.diagnostics(), loaded.etag(), loaded.lastModified());
    }

    public Synced syncVex(VexSource src) throws IOException {
        SourceDocuments.Loaded loaded = SourceDocuments.load(src.getSpec().source, src.getMetadata().getNamespace(), client,
                storage.objects(), cache.resolve("fetch"));
        List<String> diagnostics = new ArrayList<>();
        int statements = 0;
        ObjectNode bundle = Json.mapper().createObjectNode();
        ArrayNode docs = bundle.putArray("documents");
        for (SourceDocuments.Document d : loaded.documents()) {
            try {
                statements += VexParser.parse(d.content(), d.name()).size();
                docs.addObject().put("name", d.name()).put("content", Base64.getEncoder().encodeToString(d.content()));
            } catch (VexFormatException e) {
                diagnostics.add(e.getMessage());
            }
        }
        if (docs.isEmpty()) {
            throw new IOException("no readable VEX document" + (diagnostics.isEmpty() ? "" : ": " + diagnostics.get(0)));
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
        TreeMap<String, String> revisions = new TreeMap<>();
        for (AdvisoryFeed f : feeds) {
            if (f.getStatus() != null && f.getStatus().revision != null && Conditions.isTrue(f.getStatus().conditions, "Ready")) {
                revisions.put(id(f), f.getStatus().revision);
            }
        }
        String key = revisions.toString();
        Decider.Index cached = indexes.get(key);
        if (cached != null) {
            return cached;
        }
        FeedSet all = new FeedSet();
        for (Map.Entry<String, String> e : revisions.entrySet()) {
            Catalog.Source s = storage.catalog().source(e.getKey()).orElseThrow(() -> new IOException(e.getKey() + " is not in the catalog"));
            byte[] kit = storage.objects().get(s.objectKey()).orElseThrow(() -> new IOException("feed kit " + s.objectKey() + " is missing"));
            all.merge(OfflineKit.read(kit, s.objectKey()));
        }
        Decider.Index index = Decider.Index.of(all);
        if (indexes.size() > 8) {
            indexes.clear();
        }
        indexes.put(key, index);
        return index;
    }

    /** Revision of the advisory inputs: the feeds' revisions in order, digested. */
    public static String advisoryRevision(List<AdvisoryFeed> feeds) {
        TreeMap<String, String> revisions = new TreeMap<>();
        for (AdvisoryFeed f : feeds) {
            if (f.getStatus() != null && f.getStatus().revision != null && Conditions.isTrue(f.getStatus().conditions, "Ready")) {
                revisions.put(id(f), f.getStatus().revision);
            }
        }
        return Digests.sha256(revisions.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static String vexRevision(List<VexSource> sources) {
        TreeMap<String, String> revisions = new TreeMap<>();
        for (VexSource s : sources) {
            if (s.getStatus() != null && s.getStatus().revision != null && Conditions.isTrue(s.getStatus().conditions, "Ready")) {
                revisions.put(id(s) + "@" + s.getSpec().trust, s.getStatus().revision);
            }
        }
        return Digests.sha256(revisions.toString().getBytes(StandardCharsets.UTF_8));
    }

    public record Vex(List<VexStatement> statements, Map<String, Double> trust) {
    }

    /** VEX statements of the Ready sources, and the trust of their issuers (a source's trust applies to its issuers). */
    public Vex vex(List<VexSource> sources) throws IOException {
        List<VexStatement> all = new ArrayList<>();
        Map<String, Double> trust = new HashMap<>();
        for (VexSource s : sources) {
            if (s.getStatus() == null || s.getStatus().revision == null || !Conditions.isTrue(s.getStatus().conditions, "Ready")) {
                continue;
            }
            Catalog.Source c = storage.catalog().source(id(s)).orElseThrow(() -> new IOException(id(s) + " is not in the catalog"));
            byte[] bytes = storage.objects().get(c.objectKey()).orElseThrow(() -> new IOException("VEX " + c.objectKey() + " is missing"));
            for (var d : Json.mapper().readTree(bytes).path("documents")) {
                List<VexStatement> parsed = VexParser.parse(Base64.getDecoder().decode(d.path("content").asText()), d.path("name").asText());
                double weight = s.getSpec().trust == null ? 1.0 : s.getSpec().trust;
                for (VexStatement st : parsed) {
                    VexStatement x = s.getSpec().vendor == null ? st : new VexStatement(st.vulnerability(), st.aliases(), st.products(),
                            st.status(), st.justification(), st.impactStatement(), st.actionStatement(), st.timestamp(),
                            s.getSpec().vendor, st.document(), st.format());
                    all.add(x);
                    if (x.issuer() != null) {
                        trust.merge(x.issuer(), weight, Math::min);
                    }
                }
            }
        }
        return new Vex(all, trust);
    }
}
