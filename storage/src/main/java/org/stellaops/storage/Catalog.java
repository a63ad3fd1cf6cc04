package org.stellaops.storage;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The catalog (MongoDB Java driver): {@code layers} (analysis state, lease and failed attempts per layer digest and
 * analyzer version), {@code images},
 * {@code verdicts} (image digest + policy digest → verdict: what the admission webhook reads), {@code sources}
 * (AdvisoryFeed and VexSource revisions) and {@code advisories} (an index of the advisories of each feed revision).
 */
public final class Catalog implements AutoCloseable {
    public enum LayerState { pending, running, done, failed }

    public record Layer(String digest, LayerState state, String fragmentKey, String analyzerVersion, String leaseHolder,
                        Instant leaseExpiry, Instant leasedAt, int attempts, Instant lastFailure, String error) {
    }

    public record Verdict(String imageDigest, String policyDigest, String verdict, String reportKey, String reportSha256,
                          String advisoryRevision, String vexRevision, Instant decidedAt) {
    }

    public record Source(String id, String kind, String revision, String objectKey, int count, Instant lastSync, String etag,
                         String lastModified) {
    }

    private final MongoClient client;
    private final MongoDatabase db;
    private final String uri;

    public Catalog(String uri, String database) {
        this.uri = redact(uri);
        this.client = MongoClients.create(com.mongodb.MongoClientSettings.builder()
                .applyConnectionString(new com.mongodb.ConnectionString(uri))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(5, TimeUnit.SECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS).readTimeout(30, TimeUnit.SECONDS))
                .build());
        this.db = client.getDatabase(database);
    }

    private MongoCollection<Document> layers() {
        return db.getCollection("layers");
    }

    /** Indexes the queries need; idempotent, run at start. */
    public void ensureIndexes() throws StorageException {
        call("create indexes", () -> {
            layers().createIndex(Indexes.ascending("state"));
            db.getCollection("verdicts").createIndex(Indexes.ascending("imageDigest"));
            db.getCollection("advisories").createIndex(Indexes.ascending("source", "revision"));
            db.getCollection("advisories").createIndex(Indexes.ascending("packages"));
            return null;
        });
    }

    public void ping() throws StorageException {
        call("ping", () -> db.runCommand(new Document("ping", 1)));
    }

    /** The catalog document of a layer analyzed (or to be analyzed) by one analyzer version. */
    private static String layerId(String digest, String analyzerVersion) {
        return digest + "|" + analyzerVersion;
    }

    /**
     * Takes the analysis lease of a layer for one analyzer version (the state of each version is its own document, so a
     * layer done under an older analyzer version is leased again for the new one) for {@code holder} (a worker Job's
     * name) unless the layer is done for this version or another holder's lease is still valid. Taking it again as
     * the same holder extends it (idempotent reconciles). {@code leasedAt} records when the lease was taken.
     */
    public boolean tryLease(String digest, String analyzerVersion, String holder, Duration ttl, Instant now) throws StorageException {
        return call("lease " + digest, () -> {
            // _id at the top level of the filter (not inside $and): an upsert must insert the document under this _id
            Bson filter = new Document("_id", layerId(digest, analyzerVersion)).append("state", new Document("$ne", LayerState.done.name()))
                    .append("$or", List.of(new Document("leaseExpiry", new Document("$lt", Date.from(now))),
                            new Document("leaseHolder", holder), new Document("leaseHolder", null)));
            try {
                Document d = layers().findOneAndUpdate(filter, Updates.combine(Updates.set("digest", digest),
                                Updates.set("analyzerVersion", analyzerVersion),
                                Updates.set("leaseHolder", holder), Updates.set("leaseExpiry", Date.from(now.plus(ttl))),
                                Updates.set("leasedAt", Date.from(now)),
                                Updates.set("state", LayerState.running.name()), Updates.set("updatedAt", Date.from(now))),
                        new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
                return d != null && holder.equals(d.getString("leaseHolder"));
            } catch (MongoWriteException e) {
                if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                    return false; // the layer exists and is done or leased by someone else
                }
                throw e;
            } catch (MongoException e) {
                if (e.getCode() == 11000) {
                    return false;
                }
                throw e;
            }
        });
    }

    /**
     * Gives the lease back without counting a failure (its Job is gone: deleted with its scan, or never created); only
     * while {@code holder} still holds it. Another holder may take it at once.
     */
    public boolean releaseLease(String digest, String analyzerVersion, String holder, Instant now) throws StorageException {
        return call("release lease " + digest, () -> layers().updateOne(Filters.and(
                        Filters.eq("_id", layerId(digest, analyzerVersion)), Filters.eq("state", LayerState.running.name()),
                        Filters.eq("leaseHolder", holder)),
                Updates.combine(Updates.set("state", LayerState.pending.name()), Updates.unset("leaseHolder"),
                        Updates.set("leaseExpiry", Date.from(now)), Updates.set("lastHolder", holder),
                        Updates.set("updatedAt", Date.from(now))))
                .getModifiedCount() > 0);
    }

    /**
     * A worker failed: the lease is released and the failure counted — once per holder (the lease must still be
     * this holder's), so seeing the same failed Job again changes nothing.
     */
    public boolean markFailed(String digest, String analyzerVersion, String holder, String error, Instant now) throws StorageException {
        return call("mark failed " + digest, () -> layers().updateOne(Filters.and(Filters.eq("_id", layerId(digest, analyzerVersion)),
                        Filters.ne("state", LayerState.done.name()), Filters.eq("leaseHolder", holder)),
                Updates.combine(Updates.set("state", LayerState.failed.name()), Updates.set("error", error),
                        Updates.inc("attempts", 1), Updates.set("leaseExpiry", Date.from(now)), Updates.set("lastFailure", Date.from(now)),
                        Updates.set("lastHolder", holder), Updates.unset("leaseHolder"), Updates.set("updatedAt", Date.from(now))))
                .getModifiedCount() > 0);
    }

    /**
     * The operator checked the worker's fragment: the layer is done for this analyzer version (a rerun sets the same
     * values). Attempts and the last error are cleared.
     */
    public void markDone(String digest, String analyzerVersion, String fragmentKey, Instant now) throws StorageException {
        call("mark done " + digest, () -> layers().updateOne(Filters.eq("_id", layerId(digest, analyzerVersion)), Updates.combine(
                        Updates.set("digest", digest), Updates.set("analyzerVersion", analyzerVersion),
                        Updates.set("state", LayerState.done.name()), Updates.set("fragmentKey", fragmentKey),
                        Updates.unset("leaseHolder"), Updates.set("attempts", 0), Updates.unset("error"),
                        Updates.set("updatedAt", Date.from(now))),
                new com.mongodb.client.model.UpdateOptions().upsert(true)));
    }

    public Optional<Layer> layer(String digest, String analyzerVersion) throws StorageException {
        return call("read layer " + digest, () -> Optional.ofNullable(layers().find(Filters.eq("_id", layerId(digest, analyzerVersion)))
                .first()).map(Catalog::toLayer));
    }

    /**
     * The layer's state after forgetting failures older than {@code coolDown}: failed attempts count towards the limit
     * only while the last failure is recent, so transient failures (a registry or storage outage) do not fail the layer
     * for every future scan; a layer failing again within the cool-down keeps counting.
     */
    public Optional<Layer> layer(String digest, String analyzerVersion, Duration coolDown, Instant now) throws StorageException {
        call("decay attempts " + digest, () -> layers().updateOne(Filters.and(Filters.eq("_id", layerId(digest, analyzerVersion)),
                Filters.gt("attempts", 0), Filters.lt("lastFailure", Date.from(now.minus(coolDown)))),
                Updates.combine(Updates.set("attempts", 0), Updates.set("updatedAt", Date.from(now)))));
        return layer(digest, analyzerVersion);
    }

    /** The digests (of those given) that are not analyzed for this analyzer version, in the given order. */
    public List<String> missing(Collection<String> digests, String analyzerVersion) throws StorageException {
        Set<String> asked = new LinkedHashSet<>(digests);
        return call("missing layers", () -> {
            Set<String> done = new java.util.HashSet<>();
            List<String> ids = asked.stream().map(d -> layerId(d, analyzerVersion)).toList();
            for (Document d : layers().find(Filters.and(Filters.in("_id", ids), Filters.eq("state", LayerState.done.name())))
                    .projection(Projections.include("digest"))) {
                done.add(d.getString("digest"));
            }
            List<String> out = new ArrayList<>();
            for (String a : asked) {
                if (!done.contains(a)) {
                    out.add(a);
                }
            }
            return out;
        });
    }

    public void putImage(String imageDigest, String name, List<String> layerDigests, Map<String, String> sbomKeys, int components,
                         Instant now) throws StorageException {
        Document d = new Document("_id", imageDigest).append("name", name).append("layers", layerDigests)
                .append("sbom", new Document(sbomKeys)).append("components", components).append("updatedAt", Date.from(now));
        call("put image " + imageDigest, () -> db.getCollection("images").replaceOne(Filters.eq("_id", imageDigest), d,
                new ReplaceOptions().upsert(true)));
    }

    public void putVerdict(Verdict v) throws StorageException {
        Document d = new Document("_id", v.imageDigest() + "|" + v.policyDigest()).append("imageDigest", v.imageDigest())
                .append("policyDigest", v.policyDigest()).append("verdict", v.verdict()).append("reportKey", v.reportKey())
                .append("reportSha256", v.reportSha256()).append("advisoryRevision", v.advisoryRevision())
                .append("vexRevision", v.vexRevision()).append("decidedAt", Date.from(v.decidedAt()));
        call("put verdict " + v.imageDigest(), () -> db.getCollection("verdicts").replaceOne(Filters.eq("_id", d.get("_id")), d,
                new ReplaceOptions().upsert(true)));
    }

    public Optional<Verdict> verdict(String imageDigest, String policyDigest) throws StorageException {
        return call("read verdict " + imageDigest, () -> Optional.ofNullable(db.getCollection("verdicts")
                .find(Filters.eq("_id", imageDigest + "|" + policyDigest)).first()).map(d -> new Verdict(d.getString("imageDigest"),
                d.getString("policyDigest"), d.getString("verdict"), d.getString("reportKey"), d.getString("reportSha256"),
                d.getString("advisoryRevision"), d.getString("vexRevision"), d.getDate("decidedAt").toInstant())));
    }

    public void putSource(Source s) throws StorageException {
        Document d = new Document("_id", s.id()).append("kind", s.kind()).append("revision", s.revision())
                .append("objectKey", s.objectKey()).append("count", s.count())
                .append("lastSync", s.lastSync() == null ? null : Date.from(s.lastSync())).append("etag", s.etag())
                .append("lastModified", s.lastModified());
        call("put source " + s.id(), () -> db.getCollection("sources").replaceOne(Filters.eq("_id", s.id()), d,
                new ReplaceOptions().upsert(true)));
    }

    public Optional<Source> source(String id) throws StorageException {
        return call("read source " + id, () -> Optional.ofNullable(db.getCollection("sources").find(Filters.eq("_id", id)).first())
                .map(d -> new Source(d.getString("_id"), d.getString("kind"), d.getString("revision"), d.getString("objectKey"),
                        d.getInteger("count", 0), d.getDate("lastSync") == null ? null : d.getDate("lastSync").toInstant(),
                        d.getString("etag"), d.getString("lastModified"))));
    }

    /** Replaces the advisory index of a source with the given revision's entries (id, aliases, affected packages). */
    public void putAdvisoryIndex(String source, String revision, List<Document> entries) throws StorageException {
        call("index advisories of " + source, () -> {
            MongoCollection<Document> c = db.getCollection("advisories");
            if (c.countDocuments(Filters.and(Filters.eq("source", source), Filters.eq("revision", revision))) == entries.size()
                    && !entries.isEmpty()) {
                return null; // this revision is already indexed (a rerun after a restart)
            }
            c.deleteMany(Filters.eq("source", source));
            List<Document> docs = new ArrayList<>(entries.size());
            for (Document e : entries) {
                docs.add(new Document(e).append("source", source).append("revision", revision));
            }
            for (int i = 0; i < docs.size(); i += 1000) {
                c.insertMany(docs.subList(i, Math.min(docs.size(), i + 1000)));
            }
            return null;
        });
    }

    public long countAdvisories(String source) throws StorageException {
        return call("count advisories", () -> db.getCollection("advisories").countDocuments(Filters.eq("source", source)));
    }

    /** What one batch of runtime events did: newly stored, and already stored (same eventId: a resent batch). */
    public record RuntimeIngest(int accepted, int duplicates) {
    }

    /**
     * Indexes of {@code runtime_events}: the lookups of the runtime views (by image digest and time, by pod) and, where
     * the server has TTL indexes, one on {@code receivedAt} (events expire {@code ttl} after they were received; an
     * index with another TTL is replaced, so the setting can change). Returns whether the TTL index exists: FerretDB
     * 1.x answers NotImplemented for {@code expireAfterSeconds}, and then only {@link #expireRuntimeEvents} removes
     * old events — the operator calls it periodically in either case. Idempotent.
     */
    public boolean ensureRuntimeEventIndexes(Duration ttl) throws StorageException {
        return call("create runtime event indexes", () -> {
            MongoCollection<Document> c = db.getCollection("runtime_events");
            c.createIndex(Indexes.ascending("receivedAt"));
            c.createIndex(Indexes.ascending("image.digest", "time"));
            c.createIndex(Indexes.ascending("pod.namespace", "pod.name"));
            for (Document ix : c.listIndexes()) {
                Object expire = ix.get("expireAfterSeconds");
                if ("receivedAt_ttl".equals(ix.getString("name")) && expire instanceof Number n && n.longValue() != ttl.toSeconds()) {
                    c.dropIndex("receivedAt_ttl");
                }
            }
            try {
                c.createIndex(Indexes.descending("receivedAt"), new com.mongodb.client.model.IndexOptions()
                        .name("receivedAt_ttl").expireAfter(ttl.toSeconds(), TimeUnit.SECONDS));
                return true;
            } catch (MongoException e) {
                if (e.getCode() == 238) { // NotImplemented
                    return false;
                }
                throw e;
            }
        });
    }

    /** Removes the runtime events received more than {@code ttl} before {@code now}; returns how many. */
    public long expireRuntimeEvents(Duration ttl, Instant now) throws StorageException {
        return call("expire runtime events", () -> db.getCollection("runtime_events")
                .deleteMany(Filters.lt("receivedAt", Date.from(now.minus(ttl)))).getDeletedCount());
    }

    /**
     * Stores runtime events (each a parsed {@code stella.runtime.event@v1} with its {@code eventId}) under
     * {@code _id = eventId}, stamped with {@code receivedAt}. Unordered: an event already stored is counted as a
     * duplicate and the others are stored all the same, so a resent batch is idempotent.
     */
    public RuntimeIngest putRuntimeEvents(List<Document> events, Instant receivedAt) throws StorageException {
        if (events.isEmpty()) {
            return new RuntimeIngest(0, 0);
        }
        List<Document> docs = new ArrayList<>(events.size());
        for (Document e : events) {
            Document d = new Document("_id", e.getString("eventId"));
            d.putAll(e);
            d.put("receivedAt", Date.from(receivedAt));
            docs.add(d);
        }
        return call("store " + docs.size() + " runtime events", () -> {
            try {
                db.getCollection("runtime_events").insertMany(docs, new com.mongodb.client.model.InsertManyOptions().ordered(false));
                return new RuntimeIngest(docs.size(), 0);
            } catch (com.mongodb.MongoBulkWriteException e) {
                int dup = 0;
                for (var err : e.getWriteErrors()) {
                    if (ErrorCategory.fromErrorCode(err.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                        throw e;
                    }
                    dup++;
                }
                return new RuntimeIngest(docs.size() - dup, dup);
            }
        });
    }

    /** The stored runtime events of one image (by repository digest), oldest first. */
    public List<Document> runtimeEventsOfImage(String imageDigest) throws StorageException {
        return call("read runtime events of " + imageDigest, () -> db.getCollection("runtime_events")
                .find(Filters.eq("image.digest", imageDigest)).sort(Indexes.ascending("time", "_id"))
                .into(new ArrayList<>()));
    }

    private static Layer toLayer(Document d) {
        return new Layer(d.getString("digest"), LayerState.valueOf(d.getString("state")), d.getString("fragmentKey"),
                d.getString("analyzerVersion"), d.getString("leaseHolder"), instant(d, "leaseExpiry"), instant(d, "leasedAt"),
                d.getInteger("attempts", 0), instant(d, "lastFailure"), d.getString("error"));
    }

    private static Instant instant(Document d, String field) {
        Date v = d.getDate(field);
        return v == null ? null : v.toInstant();
    }

    interface Call<T> {
        T run();
    }

    private <T> T call(String what, Call<T> c) throws StorageException {
        try {
            return c.run();
        } catch (MongoTimeoutException | MongoSocketException e) {
            throw new StorageException("catalog " + uri + " unreachable (" + what + "): " + e.getMessage(), true, e);
        } catch (MongoSecurityException e) {
            throw new StorageException("catalog " + uri + " refused the credentials (" + what + ")", false, e);
        } catch (MongoException e) {
            throw new StorageException("catalog " + uri + " (" + what + "): " + e.getMessage(), false, e);
        }
    }

    private static String redact(String uri) {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }

    @Override
    public void close() {
        client.close();
    }
}
