package org.stellaops.admission;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded LRU cache whose entries expire after a fixed time, with hit/miss counts for the metrics. Hand-written (40
 * lines): the admission module is shared with the CLI and stays free of a cache library for this one use.
 */
public final class TtlCache<K, V> {
    private record Entry<V>(V value, Instant expires) {
    }

    private final int maxSize;
    private final Duration ttl;
    private final Clock clock;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final LinkedHashMap<K, Entry<V>> map;

    public TtlCache(int maxSize, Duration ttl, Clock clock) {
        this.maxSize = maxSize;
        this.ttl = ttl;
        this.clock = clock;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
                return size() > TtlCache.this.maxSize;
            }
        };
    }

    public synchronized Optional<V> get(K key) {
        Entry<V> e = map.get(key);
        if (e == null || !e.expires().isAfter(clock.instant())) {
            if (e != null) {
                map.remove(key);
            }
            misses.incrementAndGet();
            return Optional.empty();
        }
        hits.incrementAndGet();
        return Optional.of(e.value());
    }

    public synchronized void put(K key, V value) {
        map.put(key, new Entry<>(value, clock.instant().plus(ttl)));
    }

    public synchronized int size() {
        return map.size();
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }
}
