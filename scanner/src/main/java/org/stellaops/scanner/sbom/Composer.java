package org.stellaops.scanner.sbom;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.stellaops.core.model.FileList;
import org.stellaops.core.model.FileRecord;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.core.model.OsRelease;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.image.ResolvedImage;

/**
 * Composes layer fragments bottom to top into the final filesystem's inventory. A path belongs to the highest layer
 * that defines it unless a whiteout, an opaque directory or a replaced parent above removes it; a package survives when
 * its evidence file does, and is attributed to the lowest layer where the same package appears at the same path.
 * OS packages get their distro namespace and qualifier here; language and binary components whose file an OS package
 * owns are marked (language) or dropped (binary classifier guesses), never reported twice.
 */
public final class Composer {

    private static final java.util.regex.Pattern MERGED_USR = java.util.regex.Pattern.compile("(bin|sbin|lib|lib32|lib64|libx32)/");

    private record LayerIndex(Map<String, FileRecord> files, Set<String> whiteouts, Set<String> opaque) {
    }

    public ImageInventory compose(ResolvedImage image, List<LayerFragment> fragments) {
        List<LayerIndex> idx = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (LayerFragment f : fragments) {
            Map<String, FileRecord> files = new HashMap<>(f.files().size() * 2);
            f.files().forEach(r -> files.put(r.path(), r));
            idx.add(new LayerIndex(files, new HashSet<>(f.whiteouts()), new HashSet<>(f.opaqueDirs())));
            warnings.addAll(f.warnings());
        }
        OsRelease os = osRelease(fragments, idx);
        Map<String, List<String>> fileLists = new HashMap<>();
        for (int i = 0; i < fragments.size(); i++) {
            for (FileList fl : fragments.get(i).fileLists()) {
                if (owner(idx, fl.evidencePath()) == i) {
                    fileLists.put(fl.key(), fl.files());
                }
            }
        }
        Map<String, Integer> firstLayer = new HashMap<>();
        for (int i = 0; i < fragments.size(); i++) {
            for (PackageRecord p : fragments.get(i).packages()) {
                firstLayer.putIfAbsent(identity(p), i);
            }
        }
        List<PackageRecord> survivors = new ArrayList<>();
        List<Integer> survivorLayer = new ArrayList<>();
        for (int i = 0; i < fragments.size(); i++) {
            Map<String, Integer> ownerCache = new HashMap<>();
            for (PackageRecord p : fragments.get(i).packages()) {
                String outer = outerPath(p.evidencePath());
                int owner = ownerCache.computeIfAbsent(outer, o -> owner(idx, o));
                if (owner == i) {
                    survivors.add(p);
                    survivorLayer.add(firstLayer.get(identity(p)));
                }
            }
        }
        // OS packages first: their purls and the files they own.
        Map<String, String> ownedBy = new HashMap<>();
        List<Component> components = new ArrayList<>();
        List<Integer> pending = new ArrayList<>();
        for (int k = 0; k < survivors.size(); k++) {
            PackageRecord p = survivors.get(k);
            if (!p.isOsPackage()) {
                pending.add(k);
                continue;
            }
            Component c = component(p, survivorLayer.get(k), fragments, os, fileLists, warnings, null);
            if (c == null) {
                continue;
            }
            components.add(c);
            for (String f : c.files()) {
                ownedBy.putIfAbsent(f, c.purl());
                if (MERGED_USR.matcher(f).lookingAt()) {
                    ownedBy.putIfAbsent("usr/" + f, c.purl()); // merged /usr: /lib, /bin, /sbin are links into /usr
                }
            }
        }
        for (int k : pending) {
            PackageRecord p = survivors.get(k);
            String owner = ownedBy.get(outerPath(p.evidencePath()));
            if (owner != null && "binary".equals(p.analyzer())) {
                continue; // the OS package is the better identity of this file
            }
            Component c = component(p, survivorLayer.get(k), fragments, os, fileLists, warnings, owner);
            if (c != null) {
                components.add(c);
            }
        }
        components.sort(Comparator.comparing(Component::purl).thenComparing(Component::evidencePath));
        return UsageView.apply(new ImageInventory(image, os, assignBomRefs(components), warnings), fragments);
    }

    private static Component component(PackageRecord p, int layer, List<LayerFragment> fragments, OsRelease os,
                                       Map<String, List<String>> fileLists, List<String> warnings, String ownedBy) {
        String namespace = p.namespace();
        TreeMap<String, String> q = new TreeMap<>(p.qualifiers());
        if (p.isOsPackage()) {
            namespace = os != null && os.id() != null ? os.id() : switch (p.type()) {
                case "deb" -> "debian";
                case "apk" -> "alpine";
                default -> null;
            };
            if (os != null && os.distroQualifier() != null) {
                q.put("distro", os.distroQualifier());
            }
        }
        String purl;
        try {
            purl = Purls.of(p.type(), namespace, p.name(), p.version(), q);
        } catch (IllegalArgumentException e) {
            warnings.add(p.evidencePath() + ": " + e.getMessage());
            return null;
        }
        TreeMap<String, String> props = new TreeMap<>(p.properties());
        String listKey = props.remove("stella:package:fileListKey");
        if (ownedBy != null) {
            props.put("stella:ownedBy", ownedBy);
        }
        List<String> files = p.files();
        if (listKey != null && fileLists.containsKey(listKey)) {
            files = fileLists.get(listKey);
        }
        LayerFragment f = fragments.get(layer);
        return new Component(null, purl, p.type(), namespace, p.name(), p.version(), p.licenses(), layer, f.layerDigest(),
                f.diffId(), p.evidencePath(), p.analyzer(), p.confidence(), props, files);
    }

    private static List<Component> assignBomRefs(List<Component> sorted) {
        Map<String, Integer> count = new HashMap<>();
        sorted.forEach(c -> count.merge(c.purl(), 1, Integer::sum));
        List<Component> out = new ArrayList<>(sorted.size());
        Set<String> used = new HashSet<>();
        for (Component c : sorted) {
            String ref = count.get(c.purl()) == 1 ? c.purl() : c.purl() + "#" + shortHash(c.evidencePath());
            int n = 2;
            String base = ref;
            while (!used.add(ref)) {
                ref = base + "-" + n++;
            }
            out.add(new Component(ref, c.purl(), c.type(), c.namespace(), c.name(), c.version(), c.licenses(),
                    c.layerIndex(), c.layerDigest(), c.diffId(), c.evidencePath(), c.analyzer(), c.confidence(),
                    c.properties(), c.files()));
        }
        return out;
    }

    static String shortHash(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OsRelease osRelease(List<LayerFragment> fragments, List<LayerIndex> idx) {
        OsRelease etc = null;
        OsRelease lib = null;
        for (int i = 0; i < fragments.size(); i++) {
            for (OsRelease r : fragments.get(i).osReleases()) {
                if (owner(idx, r.evidencePath()) == i) {
                    if (r.evidencePath().startsWith("etc/")) {
                        etc = r;
                    } else {
                        lib = r;
                    }
                }
            }
        }
        return etc != null ? etc : lib;
    }

    private static String identity(PackageRecord p) {
        return p.type() + '\u0000' + p.namespace() + '\u0000' + p.name() + '\u0000' + p.version() + '\u0000'
                + p.qualifiers() + '\u0000' + p.evidencePath();
    }

    /** The path of the file in the filesystem (the outermost archive for nested evidence). */
    static String outerPath(String evidencePath) {
        int bang = evidencePath.indexOf("!/");
        return bang >= 0 ? evidencePath.substring(0, bang) : evidencePath;
    }

    /** Index of the layer whose version of the path is visible in the final filesystem, or -1 when it is absent. */
    private static int owner(List<LayerIndex> idx, String path) {
        for (int i = idx.size() - 1; i >= 0; i--) {
            LayerIndex l = idx.get(i);
            FileRecord r = l.files().get(path);
            if (r != null) {
                return i;
            }
            for (String parent = parent(path); parent != null; parent = parent(parent)) {
                if (l.whiteouts().contains(parent) || l.opaque().contains(parent)) {
                    return -1;
                }
                FileRecord pr = l.files().get(parent);
                if (pr != null && !pr.isDirectory() && !"l".equals(pr.kind())) {
                    return -1; // a parent directory replaced by a file
                }
            }
            if (l.whiteouts().contains(path)) {
                return -1;
            }
        }
        return -1;
    }

    private static String parent(String path) {
        int s = path.lastIndexOf('/');
        return s > 0 ? path.substring(0, s) : null;
    }
}
