package org.stellaops.scanner.trace;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.stellaops.core.model.ExecRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * Keeps in the fragment what the entrypoint trace ({@link EntrypointTracer}) needs of a layer's files: the dynamic
 * linking facts of every ELF file, the shebang and significant lines of executable scripts (and the import lines of
 * Python and JavaScript sources outside package directories), jar manifests' Main-Class and Class-Path, and the
 * dynamic linker's configuration. Bounded: scripts larger than {@link #SCRIPT_LIMIT} are never read (the trace names
 * their size), kept text is capped at {@link #TEXT_LIMIT}.
 */
public final class ExecAnalyzer implements Analyzer {
    /** Scripts and sources larger than this are not kept; the trace records them as unresolved. */
    public static final long SCRIPT_LIMIT = 64 * 1024;
    /** Characters of significant script text kept at most. */
    static final int TEXT_LIMIT = 16 * 1024;
    private static final Pattern PY_IMPORT = Pattern.compile("^(import|from)\\s+[A-Za-z_.].*");
    private static final Pattern JS_IMPORT = Pattern.compile(".*(\\brequire\\s*\\(|^\\s*import\\b|^\\s*export\\b.*\\bfrom\\b).*");

    @Override
    public String name() {
        return "exec-trace";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        if (path.equals("etc/ld.so.conf") || (path.startsWith("etc/ld.so.conf.d/") && path.endsWith(".conf"))) {
            return size <= SCRIPT_LIMIT;
        }
        if (path.endsWith(".jar")) {
            return true;
        }
        if (path.endsWith(".sh")) {
            return size <= SCRIPT_LIMIT; // sourced with . or source: often neither executable nor with #!
        }
        if (size > SCRIPT_LIMIT || !(path.endsWith(".py") || path.endsWith(".js") || path.endsWith(".mjs") || path.endsWith(".cjs"))) {
            return false;
        }
        // sources of applications, not of installed packages (those are reached as packages)
        return !(path.contains("/site-packages/") || path.contains("/dist-packages/") || path.contains("node_modules/")
                || path.startsWith("usr/lib/python") || path.startsWith("usr/share/"));
    }

    @Override
    public boolean wantsElf() {
        return true;
    }

    @Override
    public boolean wantsScripts() {
        return true;
    }

    @Override
    public boolean acceptsSpilled() {
        return true;
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) throws IOException {
        String path = file.path();
        if (file.isElf()) {
            ElfDynamic d;
            try {
                d = ElfDynamic.parse(file.buffer());
            } catch (RuntimeException e) {
                sink.addExec(new ExecRecord(path, "elf", null, null, null, null, null, null, null,
                        "unreadable ELF dynamic section: " + e.getMessage()));
                return;
            }
            sink.addExec(new ExecRecord(path, "elf", d.interpreter, d.needed, d.rpath, d.runpath, null, null, null, null));
            return;
        }
        if (path.endsWith(".jar")) {
            try {
                jar(file, sink);
            } catch (IOException | RuntimeException e) {
                // a corrupt jar: the Java analyzer reports it; the trace records the jar as reached without a manifest
            }
            return;
        }
        if (!file.inMemory() || file.size() > SCRIPT_LIMIT) {
            return;
        }
        String text = file.text();
        if (path.startsWith("etc/ld.so.conf")) {
            sink.addExec(new ExecRecord(path, "ldconf", null, null, null, null, significant(text, "sh"), null, null, null));
            return;
        }
        String shebang = null;
        if (text.startsWith("#!")) {
            int nl = text.indexOf('\n');
            shebang = (nl < 0 ? text.substring(2) : text.substring(2, nl)).trim();
        }
        String lang = language(shebang, path);
        String kept = lang.equals("other") ? "" : significant(text, lang);
        String note = null;
        if (kept.length() > TEXT_LIMIT) {
            kept = null;
            note = "significant text larger than " + TEXT_LIMIT + " characters; not kept";
        }
        sink.addExec(new ExecRecord(path, "script", shebang, null, null, null, kept, null, null, note));
    }

    static String language(String shebang, String path) {
        String s = shebang == null ? "" : shebang;
        if (s.contains("python") || path.endsWith(".py")) {
            return "python";
        }
        if (s.contains("node") || path.endsWith(".js") || path.endsWith(".mjs") || path.endsWith(".cjs")) {
            return "node";
        }
        if (shebang != null && !s.contains("sh") && !s.contains("busybox")) {
            return "other"; // perl, ruby, awk...: run, but not traced into
        }
        return "sh";
    }

    /**
     * The lines the trace reads: for shell, every line without comments and indentation (continuations joined); for
     * Python, the top-level import statements; for JavaScript, lines with require/import/export-from.
     */
    static String significant(String text, String lang) {
        StringBuilder out = new StringBuilder();
        String[] lines = text.split("\r?\n", -1);
        StringBuilder cont = new StringBuilder();
        for (int i = lang.equals("sh") && text.startsWith("#!") ? 1 : 0; i < lines.length; i++) {
            String raw = lines[i];
            switch (lang) {
                case "python" -> {
                    if (PY_IMPORT.matcher(raw).matches()) {
                        out.append(raw.strip()).append('\n');
                    }
                }
                case "node" -> {
                    if (JS_IMPORT.matcher(raw).matches()) {
                        out.append(raw.strip()).append('\n');
                    }
                }
                default -> {
                    String l = raw.strip();
                    if (l.endsWith("\\")) {
                        cont.append(l, 0, l.length() - 1).append(' ');
                        continue;
                    }
                    l = cont + l;
                    cont.setLength(0);
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    out.append(l).append('\n');
                }
            }
            if (out.length() > TEXT_LIMIT) {
                break;
            }
        }
        return out.toString();
    }

    private void jar(LayerFile file, FragmentSink sink) throws IOException {
        Manifest m = null;
        // the central directory, never the entries before the manifest: a jar without one is not inflated
        try (SeekableByteChannel ch = file.inMemory() ? new SeekableInMemoryByteChannel(file.content())
                : Files.newByteChannel(file.spilled());
             ZipFile z = ZipFile.builder().setSeekableByteChannel(ch).setCharset(StandardCharsets.UTF_8)
                     .setIgnoreLocalFileHeader(true).get()) {
            ZipArchiveEntry e = z.getEntry("META-INF/MANIFEST.MF");
            if (e != null) {
                try (InputStream in = z.getInputStream(e)) {
                    m = new Manifest(new ByteArrayInputStream(in.readNBytes(256 * 1024)));
                }
            }
        }
        if (m == null) {
            return;
        }
        String main = m.getMainAttributes().getValue("Main-Class");
        String start = m.getMainAttributes().getValue("Start-Class");
        String cp = m.getMainAttributes().getValue("Class-Path");
        List<String> entries = new ArrayList<>();
        if (cp != null) {
            for (String s : cp.trim().split("\\s+")) {
                if (!s.isEmpty() && entries.size() < 1000) {
                    entries.add(s);
                }
            }
        }
        if (main == null && entries.isEmpty()) {
            return;
        }
        sink.addExec(new ExecRecord(file.path(), "jar", null, null, null, null, null,
                start != null ? main + " (Start-Class " + start + ")" : main, entries, null));
    }
}
