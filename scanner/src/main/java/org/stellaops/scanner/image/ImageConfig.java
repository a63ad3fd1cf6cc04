package org.stellaops.scanner.image;

import java.util.List;

/** The parts of an image config (OCI image spec config / Docker v2 config) that the scanner uses. */
public record ImageConfig(String created, String os, String architecture, String variant, List<String> entrypoint,
                          List<String> cmd, List<String> env, String workingDir, List<String> diffIds, String user) {
    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }

    /** A config without a User. */
    public ImageConfig(String created, String os, String architecture, String variant, List<String> entrypoint,
                       List<String> cmd, List<String> env, String workingDir, List<String> diffIds) {
        this(created, os, architecture, variant, entrypoint, cmd, env, workingDir, diffIds, null);
    }

    /** This config with another Entrypoint, Cmd and WorkingDir (what a runtime override changes). */
    public ImageConfig withProcess(List<String> newEntrypoint, List<String> newCmd, String newWorkingDir) {
        return new ImageConfig(created, os, architecture, variant, newEntrypoint, newCmd, env, newWorkingDir, diffIds, user);
    }
}
