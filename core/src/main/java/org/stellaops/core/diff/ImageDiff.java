package org.stellaops.core.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.stellaops.core.decider.Decider;
import org.stellaops.core.json.Json;

/**
 * What changed from one image to another: layers shared, added and removed (by digest); components added, removed and
 * changed in version; with a decision on each side, the findings introduced and fixed and the verdict change.
 *
 * <p>A component's identity is its purl without version and qualifiers, except the {@code arch} qualifier (an
 * amd64 and an i386 build of a package are two components). The distro, epoch and upstream qualifiers follow the
 * version and are not identity. When one identity has one version on each side that differ, the component changed;
 * when it has several (two copies of a library in different places), the versions that are only on one side are
 * added or removed. A finding's identity is its vulnerability and its component's identity, so a finding that moves
 * with its package to a new version that is still affected is neither introduced nor fixed.
 *
 * <p>Inputs come from a fresh scan ({@code stella diff}) or from two stored scans (their SBOMs through
 * {@link org.stellaops.core.decider.SbomComponents#fromCycloneDx} and their reports through
 * {@link #decisionFromReport}); the output is deterministic JSON (sorted) from {@link Result#json()}.
 */
public final class ImageDiff {
    private ImageDiff() {
    }

    /** One image: its name and manifest digest, its layer digests in order, its components, and its decision or null. */
    public record Side(String name, String digest, List<String> layers, List<Decider.Component> components,
                       Decision decision) {
        public Side {
            layers = List.copyOf(layers);
            components = List.copyOf(components);
        }
    }

    /** A decision's verdict and findings. */
    public record Decision(String verdict, List<FindingRef> findings) {
        public Decision {
            findings = List.copyOf(findings);
        }
    }

    /** One finding: vulnerability, component purl, severity, the policy's verdict on it, and its fix state. */
    public record FindingRef(String vulnerability, String purl, String severity, String verdict, String fixState) {
    }

    /** A component on one side only. */
    public record ComponentRef(String purl, String version, String layer) {
    }

    /** A component whose version changed. */
    public record Change(String id, String from, String to, String fromPurl, String toPurl) {
    }

    /** The difference. Lists are sorted; {@code verdictFrom}/{@code verdictTo} are null without decisions. */
    public record Result(Side from, Side to, List<String> layersShared, List<String> layersAdded,
                         List<String> layersRemoved, List<ComponentRef> added, List<ComponentRef> removed,
                         List<Change> changed, int unchanged, List<FindingRef> introduced, List<FindingRef> fixed,
                         String verdictFrom, String verdictTo) {

        /** Whether the new image's verdict is fail. */
        public boolean failing() {
            return "fail".equals(verdictTo);
        }

        /** Deterministic JSON: sorted keys, sorted lists, no nulls. */
        public byte[] json() {
            ObjectNode root = Json.mapper().createObjectNode();
            root.put("schema", "https://stella-ops.org/diff/v1");
            root.set("from", image(from));
            root.set("to", image(to));
            ObjectNode layers = root.putObject("layers");
            strings(layers.putArray("shared"), layersShared);
            strings(layers.putArray("added"), layersAdded);
            strings(layers.putArray("removed"), layersRemoved);
            ObjectNode comps = root.putObject("components");
            refs(comps.putArray("added"), added);
            refs(comps.putArray("removed"), removed);
            ArrayNode ch = comps.putArray("changed");
            for (Change c : changed) {
                ch.addObject().put("id", c.id()).put("from", c.from()).put("to", c.to()).put("fromPurl", c.fromPurl())
                        .put("toPurl", c.toPurl());
            }
            comps.put("unchanged", unchanged);
            if (verdictFrom != null || verdictTo != null) {
                ObjectNode f = root.putObject("findings");
                findings(f.putArray("introduced"), introduced);
                findings(f.putArray("fixed"), fixed);
                ObjectNode v = root.putObject("verdict");
                v.put("from", verdictFrom).put("to", verdictTo).put("changed", !Objects.equals(verdictFrom, verdictTo));
            }
            return Json.writeSorted(root);
        }

        private static ObjectNode image(Side s) {
            ObjectNode o = Json.mapper().createObjectNode();
            o.put("name", s.name()).put("digest", s.digest()).put("layers", s.layers().size())
                    .put("components", s.components().size());
            return o;
        }

        private static void strings(ArrayNode a, List<String> values) {
            values.forEach(a::add);
        }

        private static void refs(ArrayNode a, List<ComponentRef> values) {
            for (ComponentRef r : values) {
                ObjectNode o = a.addObject().put("purl", r.purl());
                if (r.version() != null) {
                    o.put("version", r.version());
                }
                if (r.layer() != null) {
                    o.put("layer", r.layer());
                }
            }
        }

        private static void findings(ArrayNode a, List<FindingRef> values) {
            for (FindingRef f : values) {
                ObjectNode o = a.addObject().put("vulnerability", f.vulnerability()).put("purl", f.purl());
                if (f.severity() != null) {
                    o.put("severity", f.severity());
                }
                if (f.verdict() != null) {
                    o.put("verdict", f.verdict());
                }
                if (f.fixState() != null) {
                    o.put("fixState", f.fixState());
                }
            }
        }
    }

    /** The decision of a decider result. */
    public static Decision decision(Decider.Result r) {
        List<FindingRef> out = new ArrayList<>();
        for (Decider.Decided d : r.findings()) {
            out.add(new FindingRef(d.finding().vulnerability(), d.finding().purl(), d.verdict().severity(),
                    d.verdict().verdict(), d.finding().fixState()));
        }
        return new Decision(r.verdict(), out);
    }

    /** The decision a stored report (the decider's report JSON) records. */
    public static Decision decisionFromReport(byte[] report) throws IOException {
        JsonNode root = Json.mapper().readTree(report);
        List<FindingRef> out = new ArrayList<>();
        for (JsonNode f : root.path("findings")) {
            out.add(new FindingRef(f.path("vulnerability").asText(null), f.path("purl").asText(null),
                    f.path("severity").asText(null), f.path("verdict").asText(null), f.path("fixState").asText(null)));
        }
        return new Decision(root.path("verdict").asText(null), out);
    }

    /**
     * One side from a stored scan: its CycloneDX JSON SBOM as Stella Ops writes it (image name and manifest digest from
     * the metadata component, layers from its {@code stella:layer:N:digest} properties, components as the decider reads
     * them) and its decider report, or null when it was not decided.
     */
    public static Side sideFromStored(byte[] cyclonedxJson, byte[] report) throws IOException {
        JsonNode bom = Json.mapper().readTree(cyclonedxJson);
        JsonNode subject = bom.path("metadata").path("component");
        TreeMap<Integer, String> layers = new TreeMap<>();
        for (JsonNode p : subject.path("properties")) {
            java.util.regex.Matcher m = LAYER_PROPERTY.matcher(p.path("name").asText(""));
            if (m.matches()) {
                layers.put(Integer.parseInt(m.group(1)), p.path("value").asText());
            }
        }
        return new Side(subject.path("name").asText(null), subject.path("version").asText(null),
                new ArrayList<>(layers.values()), org.stellaops.core.decider.SbomComponents.fromCycloneDx(bom),
                report == null ? null : decisionFromReport(report));
    }

    private static final java.util.regex.Pattern LAYER_PROPERTY = java.util.regex.Pattern.compile("stella:layer:(\\d{1,6}):digest");

    public static Result diff(Side from, Side to) {
        Set<String> a = new LinkedHashSet<>(from.layers());
        Set<String> b = new LinkedHashSet<>(to.layers());
        List<String> shared = to.layers().stream().filter(a::contains).distinct().toList();
        List<String> layersAdded = to.layers().stream().filter(l -> !a.contains(l)).distinct().toList();
        List<String> layersRemoved = from.layers().stream().filter(l -> !b.contains(l)).distinct().toList();

        Map<String, Map<String, Decider.Component>> byIdA = index(from.components());
        Map<String, Map<String, Decider.Component>> byIdB = index(to.components());
        Set<String> ids = new java.util.TreeSet<>(byIdA.keySet());
        ids.addAll(byIdB.keySet());
        List<ComponentRef> added = new ArrayList<>();
        List<ComponentRef> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        int unchanged = 0;
        for (String id : ids) {
            Map<String, Decider.Component> va = byIdA.getOrDefault(id, Map.of());
            Map<String, Decider.Component> vb = byIdB.getOrDefault(id, Map.of());
            List<String> onlyA = va.keySet().stream().filter(v -> !vb.containsKey(v)).toList();
            List<String> onlyB = vb.keySet().stream().filter(v -> !va.containsKey(v)).toList();
            unchanged += (int) va.keySet().stream().filter(vb::containsKey).count();
            if (onlyA.size() == 1 && onlyB.size() == 1) {
                changed.add(new Change(id, display(onlyA.get(0)), display(onlyB.get(0)), va.get(onlyA.get(0)).purl(),
                        vb.get(onlyB.get(0)).purl()));
                continue;
            }
            onlyA.forEach(v -> removed.add(ref(va.get(v), v)));
            onlyB.forEach(v -> added.add(ref(vb.get(v), v)));
        }
        Comparator<ComponentRef> byPurl = Comparator.comparing(ComponentRef::purl)
                .thenComparing(r -> String.valueOf(r.layer()));
        added.sort(byPurl);
        removed.sort(byPurl);

        List<FindingRef> introduced = new ArrayList<>();
        List<FindingRef> fixed = new ArrayList<>();
        if (from.decision() != null && to.decision() != null) {
            Map<String, FindingRef> fa = findings(from.decision());
            Map<String, FindingRef> fb = findings(to.decision());
            fb.forEach((k, f) -> {
                if (!fa.containsKey(k)) {
                    introduced.add(f);
                }
            });
            fa.forEach((k, f) -> {
                if (!fb.containsKey(k)) {
                    fixed.add(f);
                }
            });
        }
        return new Result(from, to, shared, layersAdded, layersRemoved, List.copyOf(added), List.copyOf(removed),
                List.copyOf(changed), unchanged, List.copyOf(introduced), List.copyOf(fixed),
                from.decision() == null ? null : from.decision().verdict(),
                to.decision() == null ? null : to.decision().verdict());
    }

    /** Findings by vulnerability and component identity, in that order (one per key: the first in purl order). */
    private static Map<String, FindingRef> findings(Decision d) {
        List<FindingRef> sorted = new ArrayList<>(d.findings());
        sorted.sort(Comparator.comparing(FindingRef::vulnerability).thenComparing(FindingRef::purl));
        Map<String, FindingRef> out = new TreeMap<>();
        for (FindingRef f : sorted) {
            out.putIfAbsent(f.vulnerability() + "|" + identity(f.purl())[0], f);
        }
        return out;
    }

    /** Components by identity, then by version key (version, or version and place when a version occurs twice). */
    private static Map<String, Map<String, Decider.Component>> index(List<Decider.Component> components) {
        Map<String, Map<String, Decider.Component>> out = new TreeMap<>();
        List<Decider.Component> sorted = new ArrayList<>(components);
        sorted.sort(Comparator.comparing(Decider.Component::purl)
                .thenComparing(c -> String.valueOf(c.evidencePath())));
        for (Decider.Component c : sorted) {
            String[] id = identity(c.purl());
            Map<String, Decider.Component> versions = out.computeIfAbsent(id[0], k -> new TreeMap<>());
            String v = id[1];
            // the same version twice (two copies of one jar) counts as two: keyed by where it is
            String key = v;
            for (int n = 2; versions.containsKey(key); n++) {
                key = v + "\u0000" + n;
            }
            versions.put(key, c);
        }
        return out;
    }

    private static String display(String versionKey) {
        int z = versionKey.indexOf('\u0000');
        return z < 0 ? versionKey : versionKey.substring(0, z);
    }

    private static ComponentRef ref(Decider.Component c, String versionKey) {
        String v = display(versionKey);
        return new ComponentRef(c.purl(), v.isEmpty() ? null : v, c.layerDigest());
    }

    /** {identity, version}: type/namespace/name plus arch; version with the rpm epoch (epoch:version). */
    static String[] identity(String purl) {
        try {
            PackageURL p = new PackageURL(purl);
            Map<String, String> q = p.getQualifiers() == null ? Map.of() : p.getQualifiers();
            StringBuilder id = new StringBuilder("pkg:").append(p.getType()).append('/');
            if (p.getNamespace() != null) {
                id.append(p.getNamespace()).append('/');
            }
            id.append(p.getName());
            if (q.containsKey("arch")) {
                id.append("?arch=").append(q.get("arch"));
            }
            String v = p.getVersion() == null ? "" : p.getVersion();
            if (q.containsKey("epoch") && !v.isEmpty()) {
                v = q.get("epoch") + ":" + v;
            }
            return new String[] {id.toString(), v};
        } catch (MalformedPackageURLException e) {
            return new String[] {purl, ""}; // not a purl: the whole string is its identity
        }
    }
}
