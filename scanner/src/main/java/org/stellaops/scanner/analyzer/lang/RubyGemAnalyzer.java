package org.stellaops.scanner.analyzer.lang;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * Installed gems: {@code specifications/*.gemspec}. These files are Ruby code that RubyGems generates in a fixed shape
 * ({@code s.name = "rack".freeze}); they are read by pattern, never evaluated.
 */
public final class RubyGemAnalyzer implements Analyzer {
    private static final Pattern NAME = Pattern.compile("\\.name\\s*=\\s*[\"']([^\"']+)[\"']");
    private static final Pattern VERSION = Pattern.compile("\\.version\\s*=\\s*(?:Gem::Version\\.new\\()?[\"']([^\"']+)[\"']");
    private static final Pattern LICENSES = Pattern.compile("\\.licenses?\\s*=\\s*(\\[[^\\]]*\\]|[\"'][^\"']+[\"'])");
    private static final Pattern QUOTED = Pattern.compile("[\"']([^\"']+)[\"']");

    @Override
    public String name() {
        return "gem";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        return path.endsWith(".gemspec") && path.contains("specifications/") && size < 1024 * 1024;
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        String text = file.text();
        Matcher n = NAME.matcher(text);
        Matcher v = VERSION.matcher(text);
        if (!n.find() || !v.find()) {
            sink.warn(file.path() + ": gemspec without a literal name or version");
            return;
        }
        List<String> licenses = new ArrayList<>();
        Matcher l = LICENSES.matcher(text);
        if (l.find()) {
            Matcher q = QUOTED.matcher(l.group(1));
            while (q.find()) {
                licenses.add(q.group(1));
            }
        }
        sink.addPackage(PackageRecord.builder("gem", n.group(1)).version(v.group(1)).licenses(licenses)
                .analyzer(name()).evidence(file.path()).confidence("high").build());
    }
}
