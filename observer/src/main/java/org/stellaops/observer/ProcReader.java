package org.stellaops.observer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads what a process runs from the node's /proc: {@code exe}, {@code cmdline} and the files of {@code maps},
 * each resolved inside the process's own root ({@code /proc/PID/root}) — the container's filesystem, not the node's —
 * with inode and sha256. A file is hashed once: the hash is kept per (device, inode, size, mtime), so a library that
 * a hundred processes map is read once. A process that exits while being read is skipped ({@link Optional#empty()}),
 * never an error. The JDK has no /proc API; the parsing is the few lines of the documented proc(5) format.
 */
public final class ProcReader {

    private final Path proc;
    private final Map<String, ProcessInfo.FileId> hashes;
    private long hashed;

    public ProcReader(Path proc, int cacheEntries) {
        this.proc = proc;
        this.hashes = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ProcessInfo.FileId> e) {
                return size() > cacheEntries;
            }
        };
    }

    /** How many files were hashed (not answered from the cache) since start. */
    public synchronized long filesHashed() {
        return hashed;
    }

    /** The process, or empty when it exited (or is a kernel thread without an executable). */
    public Optional<ProcessInfo> read(long pid) {
        Path dir = proc.resolve(Long.toString(pid));
        try {
            String exe = Files.readSymbolicLink(dir.resolve("exe")).toString();
            List<String> cmdline = cmdline(Files.readAllBytes(dir.resolve("cmdline")));
            // the exe link opens the very file the process runs (even when replaced or deleted on disk)
            ProcessInfo.FileId exeFile = identify(dir.resolve("exe"));
            TreeMap<String, ProcessInfo.MappedFile> libs = new TreeMap<>();
            Path root = dir.resolve("root");
            for (String line : Files.readAllLines(dir.resolve("maps"), StandardCharsets.UTF_8)) {
                String path = mapsPath(line);
                if (path == null || path.equals(exe) || libs.containsKey(path)) {
                    continue;
                }
                ProcessInfo.FileId id;
                try {
                    id = identify(root.resolve(path.substring(1)));
                } catch (NoSuchFileException e) {
                    continue; // removed from the container's filesystem since it was mapped
                }
                libs.put(path, new ProcessInfo.MappedFile(path, id));
            }
            return Optional.of(new ProcessInfo(pid, exe, exeFile, cmdline, List.copyOf(libs.values())));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // exited, or a kernel thread (no exe)
        } catch (IOException e) {
            // ESRCH and friends of a process that exited between two reads surface as plain IOExceptions
            if (!Files.isDirectory(dir)) {
                return Optional.empty();
            }
            throw new java.io.UncheckedIOException("reading /proc/" + pid, e);
        }
    }

    /** The parent PID (proc(5) stat field 4, after the command name in parentheses); empty when exited. */
    public Optional<Long> parent(long pid) {
        try {
            String stat = Files.readString(proc.resolve(pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Optional.of(Long.parseLong(f[1]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code pid} is {@code ancestor} or one of its descendants. */
    public boolean descendsFrom(long pid, long ancestor) {
        long p = pid;
        for (int depth = 0; depth < 4096 && p > 1; depth++) {
            if (p == ancestor) {
                return true;
            }
            Optional<Long> up = parent(p);
            if (up.isEmpty()) {
                return false;
            }
            p = up.get();
        }
        return p == ancestor;
    }

    /** The PIDs of every process on the node (numeric entries of /proc). */
    public List<Long> pids() throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
                    out.add(Long.parseLong(n));
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** The content of /proc/PID/cgroup: the same text means the same cgroups (cgroup v1 and v2). Empty if exited. */
    public Optional<String> cgroup(long pid) {
        try {
            return Optional.of(Files.readString(proc.resolve(pid + "/cgroup")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The container's processes: those in the same cgroups as its first process (which is included). */
    public List<Long> sameCgroup(long pid) throws IOException {
        Optional<String> mine = cgroup(pid);
        if (mine.isEmpty()) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (long p : pids()) {
            if (p == pid || cgroup(p).filter(mine.get()::equals).isPresent()) {
                out.add(p);
            }
        }
        return out;
    }

    static List<String> cmdline(byte[] raw) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                out.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < raw.length) {
            out.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
        }
        return List.copyOf(out);
    }

    /**
     * The file of one maps line (proc(5): address perms offset dev inode pathname), or null for anonymous and
     * pseudo mappings ([heap], [vdso], memfd:..., " (deleted)" files that no longer exist by that name).
     */
    static String mapsPath(String line) {
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 6 || "0".equals(f[4]) || !f[5].startsWith("/") || f[5].endsWith(" (deleted)")) {
            return null;
        }
        return f[5];
    }

    private ProcessInfo.FileId identify(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime");
        long dev = (Long) a.get("dev");
        long ino = (Long) a.get("ino");
        long size = (Long) a.get("size");
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        String key = dev + ":" + ino + ":" + size + ":" + mtime.toMillis();
        synchronized (this) {
            ProcessInfo.FileId known = hashes.get(key);
            if (known != null) {
                return known;
            }
        }
        ProcessInfo.FileId id = new ProcessInfo.FileId(dev, ino, size, sha256(file));
        synchronized (this) {
            hashes.put(key, id);
            hashed++;
        }
        return id;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
