package io.longseq.math.kernel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A small least-recently-used cache of native resources (views and bound ND4J products per chunk
 * geometry): what it evicts it closes, so a stream whose sequences all end with chunks of different
 * lengths cannot pile up native op contexts.
 */
final class BoundedCache<K, V extends AutoCloseable> {

    private final int capacity;
    private final Map<K, V> map;

    BoundedCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(2 * capacity, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                if (size() > BoundedCache.this.capacity) {
                    closeQuietly(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    V get(K key, Function<K, V> create) {
        return map.computeIfAbsent(key, create);
    }

    int size() {
        return map.size();
    }

    /** Closes and forgets every entry. */
    void clear() {
        map.values().forEach(BoundedCache::closeQuietly);
        map.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing a cached ND4J resource failed", e);
        }
    }
}
