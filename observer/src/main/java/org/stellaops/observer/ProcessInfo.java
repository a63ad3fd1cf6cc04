package org.stellaops.observer;

import java.util.List;

/**
 * What one process runs, read from /proc.
 *
 * @param pid       the PID in the node's PID namespace
 * @param exe       the executable's path inside the process's own root (mount namespace)
 * @param exeFile   the executable as a file (inode, sha256)
 * @param cmdline   the command line arguments
 * @param libraries the files mapped into the process (shared libraries and other mapped files), by path inside
 *                  its root, sorted by path, the executable itself excluded
 */
public record ProcessInfo(long pid, String exe, FileId exeFile, List<String> cmdline, List<MappedFile> libraries) {

    /** A file's identity: inode and device as the node sees them, size, and its content's sha256. */
    public record FileId(long device, long inode, long size, String sha256) {
    }

    /** A mapped file: its path inside the process's root and its identity. */
    public record MappedFile(String path, FileId file) {
    }
}
