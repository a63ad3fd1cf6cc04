package org.stellaops.core.advisories;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Merge by aliases: advisories that name each other (GHSA-j8r2-6x86-q33q = PYSEC-2023-74 = CVE-2023-32681) form one
 * vulnerability. The group's key is its CVE id when it has one, else its smallest id.
 */
public final class AliasGroups {
    private final Map<String, String> parent;
    private final Map<String, List<Advisory>> members;
    /**
     * Every id per group root, and the key per root, computed on first use and kept: lookups are O(1), not a scan of
     * all ids, and loading 300,000 advisories does not build 300,000 sorted sets up front. A group's ids are its
     * members' ids and aliases (every id enters the union-find as one or the other). Concurrent decisions share the
     * groups: the caches are concurrent and their values depend only on the data.
     */
    private final Map<String, TreeSet<String>> idsByRoot = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> keyByRoot = new java.util.concurrent.ConcurrentHashMap<>();

    public AliasGroups(Iterable<Advisory> advisories) {
        int size = advisories instanceof java.util.Collection<?> c ? c.size() : 16;
        parent = new HashMap<>(size * 4);
        members = new HashMap<>(size * 2);
        for (Advisory a : advisories) {
            find(a.id());
            for (String alias : a.aliases()) {
                union(a.id(), alias);
            }
        }
        for (String id : new ArrayList<>(parent.keySet())) {
            find(id); // every id points at its root from now on: lookups only read the map (decisions share it)
        }
        for (Advisory a : advisories) {
            members.computeIfAbsent(parent.get(a.id()), k -> new ArrayList<>(1)).add(a);
        }
    }

    private TreeSet<String> idsOfRoot(String root) {
        return idsByRoot.computeIfAbsent(root, r -> {
            TreeSet<String> ids = new TreeSet<>();
            ids.add(r);
            for (Advisory a : members.getOrDefault(r, List.of())) {
                ids.add(a.id());
                ids.addAll(a.aliases());
            }
            return ids;
        });
    }

    private String keyOfRoot(String root) {
        return keyByRoot.computeIfAbsent(root, r -> {
            TreeSet<String> ids = idsOfRoot(r);
            return ids.stream().filter(i -> i.startsWith("CVE-")).findFirst().orElse(ids.first());
        });
    }

    private String find(String id) {
        parent.putIfAbsent(id, id);
        String p = parent.get(id);
        if (!p.equals(id)) {
            p = find(p);
            parent.put(id, p);
        }
        return p;
    }

    private void union(String a, String b) {
        String ra = find(a);
        String rb = find(b);
        if (!ra.equals(rb)) {
            parent.put(ra.compareTo(rb) < 0 ? rb : ra, ra.compareTo(rb) < 0 ? ra : rb);
        }
    }

    /** Every id of the vulnerability that this id belongs to, sorted. */
    public TreeSet<String> ids(String id) {
        TreeSet<String> ids = parent.containsKey(id) ? idsOfRoot(parent.get(id)) : null;
        return ids == null ? new TreeSet<>(List.of(id)) : new TreeSet<>(ids);
    }

    /** The group key: the CVE id if the group has one, else its smallest id. */
    public String key(String id) {
        return parent.containsKey(id) ? keyOfRoot(parent.get(id)) : id;
    }

    /** Every advisory of the vulnerability (from every source). */
    public List<Advisory> advisories(String id) {
        return parent.containsKey(id) ? members.getOrDefault(parent.get(id), List.of()) : List.of();
    }

    /** All groups by key, deterministic order. */
    public Map<String, List<Advisory>> groups() {
        Map<String, List<Advisory>> out = new TreeMap<>();
        members.values().forEach(list -> out.put(key(list.get(0).id()), list));
        return out;
    }
}
