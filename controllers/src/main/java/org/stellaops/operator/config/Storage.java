package org.stellaops.operator.config;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import org.stellaops.storage.Catalog;
import org.stellaops.storage.ObjectStore;
import org.stellaops.storage.StorageException;

/**
 * The object store and the catalog, created once. Bucket and indexes are ensured lazily and again after a failure, so
 * the operator starts (and reports "storage unavailable" in conditions) while MinIO or MongoDB is down, and recovers
 * when they return — no crash loop.
 */
@ApplicationScoped
public class Storage {
    private static final Logger LOG = Logger.getLogger(Storage.class);
    private final ObjectStore objects;
    private final Catalog catalog;
    private final AtomicBoolean prepared = new AtomicBoolean();

    @Inject
    public Storage(StellaConfig config) {
        this.objects = new ObjectStore(config.s3().endpoint(), config.s3().workerEndpoint().orElse(config.s3().endpoint()),
                config.s3().accessKey(), config.s3().secretKey(), config.s3().bucket());
        this.catalog = new Catalog(config.mongo().uri(), config.mongo().database());
    }

    /** The stores, with bucket and indexes ensured; throws while either server is unreachable. */
    public ObjectStore objects() throws StorageException {
        prepare();
        return objects;
    }

    public Catalog catalog() throws StorageException {
        prepare();
        return catalog;
    }

    private void prepare() throws StorageException {
        if (prepared.get()) {
            return;
        }
        objects.ensureBucket();
        catalog.ensureIndexes();
        prepared.set(true);
        LOG.info("storage ready: bucket and catalog indexes ensured");
    }

    /** Marks storage for re-preparation after an error (the bucket may have been lost with a reset server). */
    public void failed() {
        prepared.set(false);
    }

    /** Bucket and indexes at start; if storage is down now, the first use after it returns does it. */
    void start(@Observes io.quarkus.runtime.StartupEvent e) {
        try {
            prepare();
        } catch (StorageException ex) {
            LOG.warnf("storage not ready at start (%s); retried on use", ex.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent e) {
        catalog.close();
    }
}
