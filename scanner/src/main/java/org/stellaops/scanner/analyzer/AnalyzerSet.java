package org.stellaops.scanner.analyzer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.stellaops.scanner.analyzer.binary.BinaryClassifierAnalyzer;
import org.stellaops.scanner.analyzer.binary.GoBinaryAnalyzer;
import org.stellaops.scanner.analyzer.binary.RustAuditableAnalyzer;
import org.stellaops.scanner.analyzer.lang.DotnetAnalyzer;
import org.stellaops.scanner.analyzer.lang.JavaAnalyzer;
import org.stellaops.scanner.analyzer.lang.NpmAnalyzer;
import org.stellaops.scanner.analyzer.lang.PhpComposerAnalyzer;
import org.stellaops.scanner.analyzer.lang.PythonAnalyzer;
import org.stellaops.scanner.analyzer.lang.RubyGemAnalyzer;
import org.stellaops.scanner.analyzer.os.ApkAnalyzer;
import org.stellaops.scanner.analyzer.os.DpkgAnalyzer;
import org.stellaops.scanner.analyzer.os.OsReleaseAnalyzer;
import org.stellaops.scanner.analyzer.os.RpmAnalyzer;
import org.stellaops.scanner.layer.ScanLimits;
import org.stellaops.scanner.trace.ExecAnalyzer;

/** The analyzers of one scan and the version string that keys cached fragments. */
public final class AnalyzerSet {
    private final List<Analyzer> all;
    private final List<Analyzer> elf;
    private final List<Analyzer> scripts;
    private final String version;
    private final ScanLimits limits;

    public AnalyzerSet(List<Analyzer> analyzers) {
        this(analyzers, ScanLimits.fromEnvironment());
    }

    /** The analyzers with the size limits the layer reader applies to their input. */
    public AnalyzerSet(List<Analyzer> analyzers, ScanLimits limits) {
        this.limits = limits;
        this.all = List.copyOf(analyzers);
        this.elf = all.stream().filter(Analyzer::wantsElf).toList();
        this.scripts = all.stream().filter(Analyzer::wantsScripts).toList();
        StringBuilder sb = new StringBuilder();
        all.stream().sorted(Comparator.comparing(Analyzer::name))
                .forEach(a -> sb.append(a.name()).append(':').append(a.version()).append(';'));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            this.version = "stella-analyzers/" + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every analyzer Stella Ops ships, with the limits of the environment ({@link ScanLimits#fromEnvironment()}). */
    public static AnalyzerSet standard() {
        return standard(ScanLimits.fromEnvironment());
    }

    /** Every analyzer Stella Ops ships, with the given limits. */
    public static AnalyzerSet standard(ScanLimits limits) {
        return new AnalyzerSet(List.of(new OsReleaseAnalyzer(), new DpkgAnalyzer(), new ApkAnalyzer(), new RpmAnalyzer(),
                new JavaAnalyzer(limits), new NpmAnalyzer(), new PythonAnalyzer(), new DotnetAnalyzer(), new RubyGemAnalyzer(),
                new PhpComposerAnalyzer(), new GoBinaryAnalyzer(), new RustAuditableAnalyzer(), new BinaryClassifierAnalyzer(), new ExecAnalyzer()), limits);
    }

    public ScanLimits limits() {
        return limits;
    }

    public String version() {
        return version;
    }

    public List<Analyzer> all() {
        return all;
    }

    public List<Analyzer> wanting(String path, long size) {
        List<Analyzer> out = null;
        for (Analyzer a : all) {
            if (a.wants(path, size)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(a);
            }
        }
        return out == null ? List.of() : out;
    }

    public boolean anyWantsElf() {
        return !elf.isEmpty();
    }

    public List<Analyzer> elfAnalyzers() {
        return elf;
    }

    public boolean anyWantsScripts() {
        return !scripts.isEmpty();
    }

    public List<Analyzer> scriptAnalyzers() {
        return scripts;
    }
}
