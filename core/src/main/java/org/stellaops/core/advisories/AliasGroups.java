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
    private final Map<String, String> parent = new HashMap<>();
    private final Map<String, List<Advisory>> members = new HashMap<>();
    /** Every id per group root, and the key per root, computed once: lookups are O(1), not a scan of all ids. */
    private final Map<String, TreeSet<String>> idsByRoot = new HashMap<>();
    private final Map<String, String> keyByRoot = new HashMap<>();

    public AliasGroups(Iterable<Advisory> advisories) {
        for (Advisory a : advisories) {
            find(a.id());
            for (String alias : a.aliases()) {
                union(a.id(), alias);
            }
        }
        for (Advisory a : advisories) {
            members.computeIfAbsent(find(a.id()), k -> new ArrayList<>()).add(a);
        }
        for (String id : new ArrayList<>(parent.keySet())) {
            idsByRoot.computeIfAbsent(find(id), k -> new TreeSet<>()).add(id);
        }
        idsByRoot.forEach((root, ids) -> keyByRoot.put(root,
                ids.stream().filter(i -> i.startsWith("CVE-")).findFirst().orElse(ids.first())));
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
        TreeSet<String> ids = parent.containsKey(id) ? idsByRoot.get(find(id)) : null;
        return ids == null ? new TreeSet<>(List.of(id)) : new TreeSet<>(ids);
    }

    /** The group key: the CVE id if the group has one, else its smallest id. */
    public String key(String id) {
        return parent.containsKey(id) ? keyByRoot.get(find(id)) : id;
    }

    /** Every advisory of the vulnerability (from every source). */
    public List<Advisory> advisories(String id) {
        return parent.containsKey(id) ? members.getOrDefault(find(id), List.of()) : List.of();
    }

    /** All groups by key, deterministic order. */
    public Map<String, List<Advisory>> groups() {
        Map<String, List<Advisory>> out = new TreeMap<>();
        members.values().forEach(list -> out.put(key(list.get(0).id()), list));
        return out;
    }
}
