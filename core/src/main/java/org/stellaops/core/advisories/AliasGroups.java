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
        String root = find(id);
        TreeSet<String> out = new TreeSet<>();
        for (String k : parent.keySet()) {
            if (find(k).equals(root)) {
                out.add(k);
            }
        }
        return out;
    }

    /** The group key: the CVE id if the group has one, else its smallest id. */
    public String key(String id) {
        TreeSet<String> ids = ids(id);
        return ids.stream().filter(i -> i.startsWith("CVE-")).findFirst().orElse(ids.first());
    }

    /** Every advisory of the vulnerability (from every source). */
    public List<Advisory> advisories(String id) {
        return members.getOrDefault(find(id), List.of());
    }

    /** All groups by key, deterministic order. */
    public Map<String, List<Advisory>> groups() {
        Map<String, List<Advisory>> out = new TreeMap<>();
        members.values().forEach(list -> out.put(key(list.get(0).id()), list));
        return out;
    }
}
