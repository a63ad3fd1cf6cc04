package org.stellaops.scanner.sbom;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.scanner.image.ImageConfig;
import org.stellaops.scanner.trace.ComposedFs;
import org.stellaops.scanner.trace.EntrypointTracer;
import org.stellaops.scanner.trace.UsageTrace;

/**
 * Runs the entrypoint trace on the composed filesystem and marks each component {@value #USED} true or false, with the
 * chain that reaches its first reached file ({@value #CHAIN}). A component is used when the trace reaches a file it
 * owns: an OS package's listed file, the file a language or binary component was found in (for nested jars, the
 * outermost jar), an npm package's directory, a Python distribution's top-level module of the same name.
 */
public final class UsageView {
    public static final String USED = org.stellaops.core.decider.SbomComponents.USED;
    public static final String CHAIN = org.stellaops.core.decider.SbomComponents.CHAIN;
    private static final Pattern MERGED_USR = Pattern.compile("(bin|sbin|lib|lib32|lib64|libx32)/");

    private UsageView() {
    }

    static ImageInventory apply(ImageInventory inv, List<LayerFragment> fragments) {
        ImageConfig cfg = inv.image().config();
        UsageTrace trace;
        try {
            trace = EntrypointTracer.trace(new ComposedFs(fragments), new EntrypointTracer.Process(cfg.entrypoint(),
                    cfg.cmd(), cfg.env(), cfg.workingDir(), cfg.user()));
        } catch (RuntimeException e) {
            // the scan never fails because of the trace
            trace = UsageTrace.none("unresolvable", List.of(), "trace failed: " + e.getClass().getSimpleName());
        }
        if (!"traced".equals(trace.status())) {
            return new ImageInventory(inv.image(), inv.os(), inv.components(), inv.warnings(), inv.view(), trace);
        }
        Map<String, UsageTrace.Reached> byPath = trace.byPath();
        List<Component> out = new ArrayList<>(inv.components().size());
        for (Component c : inv.components()) {
            String hit = reachedFile(c, byPath.keySet());
            TreeMap<String, String> props = new TreeMap<>(c.properties());
            props.put(USED, Boolean.toString(hit != null));
            if (hit != null) {
                props.put(CHAIN, trace.chain(hit, byPath));
            }
            out.add(new Component(c.bomRef(), c.purl(), c.type(), c.namespace(), c.name(), c.version(), c.licenses(),
                    c.layerIndex(), c.layerDigest(), c.diffId(), c.evidencePath(), c.analyzer(), c.confidence(), props,
                    c.files()));
        }
        return new ImageInventory(inv.image(), inv.os(), out, inv.warnings(), inv.view(), trace);
    }

    /** The reached file (the first in path order) that the component owns, or null. */
    static String reachedFile(Component c, Set<String> reached) {
        String best = null;
        for (String f : c.files()) {
            String alt = MERGED_USR.matcher(f).lookingAt() ? "usr/" + f : null;
            if (reached.contains(f)) {
                best = earlier(best, f);
            } else if (alt != null && reached.contains(alt)) {
                best = earlier(best, alt);
            }
        }
        if (best != null) {
            return best;
        }
        String outer = Composer.outerPath(c.evidencePath());
        if (reached.contains(outer)) {
            return outer;
        }
        if ("pypi".equals(c.type()) && (c.evidencePath().contains(".dist-info/") || c.evidencePath().contains(".egg-info"))) {
            String site = c.evidencePath().replaceFirst("/[^/]+\\.(dist|egg)-info(/.*)?$", "");
            String mod = c.name().toLowerCase(Locale.ROOT).replace('-', '_');
            String file = site + "/" + mod + ".py";
            String pkg = site + "/" + mod + "/";
            String first = null;
            for (String r : reached) {
                if (r.equals(file) || r.startsWith(pkg)) {
                    first = earlier(first, r);
                }
            }
            return first;
        }
        return null;
    }

    private static String earlier(String a, String b) {
        return a == null || b.compareTo(a) < 0 ? b : a;
    }
}
